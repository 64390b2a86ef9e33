package io.sitepair.replicator.nic;

/** Whole Ethernet frames from one station to another, built the way a Linux host builds them. */
public final class Frames {
    private Frames() {}

    /** An IPv4 packet from {@code from} to {@code to}: no options, don't fragment, TTL 64. */
    public static byte[] ipv4(Station from, Station to, int protocol, byte[] payload) {
        byte[] packet = Ipv4Packet.of(from.address(), to.address(), protocol, payload).encode();
        return new EthernetFrame(to.mac(), from.mac(), EthernetFrame.IPV4, packet).encode();
    }

    /** Who has {@code target}? Broadcast, from {@code from}. */
    public static byte[] arpRequest(Station from, int target) {
        byte[] arp = new ArpPacket(ArpPacket.REQUEST, from.mac(), from.address(), 0, target).encode();
        return new EthernetFrame(Station.BROADCAST, from.mac(), EthernetFrame.ARP, arp).encode();
    }

    public static byte[] icmpEcho(Station from, Station to, IcmpEcho echo) {
        return ipv4(from, to, Ipv4Packet.ICMP, echo.encode());
    }
}
