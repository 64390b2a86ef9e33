package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Framing: pipelining, requests split anywhere, inline requests, protocol errors, large values. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvProtocolTest {
    KvServer kv;

    @BeforeAll
    void boot(@TempDir Path dir) throws Exception {
        kv = KvServer.boot(dir.resolve("kv.img"), 16L << 20);
    }

    @AfterAll
    void shutdown() throws Exception {
        kv.close();
    }

    @BeforeEach
    void empty() throws Exception {
        assertEquals("+OK\r\n", kv.cmd("FLUSHALL"));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void manyPipelinedCommandsInOneEvent() throws Exception {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            req.writeBytes(Resp.command("SET", "k" + i, "v" + i));
            want.append("+OK\r\n");
            req.writeBytes(Resp.command("INCR", "counter"));
            want.append(":").append(i + 1).append("\r\n");
            req.writeBytes(Resp.command("GET", "k" + (i / 2)));
            want.append("$").append(("v" + i / 2).length()).append("\r\nv").append(i / 2).append("\r\n");
        }
        req.writeBytes(KvServer.bytes("PING\r\n"));
        want.append("+PONG\r\n");
        int conn = kv.open();
        byte[] all = req.toByteArray();
        assertTrue(all.length < 64 << 10, "one data event");
        kv.send(conn, all);
        assertEquals(want.toString(), Resp.text(kv.take(conn)));
        assertEquals(":701\r\n", kv.cmd("DBSIZE"));
    }

    @Test
    void aRequestSplitAtEveryByteBoundaryGivesTheSameReplies() throws Exception {
        byte[] req = concat(Resp.command("SET", "key", "a\r\nvalue"), Resp.command("APPEND", "key", "!"),
                KvServer.bytes("GET key\r\n"), Resp.command("GET", "key"), KvServer.bytes("\r\n  PING  \n"),
                Resp.command("DEL", "key"));
        String want = "+OK\r\n:9\r\n$9\r\na\r\nvalue!\r\n$9\r\na\r\nvalue!\r\n+PONG\r\n:1\r\n";
        for (int cut = 0; cut <= req.length; cut++) {
            int conn = kv.open();
            if (cut > 0) {
                kv.send(conn, Arrays.copyOfRange(req, 0, cut));
            }
            if (cut < req.length) {
                kv.send(conn, Arrays.copyOfRange(req, cut, req.length));
            }
            assertEquals(want, Resp.text(kv.take(conn)), "cut at " + cut);
            kv.hangUp(conn);
        }
        // And one byte per event.
        int conn = kv.open();
        KvServer.onVm(() -> {
            for (byte b : req) {
                kv.send(conn, new byte[] {b});
            }
            return null;
        });
        assertEquals(want, Resp.text(kv.take(conn)));
    }

    @Test
    void inlineRequests() throws Exception {
        int conn = kv.open();
        kv.send(conn, KvServer.bytes("SET \"a b\" 'c d'\r\nGET \"a b\"\nECHO \"\\x41\\n\\\"\"\r\n\r\n\nECHO 'it\\'s'\r\n"));
        assertEquals("+OK\r\n$3\r\nc d\r\n$3\r\nA\n\"\r\n$4\r\nit's\r\n", Resp.text(kv.take(conn)));
        kv.send(conn, KvServer.bytes("ECHO x\"y z\"\r\n"));
        assertEquals("$4\r\nxy z\r\n", Resp.text(kv.take(conn)));
        kv.send(conn, KvServer.bytes("ECHO \"unterminated\r\n"));
        assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", Resp.text(kv.take(conn)));
        assertTrue(kv.closedByServer(conn));

        conn = kv.open();
        kv.send(conn, KvServer.bytes("ECHO \"a\"b\r\n"));
        assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", Resp.text(kv.take(conn)));
    }

    void protocolError(byte[] input, String expected) throws Exception {
        int conn = kv.open();
        kv.send(conn, input);
        assertEquals(expected, Resp.text(kv.take(conn)), Resp.text(input));
        assertTrue(kv.closedByServer(conn), "closed after a protocol error");
        assertFalse(kv.isOpen(conn));
    }

    @Test
    void protocolErrorsAreRepliedAndTheConnectionClosed() throws Exception {
        protocolError(KvServer.bytes("*abc\r\n"), "-ERR Protocol error: invalid multibulk length\r\n");
        protocolError(KvServer.bytes("*2000000\r\n"), "-ERR Protocol error: invalid multibulk length\r\n");
        protocolError(KvServer.bytes("*1\r\n+foo\r\n"), "-ERR Protocol error: expected '$', got '+'\r\n");
        protocolError(KvServer.bytes("*1\r\n$abc\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
        protocolError(KvServer.bytes("*1\r\n$-1\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
        protocolError(KvServer.bytes("*1\r\n$16777217\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
        protocolError(KvServer.bytes("*1" + "1".repeat(70_000)), "-ERR Protocol error: too big mbulk count string\r\n");
        protocolError(KvServer.bytes("*1\r\n$" + "1".repeat(70_000)), "-ERR Protocol error: too big bulk count string\r\n");
        protocolError(KvServer.bytes("x".repeat(70_000)), "-ERR Protocol error: too big inline request\r\n");
        // Requests before the bad one run; nothing after it does.
        protocolError(concat(Resp.command("SET", "before", "1"), KvServer.bytes("*x\r\n"), Resp.command("SET", "after", "1")),
                "+OK\r\n-ERR Protocol error: invalid multibulk length\r\n");
        assertEquals(":1\r\n", kv.cmd("EXISTS", "before"));
        assertEquals(":0\r\n", kv.cmd("EXISTS", "after"));
        // Empty requests are skipped, as Redis does.
        int conn = kv.open();
        kv.send(conn, KvServer.bytes("*0\r\n*-1\r\nPING\r\n"));
        assertEquals("+PONG\r\n", Resp.text(kv.take(conn)));
        // QUIT in a pipeline: nothing after it runs.
        kv.send(conn, concat(Resp.command("PING"), Resp.command("QUIT"), Resp.command("SET", "late", "1")));
        assertEquals("+PONG\r\n+OK\r\n", Resp.text(kv.take(conn)));
        assertTrue(kv.closedByServer(conn));
        assertEquals(":0\r\n", kv.cmd("EXISTS", "late"));
    }

    @Test
    void binarySafeKeysAndMegabyteValues() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        byte[] key = {0, '\r', '\n', (byte) 0xff, ' ', '"'};
        byte[] big = new byte[1 << 20];
        r.nextBytes(big);
        int conn = kv.open();
        assertEquals("+OK\r\n", Resp.text(kv.callBytes(conn, KvServer.bytes("SET"), key, big)));
        byte[] got = kv.callBytes(conn, KvServer.bytes("GET"), key);
        assertArrayEquals(concat(KvServer.bytes("$" + big.length + "\r\n"), big, KvServer.bytes("\r\n")), got);
        assertEquals(":" + big.length + "\r\n", Resp.text(kv.callBytes(conn, KvServer.bytes("STRLEN"), key)));
        // Append another megabyte, then read both back in one pipelined event.
        byte[] more = new byte[1 << 20];
        r.nextBytes(more);
        assertEquals(":" + (2 << 20) + "\r\n", Resp.text(kv.callBytes(conn, KvServer.bytes("APPEND"), key, more)));
        kv.send(conn, concat(Resp.command(KvServer.bytes("GET"), key), Resp.command(KvServer.bytes("GET"), key)));
        List<Object> replies = Resp.parseAll(kv.take(conn));
        assertEquals(2, replies.size());
        assertArrayEquals(concat(big, more), (byte[]) replies.get(0));
        assertArrayEquals(concat(big, more), (byte[]) replies.get(1));
        // Survives a restart too.
        kv = kv.restart();
        conn = kv.open();
        assertArrayEquals(concat(big, more), (byte[]) Resp.parseOne(kv.callBytes(conn, KvServer.bytes("GET"), key)));
    }

    @Test
    void aRequestWithManyArgumentsAcrossEvents() throws Exception {
        String[] args = new String[100_001];
        args[0] = "EXISTS";
        for (int i = 1; i < args.length; i++) {
            args[i] = "k" + (i % 10);
        }
        assertEquals("+OK\r\n", kv.cmd("SET", "k3", "x"));
        byte[] req = Resp.command(args);
        assertTrue(req.length > 10 * (64 << 10), "spans many data events");
        int conn = kv.open();
        kv.send(conn, req);
        assertEquals(":10000\r\n", Resp.text(kv.take(conn)));
    }

    @Test
    void largeRepliesToPipelinedReadsArriveWholeAndInOrder() throws Exception {
        String value = "x".repeat(100_000);
        assertEquals("+OK\r\n", kv.cmd("SET", "big", value));
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            req.writeBytes(Resp.command("GET", "big"));
            req.writeBytes(Resp.command("INCR", "n"));
        }
        int conn = kv.open();
        kv.send(conn, req.toByteArray());
        List<Object> replies = Resp.parseAll(kv.take(conn));
        assertEquals(20, replies.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(value, Resp.text((byte[]) replies.get(2 * i)));
            assertEquals((long) i + 1, replies.get(2 * i + 1));
        }
    }
}
