package io.sitepair.replicator.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The UDP heartbeat each site sends its peer, the one wire message outside the logging channel:
 * {@code "SPHB", u8 version, pair, site (u16 length + UTF-8 each), u64 epoch, u64 sequence}, then
 * the first 16 bytes of an HMAC-SHA256 of all that under the pair's secret, so a stray or forged
 * datagram is ignored.
 *
 * <p>Version 2: a sender's sequence only rises, across restarts too (it follows the wall clock in
 * microseconds, see {@link HeartbeatLink}), so a receiver ignores a captured heartbeat replayed later
 * ({@link #follows}).
 */
record Heartbeat(String pair, String site, long epoch, long sequence) {
    private static final byte[] MAGIC = {'S', 'P', 'H', 'B'};
    private static final int VERSION = 2;
    private static final int MAC_BYTES = 16;

    ByteBuf encode(byte[] secret) {
        ByteBuf out = Unpooled.buffer(64);
        out.writeBytes(MAGIC).writeByte(VERSION);
        writeString(out, pair);
        writeString(out, site);
        out.writeLong(epoch).writeLong(sequence);
        out.writeBytes(Handshake.hmac(secret, out), 0, MAC_BYTES);
        return out;
    }

    /** The heartbeat in {@code in}, or null if it is malformed or not authenticated by {@code secret}. */
    static Heartbeat decode(ByteBuf in, byte[] secret) {
        try {
            int start = in.readerIndex();
            byte[] magic = new byte[MAGIC.length];
            in.readBytes(magic);
            if (!Arrays.equals(magic, MAGIC) || in.readUnsignedByte() != VERSION) {
                return null;
            }
            String pair = readString(in);
            String site = readString(in);
            long epoch = in.readLong();
            long sequence = in.readLong();
            byte[] expected = Arrays.copyOf(Handshake.hmac(secret, in.slice(start, in.readerIndex() - start)), MAC_BYTES);
            byte[] mac = new byte[MAC_BYTES];
            in.readBytes(mac);
            return MessageDigest.isEqual(expected, mac) && !in.isReadable() ? new Heartbeat(pair, site, epoch, sequence) : null;
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Whether this heartbeat is newer than {@code last}, the last one accepted from its sender (null: none). */
    boolean follows(Heartbeat last) {
        return last == null || epoch > last.epoch || (epoch == last.epoch && sequence > last.sequence);
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(bytes.length).writeBytes(bytes);
    }

    private static String readString(ByteBuf in) {
        int length = in.readUnsignedShort();
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
