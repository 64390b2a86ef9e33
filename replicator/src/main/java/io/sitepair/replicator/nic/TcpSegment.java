package io.sitepair.replicator.nic;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A TCP segment (RFC 9293): ports, sequence and acknowledgment numbers (as unsigned 32-bit values
 * in ints), flags, the raw 16-bit window, raw option bytes (see {@link TcpOptions}; a multiple of
 * 4, at most 40) and payload.
 */
public record TcpSegment(int sourcePort, int destinationPort, int seq, int ack, int flags, int window, byte[] options,
                         byte[] payload) {
    public static final int HEADER = 20;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;

    public TcpSegment {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("TCP options of " + options.length + " bytes (a multiple of 4, at most 40)");
        }
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: its payload, plus one each for SYN and FIN. */
    public int length() {
        return payload.length + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    /** The segment with its checksum over the IPv4 pseudo-header from {@code source} to {@code destination}. */
    public byte[] encode(int source, int destination) {
        int header = HEADER + options.length;
        byte[] segment = new byte[header + payload.length];
        ByteBuffer.wrap(segment).putShort((short) sourcePort).putShort((short) destinationPort).putInt(seq).putInt(ack)
                .put((byte) (header / 4 << 4)).put((byte) flags).putShort((short) window).putShort((short) 0)
                .putShort((short) 0).put(options).put(payload);
        int checksum = checksum(segment, source, destination);
        segment[16] = (byte) (checksum >>> 8);
        segment[17] = (byte) checksum;
        return segment;
    }

    /** Parses a segment that came from {@code source} to {@code destination}, checking its checksum and offsets. */
    public static TcpSegment parse(byte[] segment, int source, int destination) {
        if (segment.length < HEADER) {
            throw new MalformedFrameException("TCP segment of " + segment.length + " bytes, shorter than its header");
        }
        int header = (segment[12] & 0xff) >>> 4 << 2;
        if (header < HEADER || header > segment.length) {
            throw new MalformedFrameException("TCP data offset " + header + " outside 20.." + segment.length);
        }
        if (checksum(segment, source, destination) != 0) {
            throw new MalformedFrameException("TCP checksum is wrong");
        }
        ByteBuffer in = ByteBuffer.wrap(segment);
        return new TcpSegment(in.getShort(0) & 0xffff, in.getShort(2) & 0xffff, in.getInt(4), in.getInt(8),
                segment[13] & 0xff, in.getShort(14) & 0xffff, Arrays.copyOfRange(segment, HEADER, header),
                Arrays.copyOfRange(segment, header, segment.length));
    }

    static int checksum(byte[] segment, int source, int destination) {
        long sum = InternetChecksum.pseudoHeader(source, destination, Ipv4Packet.TCP, segment.length);
        return InternetChecksum.fold(InternetChecksum.add(sum, segment, 0, segment.length));
    }

    @Override
    public String toString() {
        StringBuilder f = new StringBuilder();
        String[] names = {"F", "S", "R", "P", ".", "U", "E", "C"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & 1 << i) != 0) {
                f.append(names[i]);
            }
        }
        return sourcePort + ">" + destinationPort + " [" + f + "] seq " + Integer.toUnsignedString(seq) + " ack "
                + Integer.toUnsignedString(ack) + " win " + window + " len " + payload.length;
    }
}
