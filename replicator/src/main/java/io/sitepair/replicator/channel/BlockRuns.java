package io.sitepair.replicator.channel;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Runs of blocks of one disk, ascending and apart: run {@code i} is blocks {@code firsts[i]} to
 * {@code firsts[i] + counts[i] - 1}. One copy message carries many runs, so a resync of scattered
 * 4 KiB blocks does not pay a message per block. Wire: u16 run count, then per run u64 first, u32 count.
 */
public record BlockRuns(long[] firsts, int[] counts) {
    /** Blocks one message carries at most: 1 MiB. */
    public static final int MAX_BLOCKS = 256;

    public int total() {
        return Arrays.stream(counts).sum();
    }

    public int size() {
        return firsts.length;
    }

    void write(ByteBuf out) {
        out.writeShort(firsts.length);
        for (int i = 0; i < firsts.length; i++) {
            out.writeLong(firsts[i]).writeInt(counts[i]);
        }
    }

    /** Reads runs, refusing any that are empty, overlapping, out of order or over {@link #MAX_BLOCKS} in all. */
    static BlockRuns read(ByteBuf in) {
        int n = in.readUnsignedShort();
        if (n == 0 || n > MAX_BLOCKS) {
            throw new ChannelMessage.MalformedMessage(n + " block runs in one message (1 to " + MAX_BLOCKS + ")");
        }
        long[] firsts = new long[n];
        int[] counts = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            firsts[i] = in.readLong();
            counts[i] = in.readInt();
            total += counts[i];
            if (counts[i] < 1 || firsts[i] < 0 || (i > 0 && firsts[i] <= firsts[i - 1] + counts[i - 1])
                    || total > MAX_BLOCKS) {
                throw new ChannelMessage.MalformedMessage("block run " + i + " (" + firsts[i] + "+" + counts[i]
                        + ") is empty, out of order, touching the previous one or over " + MAX_BLOCKS + " blocks");
            }
        }
        return new BlockRuns(firsts, counts);
    }

    /** Collects runs in ascending order, joining touching ones. */
    public static final class Builder {
        private long[] firsts = new long[16];
        private int[] counts = new int[16];
        private int size;
        private int total;

        public void add(long first, int count) {
            if (size > 0 && firsts[size - 1] + counts[size - 1] == first) {
                counts[size - 1] += count;
            } else {
                if (size == firsts.length) {
                    firsts = Arrays.copyOf(firsts, size * 2);
                    counts = Arrays.copyOf(counts, size * 2);
                }
                firsts[size] = first;
                counts[size] = count;
                size++;
            }
            total += count;
        }

        public int total() {
            return total;
        }

        public boolean isEmpty() {
            return size == 0;
        }

        public BlockRuns build() {
            return new BlockRuns(Arrays.copyOf(firsts, size), Arrays.copyOf(counts, size));
        }
    }
}
