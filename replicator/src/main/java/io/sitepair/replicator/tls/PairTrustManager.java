package io.sitepair.replicator.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly the certificates this pair's CA issued to holders the {@link PeerRule} accepts,
 * and says why it refuses any other, in words an operator can act on: no certificate, another CA,
 * another pair, not yet or no longer valid, the wrong holder. The CAs are read at each handshake,
 * so a CA rotation is seen without a restart. Certificates are issued directly by the CA, so a
 * chain is the peer's certificate alone.
 */
final class PairTrustManager extends X509ExtendedTrustManager {
    private final String pair;
    private final Supplier<TlsIdentity.Material> material;
    private final PeerRule rule;
    private final Supplier<Instant> clock;

    PairTrustManager(String pair, Supplier<TlsIdentity.Material> material, PeerRule rule, Supplier<Instant> clock) {
        this.pair = pair;
        this.material = material;
        this.rule = rule;
        this.clock = clock;
    }

    /** The peer in {@code chain} if it is trusted; else a {@link CertificateException} saying why not. */
    PairPrincipal check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the peer presented no certificate");
        }
        X509Certificate peer = chain[0];
        String who = "the peer's certificate '" + peer.getSubjectX500Principal().getName() + "'";
        X509Certificate issuer = issuerOf(peer);
        if (issuer == null) {
            throw new CertificateException(who + " is not issued by this pair's CA (its issuer is '"
                    + peer.getIssuerX500Principal().getName() + "')");
        }
        Instant now = clock.get();
        if (now.isBefore(peer.getNotBefore().toInstant())) {
            throw new CertificateException(who + " is not valid until " + peer.getNotBefore().toInstant()
                    + " (is a clock wrong?)");
        }
        if (now.isAfter(peer.getNotAfter().toInstant())) {
            throw new CertificateException(who + " expired on " + peer.getNotAfter().toInstant()
                    + "; issue a new one with `sitepair cert rotate`");
        }
        PairPrincipal principal = PairPrincipal.of(peer);
        if (principal == null) {
            throw new CertificateException(who + " names no holder of a sitepair pair");
        }
        if (!principal.pair().equals(pair)) {
            throw new CertificateException(who + " belongs to pair '" + principal.pair() + "', not to '" + pair + "'");
        }
        String refusal = rule.refusal(principal);
        if (refusal != null) {
            throw new CertificateException(refusal);
        }
        return principal;
    }

    private X509Certificate issuerOf(X509Certificate certificate) {
        return material.get().authorities().stream().filter(ca -> PairAuthority.signed(ca, certificate)).findFirst()
                .orElse(null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return material.get().authorities().toArray(X509Certificate[]::new);
    }
}
