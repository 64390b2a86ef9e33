package io.sitepair.ops.site.http;

import io.sitepair.replicator.tls.TlsIdentity;

/** The site's own certificate and key for the HTTP plane; {@code identity} is null with the pair's TLS off. */
record PlaneIdentity(TlsIdentity identity) {}
