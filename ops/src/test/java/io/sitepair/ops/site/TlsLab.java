package io.sitepair.ops.site;

import io.sitepair.ops.config.LoggingTuning;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.SiteConfig;
import io.sitepair.ops.config.TlsConfig;
import io.sitepair.ops.site.http.SitePlane;
import io.sitepair.replicator.resync.ResyncPolicy;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import io.sitepair.replicator.tls.TestPki;
import java.io.IOException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.KeyManager;
import java.security.cert.X509Certificate;
import java.security.PrivateKey;
import java.security.Principal;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * For admin API tests on loopback: a pair's CA in a directory with certificates for sites a and b,
 * the witness, an operator and a monitor; configurations of the pair with TLS on and off; and a
 * site's admin server (of a site still starting: it answers status, and refuses to operate).
 */
public final class TlsLab {
    public static final String PAIR = "lab";
    public static final PairPrincipal SITE_A = PairPrincipal.site(PAIR, "a");
    public static final PairPrincipal SITE_B = PairPrincipal.site(PAIR, "b");
    public static final PairPrincipal WITNESS = PairPrincipal.witness(PAIR, "witness");
    public static final PairPrincipal OPERATOR = PairPrincipal.operator(PAIR, "alice");
    public static final PairPrincipal MONITOR = PairPrincipal.monitor(PAIR, "prometheus");

    private final Path dir;
    private final TestPki pki;
    private final Map<PairPrincipal, TlsFiles> issued = new LinkedHashMap<>();

    public TlsLab(Path dir) {
        this.dir = dir;
        this.pki = new TestPki(dir, PAIR);
        for (PairPrincipal holder : List.of(SITE_A, SITE_B, WITNESS, OPERATOR, MONITOR)) {
            issued.put(holder, pki.issue(holder, Instant.now(), Duration.ofDays(30)));
        }
    }

    public PairAuthority authority() {
        return pki.authority();
    }

    /** {@code holder}'s files, issued by the pair's CA. */
    public TlsFiles files(PairPrincipal holder) {
        return issued.get(holder);
    }

    /** A certificate for {@code holder} from {@code ca} (the pair's or another), valid from {@code from}. */
    public TlsFiles issue(PairAuthority ca, PairPrincipal holder, Instant from, Duration validity) {
        return pki.issue(ca, holder, from, validity);
    }

    /** The pair with TLS on, site a's admin API at {@code adminOfA}; the configuration's operator is {@link #OPERATOR}. */
    public PairConfig pair(InetSocketAddress adminOfA) {
        return pair(adminOfA, new TlsConfig(pki.caFile(), Map.of("a", files(SITE_A), "b", files(SITE_B),
                "witness", files(WITNESS), TlsConfig.OPERATOR, files(OPERATOR))));
    }

    /** The pair with {@code tls} ({@link TlsConfig#OFF}: plain HTTP, operations signed with the secret). */
    public PairConfig pair(InetSocketAddress adminOfA, TlsConfig tls) {
        Map<String, SiteConfig> sites = new LinkedHashMap<>();
        sites.put("a", site("a", adminOfA));
        sites.put("b", site("b", new InetSocketAddress("127.0.0.1", 1)));
        return new PairConfig(dir.resolve("pair.yaml"), PAIR, "0123456789abcdef0123456789abcdef".getBytes(), "kv",
                List.of(64L << 20), "a", LoggingTuning.DEFAULTS, sites, null, ResyncPolicy.DEFAULTS, tls);
    }

    private SiteConfig site(String name, InetSocketAddress admin) {
        InetSocketAddress unused = new InetSocketAddress("127.0.0.1", 1);
        return new SiteConfig(name, unused, unused, admin, dir.resolve(name), SiteConfig.INTERPRETER, null);
    }

    /** A plain JDK context that trusts the pair's CA and presents {@code files} (null: no certificate). */
    public SSLContext clientContext(TlsFiles files) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", authority().certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore own = KeyStore.getInstance("PKCS12");
        own.load(null, null);
        if (files != null) {
            own.setKeyEntry("me", PemFiles.readKey(files.key()), new char[0],
                    PemFiles.readCertificates(files.certificate()).toArray(Certificate[]::new));
        }
        keys.init(own, new char[0]);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        KeyManager presenting = files == null ? keys.getKeyManagers()[0]
                : new AlwaysPresenting((X509ExtendedKeyManager) keys.getKeyManagers()[0]);
        context.init(new KeyManager[] {presenting}, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * Presents its certificate whatever CAs the server names as acceptable (the JDK's own key
     * manager presents none issued by another CA): a site must refuse it, and say why.
     */
    private static final class AlwaysPresenting extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresenting(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "me";
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "me";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"me"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /** Site {@code site}'s admin server for {@code pair}, on a free loopback port. */
    public static Admin serve(PairConfig pair, String site) throws IOException {
        StartingSite starting = new StartingSite(site, "waiting for a test");
        TlsIdentity identity = pair.tls().on() ? TlsIdentity.load(pair.pair(), pair.tls().files(site)) : null;
        return new Admin(SitePlane.start(new InetSocketAddress("127.0.0.1", 0), pair, site, identity, () -> starting,
                registry -> {}));
    }

    /** A running admin server. */
    public static final class Admin implements AutoCloseable {
        private final SitePlane server;

        Admin(SitePlane server) {
            this.server = server;
        }

        public InetSocketAddress address() {
            return server.address();
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
