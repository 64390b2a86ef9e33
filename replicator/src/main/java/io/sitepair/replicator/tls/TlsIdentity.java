package io.sitepair.replicator.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.sitepair.tiebreaker.KeyPairs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end's TLS identity in a pair: its certificate and key, and the pair CA it trusts, read from
 * {@link TlsFiles} and checked at load (key owner-only, key matching certificate, issued by the CA,
 * valid now, naming a holder of this pair). The files are read again when they change, so {@code
 * sitepair cert rotate} takes effect at the next handshake without a restart; a replacement that
 * does not pass the checks is logged and the identity in use is kept.
 *
 * <p>Every TLS context it makes speaks TLS 1.3 only, with the JDK's provider, and requires the
 * peer's certificate (mutual authentication).
 */
public final class TlsIdentity {
    public static final String PROTOCOL = "TLSv1.3";
    private static final Logger LOG = LoggerFactory.getLogger(TlsIdentity.class);

    /** What the files held when last read, and when each was last modified (to see a change). */
    record Material(List<X509Certificate> authorities, X509Certificate certificate, PrivateKey key,
                    PairPrincipal principal, List<FileTime> stamps) {}

    private final String pair;
    private final TlsFiles files;
    private final Clock clock;
    private volatile Material material;
    private volatile List<FileTime> refusedStamps;

    private TlsIdentity(String pair, TlsFiles files, Clock clock, Material material) {
        this.pair = pair;
        this.files = files;
        this.clock = clock;
        this.material = material;
    }

    /** Reads and checks {@code files}; a {@link TlsException} names the file and what is wrong with it. */
    public static TlsIdentity load(String pair, TlsFiles files, Clock clock) {
        return new TlsIdentity(pair, files, clock, read(pair, files, clock));
    }

    public static TlsIdentity load(String pair, TlsFiles files) {
        return load(pair, files, Clock.systemUTC());
    }

    private static Material read(String pair, TlsFiles files, Clock clock) {
        List<FileTime> stamps = stamps(files);
        KeyFiles.checkPrivate(files.key());
        List<X509Certificate> authorities = PemFiles.readCertificates(files.ca());
        X509Certificate certificate = PemFiles.readCertificates(files.certificate()).getFirst();
        PrivateKey key = PemFiles.readKey(files.key());
        if (!KeyPairs.matches(certificate, key)) {
            throw new TlsException(files.key() + " is not the key of the certificate in " + files.certificate());
        }
        Material candidate = new Material(authorities, certificate, key, null, stamps);
        PairPrincipal principal;
        try {
            principal = new PairTrustManager(pair, () -> candidate, PeerRule.ANY_OF_THE_PAIR, clock::instant)
                    .check(new X509Certificate[] {certificate});
        } catch (java.security.cert.CertificateException e) {
            throw new TlsException(files.certificate() + ": " + e.getMessage().replace("the peer's certificate",
                    "the certificate") + " (CA file " + files.ca() + ")");
        }
        return new Material(authorities, certificate, key, principal, stamps);
    }

    private static List<FileTime> stamps(TlsFiles files) {
        List<FileTime> stamps = new ArrayList<>();
        for (Path file : List.of(files.ca(), files.certificate(), files.key())) {
            try {
                stamps.add(Files.getLastModifiedTime(file));
            } catch (IOException e) {
                throw new TlsException(file + " cannot be read (" + (Files.exists(file) ? e.getMessage()
                        : "it does not exist") + ")");
            }
        }
        return stamps;
    }

    /** The material as the files hold it now, or as last read if they changed into something unusable. */
    Material current() {
        Material held = material;
        List<FileTime> now;
        try {
            now = stamps(files);
        } catch (TlsException vanished) {
            return held; // mid-rotation, or removed: keep what works
        }
        if (now.equals(held.stamps()) || now.equals(refusedStamps)) {
            return held;
        }
        try {
            Material next = read(pair, files, clock);
            if (!next.certificate().equals(held.certificate()) || !next.authorities().equals(held.authorities())) {
                LOG.info("TLS: now presenting {} certificate serial {} valid until {}, trusting {} CA(s)",
                        next.principal(), next.certificate().getSerialNumber().toString(16),
                        next.certificate().getNotAfter().toInstant(), next.authorities().size());
            }
            material = next;
            return next;
        } catch (TlsException e) {
            refusedStamps = now;
            LOG.warn("TLS: the changed files are not used, the identity in use is kept: {}", e.getMessage());
            return held;
        }
    }

    public PairPrincipal principal() {
        return current().principal();
    }

    public X509Certificate certificate() {
        return current().certificate();
    }

    /** The CA certificates trusted now. */
    public List<X509Certificate> authorities() {
        return current().authorities();
    }

    public TlsFiles files() {
        return files;
    }

    /** A Netty server context: TLS 1.3, the peer's certificate required and checked by {@code rule}. */
    public SslContext nettyServer(PeerRule rule) throws SSLException {
        return SslContextBuilder.forServer(keyManager())
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOL)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(trustManager(rule))
                .build();
    }

    /**
     * A Netty client context: TLS 1.3, the server's certificate checked by {@code rule}. Host names
     * are not compared: the pair's identity is what is checked, and a site may reach its peer
     * through an address its certificate does not name (a WAN emulator, a NAT).
     */
    public SslContext nettyClient(PeerRule rule) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOL)
                .keyManager(keyManager())
                .trustManager(trustManager(rule))
                .endpointIdentificationAlgorithm(null)
                .build();
    }

    /** A JDK context (HTTPS server and client): TLS 1.3 with this identity, peers checked by {@code rule}. */
    public SSLContext jdk(PeerRule rule) {
        try {
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(new KeyManager[] {keyManager()}, new TrustManager[] {trustManager(rule)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + PROTOCOL + ": " + e.getMessage(), e);
        }
    }

    private CurrentKeyManager keyManager() {
        return new CurrentKeyManager(this::current);
    }

    private PairTrustManager trustManager(PeerRule rule) {
        return new PairTrustManager(pair, this::current, rule, clock::instant);
    }

    /** The pair principal of the peer of an established TLS session (its certificate was checked in the handshake). */
    public static PairPrincipal peerOf(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? PairPrincipal.of(x509) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
