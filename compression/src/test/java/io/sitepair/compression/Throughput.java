package io.sitepair.compression;

import java.util.ArrayList;
import java.util.List;

/**
 * Manual throughput check (not a test): encode and decode MB/s for 64 KiB batches.
 * Run with the test classpath: {@code java -cp ... io.sitepair.compression.Throughput}.
 */
public final class Throughput {
    private static final int BATCH = 64 << 10;

    public static void main(String[] args) {
        run("log-like", batches(true));
        run("random  ", batches(false));
    }

    private static List<byte[]> batches(boolean compressible) {
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            list.add(compressible ? TestData.logLike(BATCH, i) : TestData.random(BATCH, i));
        }
        return list;
    }

    private static void run(String name, List<byte[]> batches) {
        BlockCodec encoder = new BlockCodec();
        BlockCodec decoder = new BlockCodec();
        byte[] frame = new byte[encoder.maxFrameSize(BATCH)];
        byte[] raw = new byte[BATCH];
        for (int round = 0; round < 2; round++) { // the first round warms up the JIT
            long encNanos = 0, decNanos = 0, bytes = 0;
            long end = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < end) {
                for (byte[] b : batches) {
                    long t0 = System.nanoTime();
                    int n = encoder.encode(b, 0, b.length, frame, 0);
                    long t1 = System.nanoTime();
                    decoder.decode(frame, 0, n, raw, 0);
                    decNanos += System.nanoTime() - t1;
                    encNanos += t1 - t0;
                    bytes += b.length;
                }
            }
            if (round == 1) {
                CodecStats s = encoder.stats();
                System.out.printf("%s 64 KiB batches: encode %6.0f MB/s, decode %6.0f MB/s (raw bytes),"
                                + " ratio %.2f, LZ4 attempts %d of %d frames%n",
                        name, bytes * 1e3 / encNanos, bytes * 1e3 / decNanos, s.ratio(),
                        s.lz4Attempts(), s.framesCompressed() + s.framesStored());
            }
        }
    }
}
