package io.sitepair.replicator.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Copy messages carry runs of scattered blocks; a peer's malformed runs are refused before any write. */
class BlockRunsTest {
    private static ChannelMessage roundTrip(ChannelMessage message) {
        ByteBuf buf = Unpooled.buffer();
        MessageType.encode(message, buf);
        return MessageType.decode(buf);
    }

    @Test
    void touchingRunsJoinAndScatteredRunsTravelInOneMessage() {
        BlockRuns.Builder builder = new BlockRuns.Builder();
        builder.add(3, 1);
        builder.add(4, 2); // touches the first: one run 3..5
        builder.add(100, 1);
        builder.add(7000, 4);
        BlockRuns runs = builder.build();
        assertArrayEquals(new long[] {3, 100, 7000}, runs.firsts());
        assertArrayEquals(new int[] {3, 1, 4}, runs.counts());
        assertEquals(8, runs.total());

        var copy = (ChannelMessage.CopyBlocks) roundTrip(new ChannelMessage.CopyBlocks(1, runs, new byte[] {9, 8}));
        assertEquals(1, copy.disk());
        assertArrayEquals(runs.firsts(), copy.runs().firsts());
        assertArrayEquals(runs.counts(), copy.runs().counts());
        assertArrayEquals(new byte[] {9, 8}, copy.frame());
        var zeros = (ChannelMessage.ZeroBlocks) roundTrip(new ChannelMessage.ZeroBlocks(0, runs));
        assertArrayEquals(runs.counts(), zeros.runs().counts());
    }

    @Test
    void overlappingUnorderedEmptyOrOversizedRunsAreRefused() {
        assertRefused(new long[] {10, 12}, new int[] {4, 1}, "touching the previous one");  // 10..13 overlaps 12
        assertRefused(new long[] {10, 14}, new int[] {4, 1}, "touching the previous one");  // touching: should have been one run
        assertRefused(new long[] {50, 10}, new int[] {1, 1}, "out of order");
        assertRefused(new long[] {5}, new int[] {0}, "empty");
        assertRefused(new long[] {0, 1000}, new int[] {200, 100}, "over 256 blocks");
        assertRefused(new long[] {}, new int[] {}, "0 block runs");
    }

    private static void assertRefused(long[] firsts, int[] counts, String why) {
        var message = new ChannelMessage.ZeroBlocks(0, new BlockRuns(firsts, counts));
        var e = assertThrows(ChannelMessage.MalformedMessage.class, () -> roundTrip(message));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
