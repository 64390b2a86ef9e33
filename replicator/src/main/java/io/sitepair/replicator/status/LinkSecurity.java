package io.sitepair.replicator.status;

import java.util.List;
import java.util.Map;

/**
 * How the pair's links are protected, as {@code sitepair status} saw them: whether the sites'
 * links (logging channel, admin API) and the link to the quorum are encrypted, when each site's
 * certificate expires, and what needs the operator's attention (a certificate expiring within 30
 * days, a link in clear).
 *
 * @param links the sites' links: TLS or not, and why not
 * @param coordination the link to the ZooKeeper quorum; null without coordination
 * @param certificates by site, the certificate it presented: its serial and expiry
 * @param warnings one line each; empty when nothing needs attention
 */
public record LinkSecurity(String links, String coordination, Map<String, String> certificates,
                           List<String> warnings) {
    public LinkSecurity {
        certificates = Map.copyOf(certificates);
        warnings = List.copyOf(warnings);
    }
}
