package io.sitepair.replicator.nic;

/** A TCP segment in an IPv4 packet in an Ethernet frame: the unit a TCP client puts on the wire. */
public record TcpFrame(Station from, Station to, TcpSegment segment) {

    /** The frame as a host sends it: no IP options, don't fragment, TTL 64. */
    public byte[] encode() {
        return Frames.ipv4(from, to, Ipv4Packet.TCP, segment.encode(from.address(), to.address()));
    }

    /** The TCP frame in {@code frame}, or null if it carries something else; throws if its headers are bad. */
    public static TcpFrame parse(byte[] frame) {
        EthernetFrame ethernet = EthernetFrame.parse(frame);
        if (ethernet.etherType() != EthernetFrame.IPV4) {
            return null;
        }
        Ipv4Packet ip = Ipv4Packet.parse(ethernet.payload());
        if (ip.protocol() != Ipv4Packet.TCP) {
            return null;
        }
        if ((ip.fragment() & (Ipv4Packet.MORE_FRAGMENTS | 0x1fff)) != 0) {
            throw new MalformedFrameException("a fragment of a TCP segment");
        }
        return new TcpFrame(new Station(ethernet.source(), ip.source()), new Station(ethernet.destination(),
                ip.destination()), TcpSegment.parse(ip.payload(), ip.source(), ip.destination()));
    }
}
