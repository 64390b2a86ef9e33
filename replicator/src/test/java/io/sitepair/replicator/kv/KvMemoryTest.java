package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.vm.GuestVm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running out of guest memory is an -OOM reply, never a trap; reads go on. */
class KvMemoryTest {
    @TempDir
    Path dir;

    @Test
    void outOfMemoryIsAnErrorReplyAndTheStoreKeepsServing() throws Exception {
        KvServer kv = KvServer.boot(dir.resolve("kv.img"), 32L << 20, 8L << 20);
        String chunk = "m".repeat(256 << 10);
        int stored = 0;
        String reply;
        while ((reply = kv.cmd("SET", "k" + stored, chunk)).equals("+OK\r\n")) {
            stored++;
            assertTrue(stored < 40, "8 MiB of memory never ran out");
        }
        assertTrue(reply.startsWith("-OOM "), reply);
        assertTrue(stored >= 10, "stored " + stored);
        assertEquals(GuestVm.Status.RUNNING, kv.status());
        assertEquals(":" + chunk.length() + "\r\n", kv.cmd("STRLEN", "k0"));
        assertEquals("+PONG\r\n", kv.cmd("PING"));
        assertEquals(":" + stored + "\r\n", kv.cmd("DBSIZE"));
        // Freeing memory makes room again.
        assertEquals(":2\r\n", kv.cmd("DEL", "k0", "k1"));
        assertEquals("+OK\r\n", kv.cmd("SET", "again", chunk));

        // Rebooted with less memory than the data set needs: the store refuses key access (a partial
        // data set would give wrong answers) but stays up and says why.
        kv = kv.restart(4L << 20);
        assertEquals(GuestVm.Status.RUNNING, kv.status());
        assertTrue(kv.cmd("SET", "x", "1").startsWith("-OOM "), "writes refused: recovery was incomplete");
        assertTrue(kv.cmd("GET", "again").startsWith("-OOM "), "reads refused too");
        assertTrue(kv.cmd("DBSIZE").startsWith("-OOM "));
        assertTrue(kv.info("kv_disk_status").startsWith("OOM"), kv.info("kv_disk_status"));
        assertEquals("+PONG\r\n", kv.cmd("PING"));

        // With enough memory again, everything is back: the refused boot wrote nothing that lost data.
        kv = kv.restart(64L << 20);
        assertEquals(":" + (stored - 1) + "\r\n", kv.cmd("DBSIZE"));
        assertEquals(":" + chunk.length() + "\r\n", kv.cmd("STRLEN", "again"));
        kv.close();
    }
}
