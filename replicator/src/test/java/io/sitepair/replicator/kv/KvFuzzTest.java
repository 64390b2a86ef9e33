package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.vm.GuestVm;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage in never halts the VM: random bytes and mutated requests, in random slices, get only
 * well-formed RESP replies (errors allowed). Whatever the garbage wrote survives a restart intact.
 */
class KvFuzzTest {
    static final String[][] SEEDS = {
        {"SET", "k", "v"}, {"SET", "k", "v", "EX", "10", "NX"}, {"GET", "k"}, {"MSET", "a", "1", "b", "2"},
        {"MGET", "a", "b", "k"}, {"INCR", "n"}, {"INCRBY", "n", "-7"}, {"APPEND", "s", "xyz"}, {"DEL", "a", "k"},
        {"EXPIRE", "b", "100", "GT"}, {"PEXPIRE", "s", "5"}, {"TTL", "b"}, {"KEYS", "*[a-z]?"}, {"INFO"},
        {"CONFIG", "GET", "*"}, {"COMMAND", "INFO", "get"}, {"PING", "x"}, {"ECHO", "e"}, {"SELECT", "0"},
        {"GETSET", "k", "w"}, {"STRLEN", "s"}, {"PERSIST", "b"}, {"DBSIZE"}, {"EXISTS", "a", "b"},
        {"SETEX", "t", "5", "v"}, {"GETDEL", "t"}, {"CLIENT", "SETNAME", "fuzz"},
    };

    @TempDir
    Path dir;

    static byte[] mutate(byte[] in, SplittableRandom r) {
        byte[] b = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] = (byte) "*$\r\n0123456789-+ \"'\\"
                        .charAt(r.nextInt(19));
                case 2 -> { // delete a run
                    int n = Math.min(b.length - at, 1 + r.nextInt(8));
                    byte[] c = new byte[b.length - n];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + n, c, at, b.length - at - n);
                    b = c;
                }
                case 3 -> { // duplicate a run
                    int n = Math.min(b.length - at, 1 + r.nextInt(16));
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(b, 0, at + n);
                    o.write(b, at, b.length - at);
                    b = o.toByteArray();
                }
                case 4 -> { // a big number where a length was
                    String big = List.of("99999999999", "-2", "16777216", "1048577", "0", "2147483648")
                            .get(r.nextInt(6));
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(b, 0, at);
                    o.writeBytes(big.getBytes());
                    o.write(b, at, b.length - at);
                    b = o.toByteArray();
                }
                default -> b = java.util.Arrays.copyOf(b, at); // truncate
            }
        }
        return b;
    }

    @Test
    void garbageNeverHaltsTheVmAndRepliesStayWellFormed() throws Exception {
        SplittableRandom r = new SplittableRandom(20240601);
        KvServer kv = KvServer.boot(dir.resolve("kv.img"), 16L << 20);
        int[] cases = {0};
        long[] replies = {0, 0}; // all, errors
        KvServer.onVm(() -> {
            for (int c = 0; c < 6000; c++) {
                byte[] input;
                if (c % 3 == 0) {
                    input = new byte[1 + r.nextInt(c % 30 == 0 ? 70_000 : 300)];
                    r.nextBytes(input);
                    if (r.nextBoolean()) {
                        input[0] = (byte) (r.nextBoolean() ? '*' : '$');
                    }
                } else {
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    for (int n = 1 + r.nextInt(4); n > 0; n--) {
                        String[] seed = SEEDS[r.nextInt(SEEDS.length)];
                        byte[] req = r.nextInt(4) == 0 ? KvServer.bytes(String.join(" ", seed) + "\r\n")
                                : Resp.command(seed);
                        o.writeBytes(r.nextBoolean() ? req : mutate(req, r));
                    }
                    input = o.toByteArray();
                }
                int conn = kv.open();
                // Deliver in random slices.
                for (int at = 0; at < input.length && kv.isOpen(conn);) {
                    int n = Math.min(input.length - at, 1 + r.nextInt(Math.min(input.length, 65536)));
                    kv.send(conn, java.util.Arrays.copyOfRange(input, at, at + n));
                    at += n;
                }
                byte[] out = kv.take(conn);
                if (kv.status() != GuestVm.Status.RUNNING) {
                    throw new AssertionError("halted on case " + c + ": " + kv.vm().haltCause());
                }
                try {
                    for (Object reply : Resp.parseAll(out)) {
                        replies[0]++;
                        replies[1] += reply instanceof Resp.Error ? 1 : 0;
                        if (reply instanceof Resp.Error e && e.message().contains("\n")) {
                            throw new AssertionError("newline in error " + e.message());
                        }
                    }
                } catch (IllegalArgumentException e) {
                    throw new AssertionError("case " + c + ": malformed reply " + Resp.text(out) + " to "
                            + Resp.text(input), e);
                }
                if (kv.isOpen(conn)) {
                    kv.hangUp(conn);
                }
                if (c % 500 == 0) {
                    kv.advanceMillis(7); // let deadlines pass now and then
                }
                cases[0]++;
            }
            return null;
        });
        assertEquals(6000, cases[0]);
        assertTrue(replies[0] > 8000 && replies[1] > 2000 && replies[0] - replies[1] > 3000,
                "a mix of good and bad requests: " + replies[0] + " replies, " + replies[1] + " errors");
        assertEquals(GuestVm.Status.RUNNING, kv.status());
        assertEquals("+PONG\r\n", kv.cmd("PING"));

        Map<String, String> before = dump(kv);
        assertTrue(before.size() >= 3, "the fuzzing wrote keys: " + before);
        KvServer restarted = kv.restart();
        assertEquals(before, dump(restarted));
        assertEquals(0, restarted.infoLong("kv_corrupt_records"));
        restarted.close();
    }

    /** Every key with its value and deadline. */
    static Map<String, String> dump(KvServer kv) throws Exception {
        Map<String, String> all = new TreeMap<>();
        List<Object> keys = new ArrayList<>((List<?>) Resp.parseOne(KvServer.bytes(kv.cmd("KEYS", "*"))));
        for (Object k : keys) {
            String key = Resp.text((byte[]) k);
            int conn = kv.open();
            byte[] value = kv.callBytes(conn, KvServer.bytes("GET"), (byte[]) k);
            byte[] ttl = kv.callBytes(conn, KvServer.bytes("PTTL"), (byte[]) k);
            kv.hangUp(conn);
            all.put(key, Resp.text(value) + " " + Resp.text(ttl));
        }
        return all;
    }
}
