package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.replicator.nic.ArpPacket;
import io.sitepair.replicator.nic.EthernetFrame;
import io.sitepair.replicator.nic.Frames;
import io.sitepair.replicator.nic.GuestWire;
import io.sitepair.replicator.nic.IcmpEcho;
import io.sitepair.replicator.nic.InternetChecksum;
import io.sitepair.replicator.nic.Ipv4Packet;
import io.sitepair.replicator.nic.NicCounter;
import io.sitepair.replicator.nic.NicGuest;
import io.sitepair.replicator.nic.TcpClient;
import io.sitepair.replicator.nic.TcpFrame;
import io.sitepair.replicator.vm.GuestVm;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kv guest in network mode nic: its own stack answers ARP, ping and TCP, frame by frame. */
class KvOverNicTest {
    static final int PORT = NicGuest.IDENTITY.port();

    NicGuest kv;
    GuestWire wire;

    @BeforeEach
    void boot(@TempDir Path dir) throws Exception {
        assumeTrue(NicGuest.nicCapable("kv"), "the shipped kv guest has no TCP/IP stack yet");
        kv = NicGuest.boot("kv", dir.resolve("kv.img"));
        wire = new GuestWire(kv);
    }

    @AfterEach
    void close() throws Exception {
        if (kv != null) {
            assertEquals(GuestVm.Status.RUNNING, kv.vm().status(), () -> "halted: " + kv.vm().haltCause());
            kv.close();
        }
    }

    static byte[] command(String... args) {
        return Resp.command(args);
    }

    String call(TcpClient client, String... args) throws Exception {
        wire.write(client, command(args));
        return new String(client.takeReceived(), StandardCharsets.ISO_8859_1);
    }

    TcpClient connected() throws Exception {
        TcpClient client = wire.connect(PORT);
        wire.settle();
        assertEquals(TcpClient.State.ESTABLISHED, client.state());
        return client;
    }

    @Test
    void theNicComesUpWithAGratuitousArpAndAnswersArpRequestsWithItsMac() throws Exception {
        ArpPacket announce = onlyArp(kv.takeSent());
        assertEquals(NicGuest.STATION.mac(), announce.senderMac());
        assertEquals(NicGuest.STATION.address(), announce.senderAddress());
        assertEquals(NicGuest.STATION.address(), announce.targetAddress(), "gratuitous: it asks for itself");

        wire.inject(Frames.arpRequest(GuestWire.CLIENT, NicGuest.STATION.address()));
        wire.settle();
        List<byte[]> sent = wire.takeUnclaimed();
        ArpPacket reply = onlyArp(sent);
        assertEquals(ArpPacket.REPLY, reply.operation());
        assertEquals(NicGuest.STATION.mac(), reply.senderMac());
        assertEquals(NicGuest.STATION.address(), reply.senderAddress());
        assertEquals(GuestWire.CLIENT.mac(), reply.targetMac());
        assertEquals(GuestWire.CLIENT.mac(), EthernetFrame.parse(sent.getFirst()).destination());
        assertEquals(1, kv.counter(NicCounter.ARP_REPLIES));

        wire.inject(Frames.arpRequest(GuestWire.CLIENT, NicGuest.STATION.address() + 1));
        wire.settle();
        assertEquals(List.of(), wire.takeUnclaimed(), "another address: no answer");
    }

    static ArpPacket onlyArp(List<byte[]> frames) {
        assertEquals(1, frames.size(), "one frame");
        EthernetFrame ethernet = EthernetFrame.parse(frames.getFirst());
        assertEquals(EthernetFrame.ARP, ethernet.etherType());
        return ArpPacket.parse(ethernet.payload());
    }

    @Test
    void aPingIsAnsweredWithItsData() throws Exception {
        kv.takeSent(); // the announcement
        byte[] data = "sitepair-ping-16".getBytes(StandardCharsets.US_ASCII);
        wire.inject(Frames.icmpEcho(GuestWire.CLIENT, NicGuest.STATION, new IcmpEcho(IcmpEcho.REQUEST, 0x1234, 7, data)));
        wire.settle();
        List<byte[]> sent = wire.takeUnclaimed();
        assertEquals(1, sent.size());
        Ipv4Packet ip = Ipv4Packet.parse(EthernetFrame.parse(sent.getFirst()).payload());
        assertEquals(NicGuest.STATION.address(), ip.source());
        assertEquals(GuestWire.CLIENT.address(), ip.destination());
        IcmpEcho reply = IcmpEcho.parse(ip.payload());
        assertEquals(IcmpEcho.REPLY, reply.type());
        assertEquals(0x1234, reply.identifier());
        assertEquals(7, reply.sequence());
        assertEquals(new String(data, StandardCharsets.US_ASCII), new String(reply.data(), StandardCharsets.US_ASCII));
        assertEquals(1, kv.counter(NicCounter.ICMP_ECHO_REPLIES));
    }

