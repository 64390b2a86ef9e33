package io.sitepair.ops.site.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.TlsLab;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard over HTTPS: a monitor's certificate gets the page and its data; no certificate, no handshake. */
class DashboardTlsTest {
    @TempDir
    Path dir;

    private TlsLab lab;
    private TlsLab.Admin siteA;
    private PairConfig pair;

    @BeforeEach
    void startSiteA() throws IOException {
        lab = new TlsLab(dir);
        siteA = TlsLab.serve(lab.pair(new InetSocketAddress("127.0.0.1", 0)), "a");
        pair = lab.pair(siteA.address());
    }

    @AfterEach
    void stop() {
        siteA.close();
    }

    private HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(AdminClient.uri(pair, "a", path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMonitorGetsThePageAndThePairAsSiteASeesIt() throws Exception {
        HttpClient monitor = HttpClient.newBuilder().sslContext(lab.clientContext(lab.files(TlsLab.MONITOR))).build();

        HttpResponse<String> page = get(monitor, "");
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"), page.headers().toString());
        assertTrue(page.body().contains("<dd data-field=\"role\">starting</dd>"), page.body());
        assertTrue(page.body().contains("data-kind=\"unreachable\""), "site b (no one listens) is an alarm\n" + page.body());

        HttpResponse<String> data = get(monitor, "pair");
        assertEquals(200, data.statusCode(), data.body());
        JsonNode json = new ObjectMapper().readTree(data.body());
        assertEquals("a", json.get("viewed_from").asText());
        assertEquals("starting", json.at("/status/sites/a/role").asText(), data.body());
        assertTrue(json.at("/status/sites/b/error").asText().startsWith("no answer from https://127.0.0.1:1/status"),
                data.body());
        assertEquals("unreachable", json.at("/alarms/0/kind").asText(), data.body());
        assertTrue(json.at("/status/security/links").asText().startsWith("TLS 1.3"), data.body());
        assertTrue(json.get("output_hold").isNull(), "no Output Rule timer in a starting site: " + data.body());

        HttpResponse<String> script = get(monitor, "assets/dashboard.js");
        assertEquals(200, script.statusCode());
        assertTrue(script.body().contains("fetch(\"/pair\""), "the page's one fetch is this site's /pair");
    }

    @Test
    void aClientWithoutACertificateIsRefusedAtTheHandshake() throws Exception {
        HttpClient anonymous = HttpClient.newBuilder().sslContext(lab.clientContext(null)).build();
        for (String path : new String[] {"", "pair"}) {
            assertThrows(IOException.class, () -> get(anonymous, path), path);
        }
    }
}
