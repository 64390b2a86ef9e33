package io.sitepair.ops.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.replicator.pair.Role;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * What the drill command asks of a lab pair's sites over their admin API (TLS off: signed
 * requests): the backup's test clone, started, renewed and ended; then a crash of the primary's
 * process, which the backup takes over from.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DrillApiProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theBackupServesATestCloneAndTakesOverFromAPrimaryThatCrashes() throws Exception {
        try (LocalPair lab = new LocalPair(dir, false, yaml -> yaml)) {
            Process a = lab.startProtected().get("a");
            try (Jedis primary = client(lab.service("a"))) {
                assertEquals("OK", primary.set("before-the-clone", "acknowledged"));
            }

            AdminAnswer started = lab.admin().post("b", "drill/test-clone?address=127.0.0.1:0&lease=60", TIMEOUT);
            assertEquals(200, started.status(), started.text());
            JsonNode clone = new ObjectMapper().readTree(started.text());
            List<String> fields = new ArrayList<>();
            clone.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("position", "events_delivered", "copy_method", "bytes_copied", "replay_pause_ms",
                    "time_to_serve_ms", "address", "copies"), fields);
            try (Jedis onClone = client(Addresses.parse(clone.get("address").asText()))) {
                assertEquals("acknowledged", onClone.get("before-the-clone"));
            }
            AdminAnswer renewed = lab.admin().post("b", "drill/test-clone/renew", TIMEOUT);
            assertEquals(200, renewed.status(), renewed.text());
            assertTrue(renewed.text().contains("renewed"), renewed.text());
            AdminAnswer ended = lab.admin().post("b", "drill/test-clone/end", TIMEOUT);
            assertEquals(200, ended.status(), ended.text());
            assertTrue(ended.text().contains("copies deleted"), ended.text());
            AdminAnswer none = lab.admin().post("b", "drill/test-clone/end", TIMEOUT);
            assertEquals(409, none.status(), none.text());
            assertEquals("site 'b' serves no test clone", none.text());
            AdminAnswer onPrimary = lab.admin().post("a", "drill/test-clone?address=127.0.0.1:0&lease=60", TIMEOUT);
            assertEquals(409, onPrimary.status(), onPrimary.text());
            assertEquals("site 'a' is primary; only a protected backup can take a test clone", onPrimary.text());
            AdminAnswer noAddress = lab.admin().post("b", "drill/test-clone?lease=60", TIMEOUT);
            assertEquals(400, noAddress.status(), noAddress.text());

            LocalPair.Cli crash = lab.cli(Duration.ofSeconds(30), "inject", "--site", "a", "--fault", "crash");
            assertEquals(0, crash.exit(), crash.text());
            assertTrue(crash.out().contains("site a crashes now: halted without clean-up, as a power loss would"),
                    crash.text());
            assertTrue(a.waitFor(1, TimeUnit.SECONDS), "the primary's process is gone within a second");
            assertNotEquals(0, a.exitValue());
            assertEquals(2L, lab.await("b", 20, s -> s.role() == Role.LIVE_ALONE).epoch());
            try (Jedis live = client(lab.service("b"))) {
                assertEquals("acknowledged", live.get("before-the-clone"));
            }
        }
    }

    private static Jedis client(InetSocketAddress address) {
        return new Jedis(address.getHostString(), address.getPort(), 10_000);
    }
}
