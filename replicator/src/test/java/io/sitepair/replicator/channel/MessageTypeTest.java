package io.sitepair.replicator.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire format is the protocol: every message type encodes to the bytes it always had, and decodes back. */
class MessageTypeTest {
    private static final List<Lineage.Entry> LINEAGE = List.of(new Lineage.Entry(1, 0, "a"), new Lineage.Entry(6, 40, "b"));

    private static final List<ChannelMessage> SAMPLES = List.of(
            new ChannelMessage.Hello(3, "lab", "a", 7, new byte[] {1, 2}, "amd64", List.of(16384L, 8L), true, 42,
                    new byte[] {9, 9, 9}),
            new ChannelMessage.Welcome("b", 7, 42, 100, true, LINEAGE, 99, new Stamp(6, 50), new byte[] {5}, new byte[] {6, 7}),
            new ChannelMessage.Welcome("b", 7, 0, 0, false, List.of(), 0, null, new byte[] {5}, new byte[0]),
            new ChannelMessage.Proof(new byte[] {1, 2, 3}),
            new ChannelMessage.Refused("no, thank you"),
            new ChannelMessage.Entries(5, 9, new byte[] {1, 2, 3, 4}),
            new ChannelMessage.Ack(7, 100, 90),
            new ChannelMessage.Diverged(77, "replay diverged"),
            new ChannelMessage.CopyBlocks(1, new BlockRuns(new long[] {3, 100}, new int[] {2, 1}), new byte[] {8, 8}),
            new ChannelMessage.CopyState(new byte[] {4, 3, 2, 1}),
            new ChannelMessage.CopyDone(500, 12, 4096, new byte[] {7, 7}, LINEAGE),
            new ChannelMessage.ResyncFrom(6, 50, true),
            new ChannelMessage.WrittenBlocks(0, new byte[] {(byte) 0xff, 1}),
            new ChannelMessage.VerifyReport(300, 1000, 2, new long[] {ChannelMessage.VerifyReport.block(1, 5), 6}),
            new ChannelMessage.CopyPlan(0, 6, 50, new byte[] {3}),
            new ChannelMessage.ZeroBlocks(2, new BlockRuns(new long[] {0}, new int[] {256})));

    /** The samples' encodings as the protocol has them (unchanged since version 3) (code, then body). */
    private static final List<String> WIRE = List.of(
            "010000000300036c61620001610000000000000007000201020005616d64363400020000000000004000000000000000000801000000000000002a0003090909",
            "020001620000000000000007000000000000002a000000000000006401000200000000000000010000000000000000000161000000000000000600000000000000280001620000000000000063010000000000000006000000000000003200010500020607",
            "020001620000000000000007000000000000000000000000000000000000000000000000000000000001050000",
            "030003010203",
            "04000d6e6f2c207468616e6b20796f75",
            "050000000000000005000000000000000901020304",
            "0600000000000000070000000000000064000000000000005a",
            "07000000000000004d000f7265706c6179206469766572676564",
            "08000100020000000000000003000000020000000000000064000000010808",
            "0904030201",
            "0a00000000000001f4000000000000000c00000000000010000002070700020000000000000001000000000000000000016100000000000000060000000000000028000162",
            "0b0000000000000006000000000000003201",
            "0c0000ff01",
            "0d000000000000012c00000000000003e800000000000000020000000200010000000000050000000000000006",
            "0e00000000000000000006000000000000003203",
            "0f00020001000000000000000000000100");

    @Test
    void everyMessageTypeEncodesAsItAlwaysDidAndDecodesBack() {
        assertEquals(WIRE.size(), SAMPLES.size());
        for (int i = 0; i < SAMPLES.size(); i++) {
            ChannelMessage message = SAMPLES.get(i);
            ByteBuf buf = Unpooled.buffer();
            MessageType.encode(message, buf);
            assertEquals(WIRE.get(i), ByteBufUtil.hexDump(buf), message.getClass().getSimpleName());
            ChannelMessage decoded = MessageType.decode(buf);
            assertEquals(message.getClass(), decoded.getClass());
            ByteBuf again = Unpooled.buffer();
            MessageType.encode(decoded, again);
            assertEquals(WIRE.get(i), ByteBufUtil.hexDump(again), "decoded " + message.getClass().getSimpleName());
        }
        assertEquals(Arrays.stream(MessageType.values()).map(MessageType::code).distinct().count(),
                MessageType.values().length, "no code is used twice");
    }

    @Test
    void unknownEmptyTruncatedAndOverlongMessagesAreMalformed() {
        assertMalformed("unknown message type 99", 99);
        assertMalformed("empty message");
        assertMalformed("message type 6 is shorter than its fields", 6, 0, 0);
        assertMalformed("1 trailing bytes after message type 3", 3, 0, 1, 1, 1);
    }

    private static void assertMalformed(String why, int... bytes) {
        ByteBuf buf = Unpooled.buffer();
        for (int b : bytes) {
            buf.writeByte(b);
        }
        var e = assertThrows(ChannelMessage.MalformedMessage.class, () -> MessageType.decode(buf));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
