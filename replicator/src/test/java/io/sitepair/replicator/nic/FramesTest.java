package io.sitepair.replicator.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known answers: RFC 1071's worked checksum, and frames captured from Linux 6.x on a veth pair
 * (transmit checksum offload off, so the kernel computed every checksum): a client at 10.99.0.2
 * (02:00:00:00:00:02) talking to a server at 10.99.0.1 (02:00:00:00:00:01) on port 6379.
 */
class FramesTest {
    static final Station CLIENT = new Station(0x02_00_00_00_00_02L, 0x0a630002);
    static final Station SERVER = new Station(0x02_00_00_00_00_01L, 0x0a630001);

    static final String ARP_REQUEST = "ffffffffffff020000000002080600010800060400010200000000020a630002"
            + "0000000000000a630001";
    static final String ARP_REPLY = "020000000002020000000001080600010800060400020200000000010a630001"
            + "0200000000020a630002";
    static final String ECHO_REQUEST = "02000000000102000000000208004500002c663840004001bfd00a6300020a630001"
            + "0800f4e51234000173697465706169722d70696e672d3136";
    static final String ECHO_REPLY = "02000000000202000000000108004500002c82f700004001e3110a6300010a630002"
            + "0000fce51234000173697465706169722d70696e672d3136";
    /** MSS 1460, SACK permitted, timestamps, NOP, window scale 10. */
    static final String SYN = "02000000000102000000000208004500003cab79400040067a7a0a6300020a630001"
            + "ded218ebe993722500000000a002faf0ad770000020405b40402080a8474b2e0000000000103030a";
    static final String SYN_ACK = "02000000000202000000000108004500003c00004000400625f40a6300010a630002"
            + "18ebded2629add5ce9937226a012fe8879b70000020405b40402080ac9cc26538474b2e00103030a";
    /** "*1\r\n$4\r\nPING\r\n" with PSH. */
    static final String DATA = "020000000001020000000002080045000042ab7b400040067a720a6300020a630001"
            + "ded218ebe9937226629add5d8018003f92a500000101080a8474b2e1c9cc26532a310d0a24340d0a50494e470d0a";
    static final String FIN = "02000000000202000000000108004500003412274000400613d50a6300010a630002"
            + "18ebded2629add64e993723480110040a6b700000101080ac9cc26548474b2e1";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void theChecksumOfRfc1071sExample() {
        byte[] words = hex("0001f203f4f5f6f7");
        assertEquals(0x2_ddf0, InternetChecksum.add(0, words, 0, words.length), "the unfolded sum");
        assertEquals(0x220d, InternetChecksum.of(words, 0, words.length));
        assertEquals(0xffff - 0x0100, InternetChecksum.of(new byte[] {1}, 0, 1), "an odd byte is padded with zero");
    }

    @Test
    void arpFramesBuildAsLinuxSentThem() {
        assertArrayEquals(hex(ARP_REQUEST), Frames.arpRequest(CLIENT, SERVER.address()));
        ArpPacket reply = ArpPacket.parse(EthernetFrame.parse(hex(ARP_REPLY)).payload());
        assertEquals(new ArpPacket(ArpPacket.REPLY, SERVER.mac(), SERVER.address(), CLIENT.mac(), CLIENT.address()), reply);
        assertArrayEquals(hex(ARP_REPLY), new EthernetFrame(CLIENT.mac(), SERVER.mac(), EthernetFrame.ARP,
                reply.encode()).encode());
    }

    @Test
    void icmpEchoesRoundTripWithTheirChecksums() {
        for (String captured : new String[] {ECHO_REQUEST, ECHO_REPLY}) {
            EthernetFrame ethernet = EthernetFrame.parse(hex(captured));
            Ipv4Packet ip = Ipv4Packet.parse(ethernet.payload());
            IcmpEcho echo = IcmpEcho.parse(ip.payload());
            assertEquals(0x1234, echo.identifier());
            assertEquals("sitepair-ping-16", new String(echo.data(), StandardCharsets.US_ASCII));
            Ipv4Packet rebuilt = new Ipv4Packet(ip.tos(), ip.identification(), ip.fragment(), ip.ttl(), ip.protocol(),
                    ip.source(), ip.destination(), ip.options(), echo.encode());
            assertArrayEquals(hex(captured), new EthernetFrame(ethernet.destination(), ethernet.source(),
                    ethernet.etherType(), rebuilt.encode()).encode());
        }
        assertEquals(IcmpEcho.REPLY, IcmpEcho.parse(Ipv4Packet.parse(EthernetFrame.parse(hex(ECHO_REPLY)).payload())
                .payload()).type());
    }

