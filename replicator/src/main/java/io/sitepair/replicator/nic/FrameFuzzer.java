package io.sitepair.replicator.nic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded source of hostile frames for a guest's TCP/IP stack: random bytes, and mutations of
 * real frames a client sent ({@link #learn}): flipped bits, truncations, wrong checksums, lying
 * header and option lengths, fragments, frames for someone else or of unsupported kinds, SYN
 * floods from many addresses and ports, impossible flag combinations, and sequence numbers far
 * outside the window of the client's live connection. Each frame carries the drop reason a
 * correct stack must count it under, where exactly one applies.
 *
 * <p>Mutations are moved to another source port, so they can never be taken for the client's
 * live connection (several flipped bits can cancel out in the checksum), except truncations and
 * the out-of-window ones, which must not disturb it.
 */
public final class FrameFuzzer {
    /** The {@link NicCounter} a frame must be dropped under, or {@code null} where the stack may do several things. */
    public record Fuzzed(byte[] frame, NicCounter expected) {}

    private static final int POOL = 64;
    private static final int LIVE_PORTS_FROM = 40000; // clients' ports: mutations with valid checksums avoid them

    private final SplittableRandom random;
    private final Station guest;
    private final int port;
    private final Station peer;
    private final List<byte[]> learned = new ArrayList<>();
    private byte[] latest;
    private final Map<NicCounter, Long> expected = new EnumMap<>(NicCounter.class);
    private long generated;

    /** Frames for {@code guest}, which accepts connections on {@code port}; until it learns, from {@code peer}. */
    public FrameFuzzer(long seed, Station guest, int port, Station peer) {
        this.random = new SplittableRandom(seed);
        this.guest = guest;
        this.port = port;
        this.peer = peer;
    }

    /** Keeps a valid frame a client sent the guest (a TCP segment) as material for mutations. */
    public void learn(byte[] frame) {
        latest = frame.clone();
        if (learned.size() < POOL) {
            learned.add(frame.clone());
        } else {
            learned.set(random.nextInt(POOL), frame.clone());
        }
    }

    public Fuzzed next() {
        generated++;
        Fuzzed fuzzed = switch (random.nextInt(16)) {
            case 0 -> new Fuzzed(randomBytes(1 + random.nextInt(1600)), null);
            case 1 -> flipOneTcpBit();
            case 2 -> truncated();
            case 3 -> wrongIpChecksum();
            case 4 -> ipLengthLie();
            case 5 -> tcpDataOffsetLie();
            case 6 -> badOptionLength();
            case 7 -> fragment();
            case 8 -> notForUs();
            case 9 -> unsupported();
            case 10, 11 -> synFlood();
            case 12 -> impossibleFlags();
            case 13 -> outOfWindow();
            case 14 -> corruptedFieldsValidChecksum();
            default -> new Fuzzed(flipBits(rehomed().encode(), 1 + random.nextInt(8)), null);
        };
        if (fuzzed.expected() != null) {
            expected.merge(fuzzed.expected(), 1L, Long::sum);
        }
        return fuzzed;
    }

    /** How many frames were generated that a correct stack must count under each drop reason. */
    public Map<NicCounter, Long> expectedDrops() {
        return Map.copyOf(expected);
    }

    public long generated() {
        return generated;
    }

    // ---- material ----

    /** A learned frame or, before any, a fresh data segment from the peer. */
    private byte[] material() {
        if (!learned.isEmpty()) {
            return learned.get(random.nextInt(learned.size())).clone();
        }
        TcpSegment segment = new TcpSegment(LIVE_PORTS_FROM, port, random.nextInt(), random.nextInt(),
                TcpSegment.ACK | TcpSegment.PSH, 65535, new byte[0], randomBytes(random.nextInt(64)));
        return new TcpFrame(peer, guest, segment).encode();
    }

    /** A learned TCP frame parsed, moved to a source port no live client uses. */
    private TcpFrame rehomed() {
        TcpFrame frame = TcpFrame.parse(material());
        TcpSegment s = frame.segment();
        return new TcpFrame(frame.from(), frame.to(), new TcpSegment(1024 + random.nextInt(LIVE_PORTS_FROM - 1024),
                s.destinationPort(), s.seq(), s.ack(), s.flags(), s.window(), s.options(), s.payload()));
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private byte[] flipBits(byte[] frame, int flips) {
        for (int i = 0; i < flips; i++) {
            int bit = random.nextInt(frame.length * 8);
            frame[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return frame;
    }

    // ---- mutations with one defect each ----

    /** One bit anywhere in the TCP segment: the checksum always catches a single flip. */
    private Fuzzed flipOneTcpBit() {
        byte[] frame = rehomed().encode();
        int tcp = EthernetFrame.HEADER + Ipv4Packet.HEADER;
        int bit = tcp * 8 + random.nextInt((frame.length - tcp) * 8);
        frame[bit / 8] ^= (byte) (1 << (bit % 8));
        return new Fuzzed(frame, NicCounter.DROPPED_CHECKSUM);
    }

    /** Cut inside the Ethernet or IP header, or short of the IP total length. */
    private Fuzzed truncated() {
        byte[] frame = material();
        return new Fuzzed(Arrays.copyOf(frame, 1 + random.nextInt(frame.length - 1)), NicCounter.DROPPED_MALFORMED);
    }

    private Fuzzed wrongIpChecksum() {
        byte[] frame = rehomed().encode();
        frame[EthernetFrame.HEADER + 10 + random.nextInt(2)] ^= (byte) (1 << random.nextInt(8));
        return new Fuzzed(frame, NicCounter.DROPPED_CHECKSUM);
    }

    /** A header length below 20 or past the total length, or a total length past the frame; checksum right. */
    private Fuzzed ipLengthLie() {
        byte[] frame = rehomed().encode();
        int ip = EthernetFrame.HEADER;
        int total = (frame[ip + 2] & 0xff) << 8 | (frame[ip + 3] & 0xff);
        switch (random.nextInt(3)) {
            case 0 -> frame[ip] = (byte) (0x40 | random.nextInt(5));
            case 1 -> {
                int lie = total + 1 + random.nextInt(1000);
                frame[ip + 2] = (byte) (lie >>> 8);
                frame[ip + 3] = (byte) lie;
            }
            default -> {
                int lie = 19 - random.nextInt(20); // total length shorter than a header
                frame[ip + 2] = 0;
                frame[ip + 3] = (byte) lie;
            }
        }
        fixIpChecksum(frame);
        return new Fuzzed(frame, NicCounter.DROPPED_MALFORMED);
    }

    /** A TCP data offset below 5 words or past the segment; checksum right. */
    private Fuzzed tcpDataOffsetLie() {
        TcpFrame frame = rehomed();
        byte[] bytes = frame.encode();
        int tcp = EthernetFrame.HEADER + Ipv4Packet.HEADER;
        int segmentLength = bytes.length - tcp;
        int words = random.nextBoolean() || segmentLength >= 60 ? random.nextInt(5)
                : segmentLength / 4 + 1 + random.nextInt(15 - segmentLength / 4);
        bytes[tcp + 12] = (byte) (words << 4);
        fixTcpChecksum(bytes, frame.from().address(), frame.to().address());
        return new Fuzzed(bytes, NicCounter.DROPPED_MALFORMED);
    }

    /** A SYN whose option length is 0, 1 or runs past the options; checksum right. */
    private Fuzzed badOptionLength() {
        int length = switch (random.nextInt(3)) {
            case 0 -> 0;
            case 1 -> 1;
            default -> 5 + random.nextInt(200);
        };
        byte[] options = {TcpOptions.MSS, (byte) length, 0x05, (byte) 0xb4};
        TcpSegment syn = new TcpSegment(1024 + random.nextInt(LIVE_PORTS_FROM - 1024), port, random.nextInt(), 0,
                TcpSegment.SYN, 65535, options, new byte[0]);
        return new Fuzzed(new TcpFrame(randomPeer(), guest, syn).encode(), NicCounter.DROPPED_MALFORMED);
    }

    /** More fragments, or an offset: the stack never reassembles. */
    private Fuzzed fragment() {
        byte[] frame = rehomed().encode();
        int flags = random.nextBoolean() ? Ipv4Packet.MORE_FRAGMENTS : 0;
        int offset = flags == 0 ? 1 + random.nextInt(0x1fff) : random.nextInt(0x2000);
        frame[EthernetFrame.HEADER + 6] = (byte) ((flags | offset) >>> 8);
        frame[EthernetFrame.HEADER + 7] = (byte) offset;
        fixIpChecksum(frame);
        return new Fuzzed(frame, NicCounter.DROPPED_FRAGMENT);
    }

    /** To another unicast MAC, or to our MAC but another IPv4 address. */
    private Fuzzed notForUs() {
        TcpFrame frame = rehomed();
        if (random.nextBoolean()) {
            long mac = (random.nextLong() & 0xfeff_ffff_ffffL); // unicast: group bit clear
            mac = mac == guest.mac() ? mac ^ 2 : mac;
            return new Fuzzed(new TcpFrame(frame.from(), new Station(mac, guest.address()), frame.segment()).encode(),
                    NicCounter.DROPPED_NOT_FOR_US);
        }
        int address = guest.address() ^ (1 + random.nextInt(0xffff));
        return new Fuzzed(new TcpFrame(frame.from(), new Station(guest.mac(), address), frame.segment()).encode(),
                NicCounter.DROPPED_NOT_FOR_US);
    }

    /** IPv6, UDP, an ICMP type other than echo, an ARP operation other than request or reply. */
    private Fuzzed unsupported() {
        Station from = randomPeer();
        byte[] frame = switch (random.nextInt(4)) {
            case 0 -> new EthernetFrame(guest.mac(), from.mac(), 0x86dd, randomBytes(40 + random.nextInt(100))).encode();
            case 1 -> Frames.ipv4(from, guest, 17, randomBytes(8 + random.nextInt(100)));
            case 2 -> {
                byte[] icmp = randomBytes(8 + random.nextInt(56));
                icmp[0] = (byte) (13 + random.nextInt(3)); // timestamp, timestamp reply, information request
                icmp[2] = 0;
                icmp[3] = 0;
                int checksum = InternetChecksum.of(icmp, 0, icmp.length);
                icmp[2] = (byte) (checksum >>> 8);
                icmp[3] = (byte) checksum;
                yield Frames.ipv4(from, guest, Ipv4Packet.ICMP, icmp);
            }
            default -> new EthernetFrame(Station.BROADCAST, from.mac(), EthernetFrame.ARP, new ArpPacket(3 + random.nextInt(20),
                    from.mac(), from.address(), 0, guest.address()).encode()).encode();
        };
        return new Fuzzed(frame, NicCounter.DROPPED_UNSUPPORTED);
    }

    // ---- frames that reach TCP ----

    /** A SYN from a random address and port, as a flood sends them. */
    private Fuzzed synFlood() {
        TcpSegment syn = new TcpSegment(1024 + random.nextInt(LIVE_PORTS_FROM - 1024),
                random.nextInt(8) == 0 ? 1 + random.nextInt(65535) : port, random.nextInt(), 0, TcpSegment.SYN, 65535,
                new TcpOptions(random.nextBoolean() ? 1460 : random.nextInt(65536), random.nextInt(20)).encode(),
                new byte[0]);
        return new Fuzzed(new TcpFrame(randomPeer(), guest, syn).encode(), null);
    }

    /** SYN with FIN or RST, no flags at all, every flag: valid checksums, from ports no client uses. */
    private Fuzzed impossibleFlags() {
        int[] flags = {TcpSegment.SYN | TcpSegment.FIN, TcpSegment.SYN | TcpSegment.RST, 0, 0xff,
                TcpSegment.FIN | TcpSegment.PSH | TcpSegment.URG, TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST};
        TcpFrame frame = rehomed();
        TcpSegment s = frame.segment();
        TcpSegment odd = new TcpSegment(s.sourcePort(), s.destinationPort(), s.seq(), s.ack(),
                flags[random.nextInt(flags.length)], s.window(), s.options(), s.payload());
        return new Fuzzed(new TcpFrame(frame.from(), frame.to(), odd).encode(), null);
    }

    /**
     * The latest learned segment of a live connection, its sequence number moved at least 1 MiB
     * away: outside the guest's receive window (512 KiB) as long as the client sent less than
     * that since.
     */
    private Fuzzed outOfWindow() {
        TcpFrame frame = TcpFrame.parse(latest != null ? latest.clone() : material());
        TcpSegment s = frame.segment();
        int seq = s.seq() + (1 << 20) + (int) random.nextLong((1L << 32) - (2 << 20) - 65536);
        int[] flags = {TcpSegment.ACK, TcpSegment.ACK | TcpSegment.PSH, TcpSegment.RST, TcpSegment.RST | TcpSegment.ACK,
                TcpSegment.SYN, TcpSegment.FIN | TcpSegment.ACK};
        TcpSegment far = new TcpSegment(s.sourcePort(), s.destinationPort(), seq,
                random.nextBoolean() ? s.ack() : random.nextInt(), flags[random.nextInt(flags.length)], s.window(),
                new byte[0], s.payload());
        return new Fuzzed(new TcpFrame(frame.from(), frame.to(), far).encode(), null);
    }

    /** Random header fields behind a valid checksum, so they reach TCP's own checks. */
    private Fuzzed corruptedFieldsValidChecksum() {
        TcpFrame frame = rehomed();
        byte[] bytes = frame.encode();
        int tcp = EthernetFrame.HEADER + Ipv4Packet.HEADER;
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            int at = tcp + 4 + random.nextInt(16); // seq, ack, offset, flags, window, checksum, urgent pointer
            if (at != tcp + 12) {
                bytes[at] = (byte) random.nextInt(256);
            }
        }
        fixTcpChecksum(bytes, frame.from().address(), frame.to().address());
        return new Fuzzed(bytes, null);
    }

    private Station randomPeer() {
        return new Station(random.nextLong() & 0xfeff_ffff_ffffL, (10 << 24) | random.nextInt(1 << 24));
    }

    private static void fixIpChecksum(byte[] frame) {
        int ip = EthernetFrame.HEADER;
        int header = Math.max(Ipv4Packet.HEADER, (frame[ip] & 0x0f) * 4);
        frame[ip + 10] = 0;
        frame[ip + 11] = 0;
        int checksum = InternetChecksum.of(frame, ip, Math.min(header, frame.length - ip));
        frame[ip + 10] = (byte) (checksum >>> 8);
        frame[ip + 11] = (byte) checksum;
    }

    private static void fixTcpChecksum(byte[] frame, int source, int destination) {
        int tcp = EthernetFrame.HEADER + Ipv4Packet.HEADER;
        frame[tcp + 16] = 0;
        frame[tcp + 17] = 0;
        int checksum = TcpSegment.checksum(Arrays.copyOfRange(frame, tcp, frame.length), source, destination);
        frame[tcp + 16] = (byte) (checksum >>> 8);
        frame[tcp + 17] = (byte) checksum;
    }
}
