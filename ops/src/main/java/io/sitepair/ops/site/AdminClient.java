package io.sitepair.ops.site;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.ConfigException;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsConfig;
import io.sitepair.ops.site.http.ProblemDocument;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PeerRule;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Talks to the admin endpoints of one pair's sites: asks a site's status, and asks it to operate
 * (switchover, verify, resync, inject). Made once per pair configuration: with the pair's TLS on,
 * it presents a certificate of the pair (the configuration's operator's, or one given) and accepts
 * at site a's address only site a's certificate; with TLS off (a lab on loopback), it signs
 * operations with the pair's secret.
 *
 * <p>A server is known by the site its certificate names, not by the host name dialled (the pair's
 * trust manager decides, as on the logging channel): stricter than a host name check, since both
 * sites' certificates may name the same host (a lab), and the other site may not pose as this one.
 */
public final class AdminClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(3);

    private final PairConfig pair;
    /** Null with TLS off. */
    private final TlsIdentity identity;
    /** By site: each accepts only that site's certificate. */
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    /** By site: the certificate it presented last. */
    private final Map<String, X509Certificate> presented = new ConcurrentHashMap<>();

    private AdminClient(PairConfig pair, TlsIdentity identity) {
        this.pair = pair;
        this.identity = identity;
    }

    private HttpClient http(String site) {
        return clients.computeIfAbsent(site, name -> {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                    .version(HttpClient.Version.HTTP_1_1); // what the sites serve: no HTTP/2 upgrade to try
            if (identity != null) {
                SSLParameters parameters = new SSLParameters();
                parameters.setProtocols(new String[] {TlsIdentity.PROTOCOL});
                builder.sslContext(identity.jdk(PeerRule.only(PairPrincipal.site(pair.pair(), name))))
                        .sslParameters(parameters);
            }
            return builder.build();
        });
    }

    /** A client for {@code pair}, acting as the configuration's operator ({@code tls.operator}) when TLS is on. */
    public static AdminClient of(PairConfig pair) {
        return of(pair, null, null);
    }

    /**
     * A client for {@code pair} that presents {@code certificate} and its {@code key} (a site's, an
     * operator's, a monitor's; both null: the configuration's operator's). With TLS off there is
     * nothing to present, and giving a certificate is an error.
     */
    public static AdminClient of(PairConfig pair, Path certificate, Path key) {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate (--cert) goes with its key (--key): give both or"
                    + " neither");
        }
        TlsConfig tls = pair.tls();
        if (!tls.on()) {
            if (certificate != null) {
                throw new ConfigException(pair.file() + " says tls: {mode: off}: its sites serve plain HTTP and"
                        + " take no client certificate (" + certificate + ")");
            }
            return new AdminClient(pair, null);
        }
        if (certificate != null) {
            return new AdminClient(pair, TlsIdentity.load(pair.pair(), new TlsFiles(tls.ca(), certificate, key)));
        }
        if (!tls.has(TlsConfig.OPERATOR)) {
            throw new ConfigException(pair.file() + " names no operator certificate (tls." + TlsConfig.OPERATOR
                    + "), and the sites' admin API takes only clients with a certificate of the pair: pass --cert FILE"
                    + " --key FILE, or issue one with `sitepair cert issue --operator NAME`");
        }
        return new AdminClient(pair, TlsIdentity.load(pair.pair(), tls.files(TlsConfig.OPERATOR)));
    }

    /** {@code https://host:port/<path>} of {@code site}'s admin endpoint (http:// with TLS off). */
    public static URI uri(PairConfig pair, String site, String path) {
        return URI.create((pair.tls().on() ? "https" : "http") + "://" + Addresses.format(pair.site(site).admin())
                + "/" + path); // Addresses.format: an IPv6 host in brackets
    }

    /** {@code site}'s status, or {@link NoAnswer} saying why there is none. */
    public SiteStatus status(String site) {
        return status(site, STATUS_TIMEOUT);
    }

    /** {@code site}'s status, or {@link NoAnswer} if there is none within {@code timeout} (connecting included). */
    public SiteStatus status(String site, Duration timeout) {
        URI uri = uri(pair, site, "status");
        try {
            HttpResponse<String> response = http(site).send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            response.sslSession().ifPresent(session -> remember(site, session));
            if (response.statusCode() != 200) {
                return new NoAnswer(site, uri + " answered HTTP " + response.statusCode() + ": "
                        + ProblemDocument.detail(response.body()));
            }
            return StatusJson.read(response.body());
        } catch (IllegalArgumentException e) {
            return new NoAnswer(site, uri + " answered no status: " + e.getMessage());
        } catch (IOException e) {
            return new NoAnswer(site, "no answer from " + uri + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NoAnswer(site, "interrupted");
        }
    }

    private void remember(String site, SSLSession session) {
        try {
            if (session.getPeerCertificates()[0] instanceof X509Certificate certificate) {
                presented.put(site, certificate);
            }
        } catch (SSLPeerUnverifiedException e) {
            // no certificate to remember: the trust manager would not have let the answer through
        }
    }

    /** The certificate {@code site} presented when its status was last asked; empty with TLS off or before. */
    public Optional<X509Certificate> presented(String site) {
        return Optional.ofNullable(presented.get(site));
    }

    /** The certificate and key this client presents; null with TLS off. */
    public TlsIdentity identity() {
        return identity;
    }

    /**
     * {@code POST /<operation>} (with its query, if any) to {@code site}'s admin endpoint; the
     * answer says what happened, or why not.
     */
    public AdminAnswer post(String site, String operation, Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pair, site, operation)).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (!pair.tls().on()) {
            request.header(AdminAuth.HEADER, AdminAuth.sign(pair.secret(), pair.pair(), operation));
        }
        HttpResponse<String> response = http(site).send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new AdminAnswer(response.statusCode(), response.statusCode() == 200 ? response.body().trim()
                : ProblemDocument.detail(response.body()));
    }

    /** {@code GET /<path>} of {@code site}'s admin endpoint, such as {@code metrics}: its text, or why not. */
    public AdminAnswer get(String site, String path, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> response = http(site).send(HttpRequest.newBuilder(uri(pair, site, path)).timeout(timeout)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return new AdminAnswer(response.statusCode(), response.statusCode() == 200 ? response.body()
                : ProblemDocument.detail(response.body()));
    }
}