    @Test
    void tcpSegmentsParseAndRebuildByteForByte() {
        for (String captured : new String[] {SYN, SYN_ACK, DATA, FIN}) {
            byte[] frame = hex(captured);
            TcpFrame tcp = TcpFrame.parse(frame);
            Ipv4Packet ip = Ipv4Packet.parse(EthernetFrame.parse(frame).payload());
            byte[] segment = tcp.segment().encode(ip.source(), ip.destination());
            Ipv4Packet rebuilt = new Ipv4Packet(ip.tos(), ip.identification(), ip.fragment(), ip.ttl(), ip.protocol(),
                    ip.source(), ip.destination(), ip.options(), segment);
            assertArrayEquals(frame, new EthernetFrame(tcp.to().mac(), tcp.from().mac(), EthernetFrame.IPV4,
                    rebuilt.encode()).encode(), captured);
        }
        TcpSegment syn = TcpFrame.parse(hex(SYN)).segment();
        assertEquals(TcpSegment.SYN, syn.flags());
        assertEquals(0xded2, syn.sourcePort());
        assertEquals(6379, syn.destinationPort());
        assertEquals(0xe9937225, syn.seq());
        assertEquals(new TcpOptions(1460, 10), TcpOptions.parse(syn.options()));
        TcpFrame data = TcpFrame.parse(hex(DATA));
        assertEquals(CLIENT, data.from());
        assertEquals(SERVER, data.to());
        assertEquals("*1\r\n$4\r\nPING\r\n", new String(data.segment().payload(), StandardCharsets.US_ASCII));
        assertEquals(TcpSegment.PSH | TcpSegment.ACK, data.segment().flags());
    }

    @Test
    void aTcpFrameWithoutIpIdentificationMatchesLinuxsSynAck() {
        TcpSegment synAck = TcpFrame.parse(hex(SYN_ACK)).segment();
        assertArrayEquals(hex(SYN_ACK), new TcpFrame(SERVER, CLIENT, synAck).encode(), "ID 0, DF, TTL 64: as Linux");
    }

    @Test
    void everySingleBitFlipInATcpSegmentFailsItsChecksum() {
        byte[] frame = hex(DATA);
        int tcpStart = EthernetFrame.HEADER + Ipv4Packet.HEADER;
        for (int bit = tcpStart * 8; bit < frame.length * 8; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(MalformedFrameException.class, () -> TcpFrame.parse(flipped), "bit " + bit);
        }
    }

    @Test
    void badHeadersAreRefusedNamingWhatIsWrong() {
        byte[] frame = hex(DATA);
        byte[] badIpChecksum = frame.clone();
        badIpChecksum[EthernetFrame.HEADER + 10] ^= 1;
        assertTrue(assertThrows(MalformedFrameException.class, () -> TcpFrame.parse(badIpChecksum)).getMessage()
                .contains("header checksum"));
        byte[] truncated = java.util.Arrays.copyOf(frame, frame.length - 3);
        assertTrue(assertThrows(MalformedFrameException.class, () -> TcpFrame.parse(truncated)).getMessage()
                .contains("total length"));
        assertThrows(MalformedFrameException.class, () -> TcpOptions.parse(hex("020805b4")), "MSS length past the end");
        assertThrows(MalformedFrameException.class, () -> TcpOptions.parse(hex("0300")), "length below 2");
        assertEquals(TcpOptions.NONE, TcpOptions.parse(hex("01010000")), "NOPs and END");
        assertNull(TcpFrame.parse(hex(ARP_REQUEST)), "not TCP");
        assertArrayEquals(hex("020405b401030307"), new TcpOptions(1460, 7).encode());
    }
}
