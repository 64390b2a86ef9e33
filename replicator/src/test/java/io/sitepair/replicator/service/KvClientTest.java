package io.sitepair.replicator.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.VmOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** The KV guest as a real Redis client library sees it, over the real socket path. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // sockets: a hang must fail, never stall CI
class KvClientTest {
    @TempDir
    Path dir;

    static final GuestModule KV = GuestModule.of("kv", ShippedGuest.load("kv"));
    static final VmOptions QUIET = VmOptions.defaults().withConsole((m, l) -> {});

    ServedRun serve(Path record) throws Exception {
        return ServedRun.start(KV, QUIET, List.of(dir.resolve("kv.img")), 16L << 20,
                new ClientNetwork.Socket(new InetSocketAddress("127.0.0.1", 0)), record);
    }

    static Jedis client(ServedRun run) {
        return new Jedis(run.address().getHostString(), run.address().getPort());
    }

    @Test
    void commandsBehaveAsARedisClientExpects() throws Exception {
        ServedRun run = serve(null);
        try (Jedis jedis = client(run)) {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set("k", "v"));
            assertEquals("v", jedis.get("k"));
            assertNull(jedis.get("missing"));
            assertNull(jedis.set("k", "w", SetParams.setParams().nx()));
            assertEquals("OK", jedis.set("k", "w", SetParams.setParams().xx()));
            assertEquals("w", jedis.getSet("k", "x"));
            assertEquals(5, jedis.append("k", "yzab"));
            assertEquals(5, jedis.strlen("k"));
            assertEquals(10, jedis.incrBy("n", 10));
            assertEquals(11, jedis.incr("n"));
            assertEquals(9, jedis.decrBy("n", 2));
            assertEquals(8, jedis.decr("n"));
            assertThrows(JedisDataException.class, () -> jedis.incr("k"));
            assertEquals("OK", jedis.mset("a", "1", "b", "2"));
            assertEquals(java.util.Arrays.asList("1", "2", null), jedis.mget("a", "b", "c"));
            assertEquals(2, jedis.exists("a", "b", "c"));
            assertEquals(Set.of("a", "b"), Set.copyOf(jedis.keys("[ab]")));
            assertEquals(2, jedis.del("a", "b", "c"));
            assertEquals(2, jedis.dbSize());
            assertEquals(-1, jedis.ttl("n"));
            assertEquals(-2, jedis.ttl("nope"));
            assertEquals(1, jedis.expire("n", 100));
            assertTrue(jedis.ttl("n") > 90);
            assertEquals(1, jedis.persist("n"));
            assertTrue(jedis.info().contains("keyspace"), "INFO has a keyspace section");
            assertEquals("OK", jedis.flushAll());
            assertEquals(0, jedis.dbSize());
            JedisDataException unknown = assertThrows(JedisDataException.class, () -> jedis.sendCommand(() -> "NOSUCH".getBytes()));
            assertTrue(unknown.getMessage().startsWith("ERR unknown command"), unknown.getMessage());
        } finally {
            run.stop();
        }
    }

    @Test
    void pipeliningAndLargeBinaryValues() throws Exception {
        ServedRun run = serve(null);
        try (Jedis jedis = client(run)) {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 2000; i++) {
                p.set("key:" + i, "value:" + i);
            }
            Response<String> last = p.get("key:1999");
            p.sync();
            assertEquals("value:1999", last.get());
            assertEquals(2000, jedis.dbSize());

            byte[] big = new byte[1 << 20];
            new SplittableRandom(5).nextBytes(big);
            byte[] key = {0, 1, 2, (byte) 0xff, '\r', '\n'};
            assertEquals("OK", jedis.set(key, big));
            assertArrayEquals(big, jedis.get(key));
        } finally {
            run.stop();
        }
    }

    @Test
    void keysExpireOnTheGuestClockWithoutBeingTouched() throws Exception {
        ServedRun run = serve(null);
        try (Jedis jedis = client(run)) {
            jedis.set("short", "lived", SetParams.setParams().px(150));
            jedis.set("stays", "here");
            assertEquals(2, jedis.dbSize());
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (jedis.dbSize() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, jedis.dbSize(), "the expired key is gone without a GET touching it");
            assertNull(jedis.get("short"));
        } finally {
            run.stop();
        }
    }

    @Test
    void acknowledgedWritesSurviveARestartAndARecordingReplaysExactly() throws Exception {
        Path log = dir.resolve("kv.log");
        ServedRun first = serve(log);
        try (Jedis jedis = client(first)) {
            for (int i = 0; i < 300; i++) {
                jedis.set("k" + i, "v" + i);
            }
            jedis.del("k0");
            jedis.incrBy("counter", 42);
        }
        ServedRun.Result recorded = first.stop();

        OfflineRun.Outcome replayed = new OfflineRun(KV, QUIET).replay(List.of(dir.resolve("replica.img")), log, null, null);
        assertArrayEquals(recorded.stateHash(), replayed.stateHash(), "replay reaches the recorded state");

        ServedRun second = serve(null); // cold boot from the same disk image
        try (Jedis jedis = client(second)) {
            assertEquals(300, jedis.dbSize());
            assertFalse(jedis.exists("k0"));
            assertEquals("v299", jedis.get("k299"));
            assertEquals("42", jedis.get("counter"));
        } finally {
            second.stop();
        }
    }
}
