package io.sitepair.replicator.nic;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An IPv4 packet (RFC 791). {@code fragment} is the 16-bit flags and fragment offset field
 * ({@link #DONT_FRAGMENT}, {@link #MORE_FRAGMENTS}, offset in 8-byte units in the low 13 bits);
 * {@code options} is the raw option bytes (a multiple of 4, at most 40).
 */
public record Ipv4Packet(int tos, int identification, int fragment, int ttl, int protocol, int source,
                         int destination, byte[] options, byte[] payload) {
    public static final int HEADER = 20;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int DONT_FRAGMENT = 0x4000;
    public static final int MORE_FRAGMENTS = 0x2000;

    /** A packet as a host sends one: no options, don't fragment, TTL 64. */
    public static Ipv4Packet of(int source, int destination, int protocol, byte[] payload) {
        return new Ipv4Packet(0, 0, DONT_FRAGMENT, 64, protocol, source, destination, new byte[0], payload);
    }

    public Ipv4Packet {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("IPv4 options of " + options.length + " bytes (a multiple of 4, at most 40)");
        }
    }

    public int headerLength() {
        return HEADER + options.length;
    }

    /** The packet with its header checksum computed. */
    public byte[] encode() {
        int header = headerLength();
        byte[] packet = new byte[header + payload.length];
        ByteBuffer.wrap(packet).put((byte) (0x40 | header / 4)).put((byte) tos).putShort((short) packet.length)
                .putShort((short) identification).putShort((short) fragment).put((byte) ttl).put((byte) protocol)
                .putShort((short) 0).putInt(source).putInt(destination).put(options).put(payload);
        int checksum = InternetChecksum.of(packet, 0, header);
        packet[10] = (byte) (checksum >>> 8);
        packet[11] = (byte) checksum;
        return packet;
    }

    /** Parses and checks the header (version, lengths, checksum); bytes past the total length (padding) are ignored. */
    public static Ipv4Packet parse(byte[] packet) {
        if (packet.length < HEADER) {
            throw new MalformedFrameException("IPv4 packet of " + packet.length + " bytes, shorter than its header");
        }
        ByteBuffer in = ByteBuffer.wrap(packet);
        int version = (packet[0] & 0xff) >>> 4;
        int header = (packet[0] & 0x0f) * 4;
        int total = in.getShort(2) & 0xffff;
        if (version != 4) {
            throw new MalformedFrameException("IP version " + version + ", not 4");
        }
        if (header < HEADER || header > total || total > packet.length) {
            throw new MalformedFrameException("IPv4 header length " + header + " and total length " + total
                    + " do not fit " + packet.length + " bytes");
        }
        if (InternetChecksum.of(packet, 0, header) != 0) {
            throw new MalformedFrameException("IPv4 header checksum 0x" + Integer.toHexString(in.getShort(10) & 0xffff)
                    + " is wrong");
        }
        return new Ipv4Packet(packet[1] & 0xff, in.getShort(4) & 0xffff, in.getShort(6) & 0xffff, packet[8] & 0xff,
                packet[9] & 0xff, in.getInt(12), in.getInt(16), Arrays.copyOfRange(packet, HEADER, header),
                Arrays.copyOfRange(packet, header, total));
    }
}
