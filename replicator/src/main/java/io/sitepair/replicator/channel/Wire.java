package io.sitepair.replicator.channel;

import io.netty.buffer.ByteBuf;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The field encodings the channel's messages share (big-endian): strings and byte strings as u16
 * length then bytes, lists as u16 count then items. Reads refuse a length beyond what remains.
 */
final class Wire {
    private Wire() {}

    static void writeString(ByteBuf out, String s) {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(ByteBuf in) {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    static void writeBytes(ByteBuf out, byte[] bytes) {
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    static byte[] readBytes(ByteBuf in) {
        int length = in.readUnsignedShort();
        if (length > in.readableBytes()) {
            throw new ChannelMessage.MalformedMessage("a field claims " + length + " bytes, only " + in.readableBytes()
                    + " remain");
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    /** Whatever remains of the message. */
    static byte[] rest(ByteBuf in) {
        byte[] bytes = new byte[in.readableBytes()];
        in.readBytes(bytes);
        return bytes;
    }

    static List<Long> readLongs(ByteBuf in) {
        int count = in.readUnsignedShort();
        if (count * 8L > in.readableBytes()) {
            throw new ChannelMessage.MalformedMessage("a list claims " + count + " entries, only "
                    + in.readableBytes() + " bytes remain");
        }
        List<Long> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(in.readLong());
        }
        return values;
    }

    static void writeLineage(ByteBuf out, List<Lineage.Entry> lineage) {
        out.writeShort(lineage.size());
        for (var e : lineage) {
            out.writeLong(e.epoch()).writeLong(e.start());
            writeString(out, e.primary());
        }
    }

    static List<Lineage.Entry> readLineage(ByteBuf in) {
        int count = in.readUnsignedShort();
        List<Lineage.Entry> entries = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            entries.add(new Lineage.Entry(in.readLong(), in.readLong(), readString(in)));
        }
        return entries;
    }

    /** An optional stamp: a flag, then epoch and position if set. */
    static void writeStamp(ByteBuf out, Stamp stamp) {
        out.writeBoolean(stamp != null);
        if (stamp != null) {
            out.writeLong(stamp.epoch()).writeLong(stamp.position());
        }
    }

    static Stamp readStamp(ByteBuf in) {
        return in.readBoolean() ? new Stamp(in.readLong(), in.readLong()) : null;
    }
}
