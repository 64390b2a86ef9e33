package io.sitepair.ops.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.config.ConfigException;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsConfig;
import io.sitepair.ops.site.http.SitePlane;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.TlsFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A site's admin API over real sockets: who may read, who may operate, and who never gets past the handshake. */
class AdminApiTlsTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    /** Held: java.util.logging keeps loggers only weakly, and a new one would lack the capturing handler. */
    private static final Logger SERVER_LOG = Logger.getLogger(SitePlane.class.getPackageName());

    @TempDir
    Path dir;

    private TlsLab lab;
    private TlsLab.Admin admin;
    /** The pair as clients see it: site a's admin API where the test server listens. */
    private PairConfig pair;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void startSiteA() throws IOException {
        SERVER_LOG.addHandler(capture);
        lab = new TlsLab(dir);
        admin = TlsLab.serve(lab.pair(ANY_PORT), "a");
        pair = lab.pair(admin.address());
    }

    @AfterEach
    void stop() {
        admin.close();
        SERVER_LOG.removeHandler(capture);
    }

    private AdminClient as(PairPrincipal holder) {
        TlsFiles files = lab.files(holder);
        return AdminClient.of(pair, files.certificate(), files.key());
    }

    @Test
    void statusWarnsOfACertificateThatExpiresWithinThirtyDaysAndNotBefore() {
        AdminClient operator = as(TlsLab.OPERATOR); // the lab's certificates are valid for 30 days
        SiteStatus status = operator.status("a");
        assertTrue(!(status instanceof NoAnswer), status.toString());
        var security = LinkSecurityReport.of(pair, operator, Instant.now());
        assertTrue(security.certificates().get("a").startsWith("serial "), security.toString());
        assertTrue(security.warnings().stream().anyMatch(w -> w.startsWith("site a's certificate expires on")
                && w.endsWith("run `sitepair cert rotate`")), security.warnings().toString());

        var monthsBefore = LinkSecurityReport.of(pair, operator, Instant.now().minus(Duration.ofDays(60)));
        assertTrue(monthsBefore.warnings().isEmpty(), monthsBefore.warnings().toString());
    }

    @Test
    void theOperatorAMonitorAndTheOtherSiteReadStatus() {
        for (AdminClient client : List.of(AdminClient.of(pair), as(TlsLab.OPERATOR), as(TlsLab.MONITOR),
                as(TlsLab.SITE_B))) {
            SiteStatus status = client.status("a");
            assertEquals(Role.STARTING, status.role(), status.toString());
        }
    }

    @Test
    void theOperatorAndTheOtherSiteMayOperateAMonitorMayNot() throws Exception {
        for (AdminClient client : List.of(AdminClient.of(pair), as(TlsLab.SITE_B))) {
            AdminAnswer switchover = client.post("a", "switchover", Duration.ofSeconds(10));
            // Past the authorisation: a starting site cannot switch over, and says why.
            assertEquals(409, switchover.status(), switchover.text());
            assertTrue(switchover.text().contains("only a protected primary can switch over"), switchover.text());
        }
        AdminAnswer clone = AdminClient.of(pair).post("a", "drill/test-clone?address=127.0.0.1:0&lease=60",
                Duration.ofSeconds(10));
        assertEquals(409, clone.status(), clone.text());
        assertEquals("site is starting; only a protected backup can take a test clone", clone.text());
        for (String operation : List.of("switchover", "verify", "repair", "resync?rate=1000", "inject?fault=disk-full",
                "drill/test-clone?address=127.0.0.1:0&lease=60", "drill/test-clone/end")) {
            AdminAnswer refused = as(TlsLab.MONITOR).post("a", operation, Duration.ofSeconds(10));
            assertEquals(403, refused.status(), operation + ": " + refused.text());
            assertTrue(refused.text().startsWith("monitor 'prometheus' of pair 'lab' may not "
                    + operation.replaceFirst("\\?.*", "") + ": a monitor's certificate may only read status"),
                    refused.text());
        }
        assertLogged("refused POST /switchover from 127.0.0.1:");
    }

    @Test
    void aMonitorScrapesMetricsLabelledWithThePairAndTheSite() throws Exception {
        HttpClient monitor = HttpClient.newBuilder().sslContext(lab.clientContext(lab.files(TlsLab.MONITOR))).build();
        HttpResponse<String> scrape = monitor.send(HttpRequest.newBuilder(AdminClient.uri(pair, "a", "metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode(), scrape.body());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                scrape.headers().toString());
        assertTrue(scrape.body().lines().anyMatch(line -> line.startsWith("jvm_threads_live_threads{")
                && line.contains("pair=\"lab\"") && line.contains("site=\"a\"")), scrape.body());
    }

    @Test
    void errorsAreProblemDocumentsWithoutAStackTrace() throws Exception {
        HttpClient operator = HttpClient.newBuilder().sslContext(lab.clientContext(lab.files(TlsLab.OPERATOR))).build();
        HttpResponse<String> missing = operator.send(HttpRequest.newBuilder(AdminClient.uri(pair, "a", "nonesuch"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode(), missing.body());
        assertEquals("application/problem+json", missing.headers().firstValue("Content-Type").orElse(""));
        assertTrue(missing.body().contains("\"detail\":\"GET /nonesuch: no such resource on this site\""),
                missing.body());
        HttpResponse<String> badRate = operator.send(HttpRequest.newBuilder(AdminClient.uri(pair, "a",
                "resync?rate=fast")).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badRate.statusCode(), badRate.body());
        assertTrue(badRate.body().contains("rate") && !badRate.body().contains("\tat "), badRate.body());
    }

    @Test
    void theWitnessMayNeitherReadNorOperate() throws Exception {
        AdminClient witness = as(TlsLab.WITNESS);
        SiteStatus status = witness.status("a");
        NoAnswer none = assertInstanceOf(NoAnswer.class, status);
        assertTrue(none.error().contains("answered HTTP 403: witness 'witness' of pair 'lab' may not read status: a"
                + " witness's certificate gives no access to a site's admin API"), none.error());
        AdminAnswer verify = witness.post("a", "verify", Duration.ofSeconds(10));
        assertEquals(403, verify.status(), verify.text());
        assertLogged("refused GET /status from 127.0.0.1:");
        assertLogged("witness 'witness' of pair 'lab' may not verify");
    }

    @Test
    void aClientWithoutACertificateOfThisPairsCaGetsNoAnswer() throws Exception {
        PairAuthority otherCa = PairAuthority.create(TlsLab.PAIR, Instant.now(), PairAuthority.CA_VALIDITY);
        TlsFiles foreign = lab.issue(otherCa, TlsLab.OPERATOR, Instant.now(), Duration.ofDays(1));
        TlsFiles expired = lab.issue(lab.authority(), TlsLab.OPERATOR, Instant.now().minus(Duration.ofDays(3)),
                Duration.ofDays(1));
        Map<String, TlsFiles> clients = new java.util.LinkedHashMap<>();
        clients.put("Empty client certificate chain", null);
        clients.put("is not issued by this pair's CA", foreign);
        clients.put("expired on", expired);
        for (Map.Entry<String, TlsFiles> client : clients.entrySet()) {
            HttpClient http = HttpClient.newBuilder().sslContext(lab.clientContext(client.getValue())).build();
            HttpRequest status = HttpRequest.newBuilder(AdminClient.uri(pair, "a", "status"))
                    .timeout(Duration.ofSeconds(5)).build();
            assertThrows(IOException.class, () -> http.send(status, HttpResponse.BodyHandlers.ofString()),
                    client.getKey());
            assertLogged(client.getKey());
        }
    }

    @Test
    void plainHttpToTheHttpsPortGetsNoStatus() throws Exception {
        HttpRequest plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort()
                + "/status")).timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(plain, HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() != 200 && !response.body().contains("\"role\""), response.body());
        } catch (IOException expected) {
            // no HTTP answer at all
        }
        assertLogged("refused a TLS connection from ");
    }

    @Test
    void theClientAcceptsAtSiteAsAddressOnlySiteAsCertificate() throws IOException {
        for (PairPrincipal impostor : List.of(TlsLab.SITE_B, TlsLab.WITNESS)) {
            PairConfig impostorIsA = lab.pair(ANY_PORT, new TlsConfig(lab.files(TlsLab.SITE_A).ca(),
                    Map.of("a", lab.files(impostor))));
            try (TlsLab.Admin server = TlsLab.serve(impostorIsA, "a")) {
                SiteStatus status = AdminClient.of(lab.pair(server.address())).status("a");
                NoAnswer none = assertInstanceOf(NoAnswer.class, status);
                assertTrue(none.error().contains("belongs to " + impostor + "; only site 'a' of pair 'lab' may connect here"),
                        none.error());
            }
        }
    }

    @Test
    void withTlsOffStatusIsOpenAndOperationsMustBeSigned() throws Exception {
        PairConfig plain = lab.pair(ANY_PORT, TlsConfig.OFF);
        try (TlsLab.Admin site = TlsLab.serve(plain, "a")) {
            PairConfig clients = lab.pair(site.address(), TlsConfig.OFF);
            assertEquals(Role.STARTING, AdminClient.of(clients).status("a").role());
            assertEquals(409, AdminClient.of(clients).post("a", "verify", Duration.ofSeconds(10)).status());
            HttpResponse<String> unsigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    AdminClient.uri(clients, "a", "verify")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, unsigned.statusCode(), unsigned.body());
            assertTrue(unsigned.body().contains("missing Sitepair-Auth header"), unsigned.body());
            ConfigException certificate = assertThrows(ConfigException.class, () -> AdminClient.of(clients,
                    lab.files(TlsLab.OPERATOR).certificate(), lab.files(TlsLab.OPERATOR).key()));
            assertTrue(certificate.getMessage().contains("says tls: {mode: off}"), certificate.getMessage());
        }
    }

    @Test
    void withoutAnOperatorCertificateTheClientSaysHowToGetOne() {
        PairConfig noOperator = lab.pair(admin.address(), new TlsConfig(lab.files(TlsLab.SITE_A).ca(),
                Map.of("a", lab.files(TlsLab.SITE_A), "b", lab.files(TlsLab.SITE_B))));
        ConfigException e = assertThrows(ConfigException.class, () -> AdminClient.of(noOperator));
        assertTrue(e.getMessage().contains("pass --cert FILE --key FILE, or issue one with `sitepair cert issue"
                + " --operator NAME`"), e.getMessage());
    }

    /** The admin server logged a line containing {@code text} (a refusal is logged by the server's thread, soon). */
    private void assertLogged(String text) throws InterruptedException {
        for (int i = 0; i < 50 && logged.stream().noneMatch(line -> line.contains(text)); i++) {
            Thread.sleep(100);
        }
        assertTrue(logged.stream().anyMatch(line -> line.contains(text)), text + " not in " + logged);
    }
}