    @Test
    void aTcpClientSpeaksRespToTheKvGuest() throws Exception {
        TcpClient client = connected();
        assertEquals("+PONG\r\n", call(client, "PING"));
        assertEquals("+OK\r\n", call(client, "SET", "greeting", "hello"));
        assertEquals("$5\r\nhello\r\n", call(client, "GET", "greeting"));
        String big = "v".repeat(100_000); // many segments each way
        assertEquals("+OK\r\n", call(client, "SET", "big", big));
        assertEquals("$100000\r\n" + big + "\r\n", call(client, "GET", "big"));
        assertTrue(client.allAcknowledged());
        assertEquals(1, kv.counter(NicCounter.CONNS_ACCEPTED_TOTAL));

        client.close(kv.now());
        wire.settle();
        assertEquals(TcpClient.State.CLOSED, client.state(), client::toString);
    }

    @Test
    void aConnectionToAnotherPortIsReset() throws Exception {
        TcpClient client = wire.connect(PORT + 1);
        wire.settle();
        assertEquals(TcpClient.State.RESET, client.state());
        assertEquals(1, kv.counter(NicCounter.TCP_RESETS_SENT));
        assertEquals(0, kv.counter(NicCounter.CONNS_OPEN));
    }

    @Test
    void nicUpResendsWhatTheClientNeverGotAndPromptsItToResendWhatTheGuestNeverGot() throws Exception {
        TcpClient client = connected();
        kv.takeSent();
        wire.dropToClient(frame -> frame.segment().payload().length > 0); // the reply is lost
        wire.write(client, command("SET", "k", "v"));
        wire.dropToClient(frame -> false);
        assertEquals(0, client.takeReceived().length);
        long retransmits = kv.counter(NicCounter.TCP_RETRANSMITS);
        kv.nicUp(); // no clock moved: only the nic-up can bring the reply
        wire.settle();
        assertEquals("+OK\r\n", new String(client.takeReceived(), StandardCharsets.ISO_8859_1));
        assertTrue(kv.counter(NicCounter.TCP_RETRANSMITS) > retransmits);

        wire.dropToGuest(frame -> true); // the request is lost
        wire.write(client, command("GET", "k"));
        wire.dropToGuest(frame -> false);
        long duplicateAcks = client.duplicateAcksReceived();
        wire.takeUnclaimed();
        int lost = client.oldestUnacknowledged(); // where the lost request starts
        kv.nicUp();
        wire.settle();
        assertEquals(duplicateAcks + 3, client.duplicateAcksReceived(), "three duplicate ACKs");
        List<byte[]> prompts = wire.takeUnclaimed().stream().filter(KvOverNicTest::hostUnreachable).toList();
        assertEquals(6, prompts.size(), "host unreachables that undo a client's back-off (RFC 6069)");
        for (byte[] prompt : prompts) { // each quotes the client's oldest unacknowledged segment
            ByteBuffer quoted = ByteBuffer.wrap(prompt).slice(14 + 20 + 8, 28);
            assertEquals(GuestWire.CLIENT.address(), quoted.getInt(12), "the quoted source: the client");
            assertEquals(client.port(), quoted.getShort(20) & 0xffff, "the quoted source port");
            assertEquals(lost, quoted.getInt(24), "the quoted sequence number");
        }
        assertEquals(1, client.retransmits(), "the client fast-retransmitted");
        assertEquals("$1\r\nv\r\n", new String(client.takeReceived(), StandardCharsets.ISO_8859_1));
    }

    /** An ICMP destination unreachable, code host unreachable, in a well-formed IPv4 frame. */
    static boolean hostUnreachable(byte[] frame) {
        if (frame.length < 14 + 20 + 8 + 28 || frame[12] != 0x08 || frame[13] != 0 || frame[14 + 9] != 1) {
            return false;
        }
        byte[] icmp = Arrays.copyOfRange(frame, 14 + 20, frame.length);
        return icmp[0] == 3 && icmp[1] == 1 && InternetChecksum.of(icmp, 0, icmp.length) == 0;
    }

    @Test
    void theGuestSurvivesClientsThatVanishOrAbort() throws Exception {
        TcpClient vanishing = connected();
        assertEquals("+OK\r\n", call(vanishing, "SET", "big", "x".repeat(200_000)));
        wire.dropToClient(frame -> frame.segment().destinationPort() == vanishing.port());
        wire.write(vanishing, command("GET", "big")); // the guest has 200 kB to send to a client that is gone
        wire.dropToGuest(frame -> {
            TcpFrame tcp = TcpFrame.parse(frame);
            return tcp != null && tcp.segment().sourcePort() == vanishing.port();
        });
        TcpClient aborting = connected();
        assertEquals("+OK\r\n", call(aborting, "SET", "a", "1"));
        aborting.abort();
        wire.settle();

        TcpClient survivor = connected();
        for (int minute = 0; minute < 30 && kv.counter(NicCounter.CONNS_OPEN) > 1; minute++) {
            wire.advanceMillis(60_000);
            assertEquals("+PONG\r\n", call(survivor, "PING"));
        }
        assertEquals(1, kv.counter(NicCounter.CONNS_OPEN), "only the survivor is left");
        assertEquals(1, kv.counter(NicCounter.TCP_RESETS_RECEIVED));
        assertTrue(kv.counter(NicCounter.TCP_TIMEOUTS) + kv.counter(NicCounter.TCP_HALF_OPEN_DROPPED) >= 1);
        assertEquals("$1\r\n1\r\n", call(survivor, "GET", "a"));
    }
}
