package io.sitepair.replicator.nic;

import java.nio.ByteBuffer;

/** An ARP packet for IPv4 over Ethernet (RFC 826). */
public record ArpPacket(int operation, long senderMac, int senderAddress, long targetMac, int targetAddress) {
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    public static final int LENGTH = 28;

    public byte[] encode() {
        byte[] packet = new byte[LENGTH];
        ByteBuffer.wrap(packet).putShort((short) 1).putShort((short) EthernetFrame.IPV4).put((byte) 6).put((byte) 4)
                .putShort((short) operation);
        EthernetFrame.putMac(packet, 8, senderMac);
        ByteBuffer.wrap(packet).putInt(14, senderAddress).putInt(24, targetAddress);
        EthernetFrame.putMac(packet, 18, targetMac);
        return packet;
    }

    public static ArpPacket parse(byte[] packet) {
        if (packet.length < LENGTH) {
            throw new MalformedFrameException("ARP packet of " + packet.length + " bytes, shorter than " + LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(packet);
        if (in.getShort(0) != 1 || in.getShort(2) != EthernetFrame.IPV4 || packet[4] != 6 || packet[5] != 4) {
            throw new MalformedFrameException("ARP packet is not IPv4 over Ethernet");
        }
        return new ArpPacket(in.getShort(6) & 0xffff, EthernetFrame.mac(packet, 8), in.getInt(14),
                EthernetFrame.mac(packet, 18), in.getInt(24));
    }
}
