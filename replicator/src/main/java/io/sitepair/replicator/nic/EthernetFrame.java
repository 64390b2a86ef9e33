package io.sitepair.replicator.nic;

import java.util.Arrays;

/** An Ethernet II frame without its frame check sequence, as the guest's NIC sends and receives it. */
public record EthernetFrame(long destination, long source, int etherType, byte[] payload) {
    public static final int HEADER = 14;
    public static final int ARP = 0x0806;
    public static final int IPV4 = 0x0800;

    public byte[] encode() {
        byte[] frame = new byte[HEADER + payload.length];
        putMac(frame, 0, destination);
        putMac(frame, 6, source);
        frame[12] = (byte) (etherType >>> 8);
        frame[13] = (byte) etherType;
        System.arraycopy(payload, 0, frame, HEADER, payload.length);
        return frame;
    }

    /** Any frame of at least a header parses; the payload keeps whatever padding followed. */
    public static EthernetFrame parse(byte[] frame) {
        if (frame.length < HEADER) {
            throw new MalformedFrameException("Ethernet frame of " + frame.length + " bytes, shorter than its header");
        }
        return new EthernetFrame(mac(frame, 0), mac(frame, 6), (frame[12] & 0xff) << 8 | (frame[13] & 0xff),
                Arrays.copyOfRange(frame, HEADER, frame.length));
    }

    static void putMac(byte[] bytes, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            bytes[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    static long mac(byte[] bytes, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (bytes[at + i] & 0xff);
        }
        return mac;
    }
}
