package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deadlines run on the host's clock and timers: lazy on access, active through the expiry timer. */
class KvExpiryTest {
    @TempDir
    Path dir;

    KvServer kv;

    @AfterEach
    void shutdown() throws Exception {
        kv.close();
    }

    @Test
    void aKeyExpiresExactlyAfterItsDeadlineOnAccess() throws Exception {
        kv = KvServer.boot(dir.resolve("kv.img"), 1L << 20);
        assertEquals("+OK\r\n", kv.cmd("SET", "k", "v", "PX", "100"));
        kv.clock.addAndGet(100_000_000L); // no timers fired: only lazy expiry can act
        assertEquals(":0\r\n", kv.cmd("PTTL", "k"));
        assertEquals("$1\r\nv\r\n", kv.cmd("GET", "k"));
        kv.clock.addAndGet(1_000_000L);
        assertEquals("$-1\r\n", kv.cmd("GET", "k"));
        assertEquals(":-2\r\n", kv.cmd("TTL", "k"));
        assertEquals(1, kv.infoLong("expired_keys"));
    }

    @Test
    void theTimerIsArmedAtTheNearestDeadline() throws Exception {
        kv = KvServer.boot(dir.resolve("kv.img"), 1L << 20);
        assertEquals(0, kv.vm().hostState().armedTimers());
        assertEquals("+OK\r\n", kv.cmd("SET", "late", "v", "PX", "900"));
        assertEquals("+OK\r\n", kv.cmd("SET", "soon", "v", "PX", "500"));
        long now = kv.clock.get();
        assertEquals(1, kv.vm().hostState().armedTimers());
        assertTrue(kv.vm().hostState().dueTimer(now + 500_000_000L).isEmpty());
        assertTrue(kv.vm().hostState().dueTimer(now + 501_000_000L).isPresent());
        kv.advanceMillis(501);
        assertEquals(":1\r\n", kv.cmd("DBSIZE"));
        assertEquals(1, kv.infoLong("expired_keys"));
        kv.advanceMillis(400);
        assertEquals(":0\r\n", kv.cmd("DBSIZE"));
        assertEquals(0, kv.vm().hostState().armedTimers(), "nothing left to expire: no timer");
        assertEquals("+OK\r\n", kv.cmd("SET", "k", "v", "EX", "10"));
        assertEquals(":1\r\n", kv.cmd("PERSIST", "k"));
        assertEquals(0, kv.vm().hostState().armedTimers(), "the only deadline was removed");
    }

    @Test
    void activeExpiryEmptiesTheKeyspaceWithoutClients() throws Exception {
        kv = KvServer.boot(dir.resolve("kv.img"), 4L << 20);
        SplittableRandom r = new SplittableRandom(3);
        int conn = kv.open();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 2000; i++) {
            batch.writeBytes(Resp.command("SET", "k" + i, "v", "PX", Integer.toString(1 + r.nextInt(5000))));
        }
        batch.writeBytes(Resp.command("SET", "forever", "v"));
        kv.send(conn, batch.toByteArray());
        assertEquals(2001, Resp.parseAll(kv.take(conn)).size());
        assertEquals("db0:keys=2001,expires=2000,avg_ttl=0", Resp.bulkText(kv.cmd("INFO", "keyspace")).split("\r\n")[1]);
        long previous = 2001;
        for (int step = 0; step < 26; step++) {
            kv.advanceMillis(200);
            long size = Long.parseLong(kv.cmd("DBSIZE").substring(1).trim());
            assertTrue(size <= previous, "DBSIZE never grows");
            previous = size;
        }
        assertEquals(":1\r\n", kv.cmd("DBSIZE"));
        assertEquals(2000, kv.infoLong("expired_keys"));
        assertEquals(0, kv.vm().hostState().armedTimers());
    }

    @Test
    void deadlinesAreAbsoluteAcrossRestarts() throws Exception {
        kv = KvServer.boot(dir.resolve("kv.img"), 1L << 20);
        assertEquals("+OK\r\n", kv.cmd("SET", "k", "v", "EX", "10"));
        assertEquals("+OK\r\n", kv.cmd("SET", "j", "v", "EX", "20"));
        kv.clock.addAndGet(5_000_000_000L);
        kv = kv.restart();
        assertEquals(":5\r\n", kv.cmd("TTL", "k"));
        assertEquals(1, kv.vm().hostState().armedTimers(), "the boot re-arms the expiry timer");
        kv.advanceMillis(5001);
        assertEquals(":1\r\n", kv.cmd("DBSIZE"));
        kv.clock.addAndGet(30_000_000_000L);
        kv = kv.restart();
        assertEquals(":0\r\n", kv.cmd("DBSIZE"));
    }
}
