package io.sitepair.compression;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/** Deterministic inputs: log-like records (compressible) and random bytes (not). */
final class TestData {
    private static final String[] TYPES = {"clock", "random", "net-recv", "timer", "disk-read"};

    private TestData() {}

    /** At least {@code length} bytes of log-like text records, cut to exactly {@code length}. */
    static byte[] logLike(int length, long seed) {
        Random rnd = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 128);
        long seq = rnd.nextInt(1_000_000);
        long nanos = 1_700_000_000_000_000_000L + rnd.nextInt(1_000_000);
        while (out.size() < length) {
            nanos += rnd.nextInt(50_000);
            String line = "entry seq=" + seq++ + " ts=" + nanos + " type=" + TYPES[rnd.nextInt(TYPES.length)]
                    + " vcpu=0 len=" + rnd.nextInt(1500) + " value=" + Integer.toHexString(rnd.nextInt(4096)) + "\n";
            out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, length);
    }

    static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }
}
