package io.sitepair.replicator.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client against a scripted server: every segment it sends is checked field by field. */
class TcpClientTest {
    static final Station CLIENT = new Station(0x02_00_00_00_00_02L, 0x0a630002);
    static final Station SERVER = new Station(0x02_00_00_00_00_01L, 0x0a630001);
    static final long RTO = 200_000_000L;
    static final int ISS = 1000;
    static final int SERVER_ISS = 0xfffffff0; // wraps during the test

    final List<TcpSegment> sent = new ArrayList<>();
    final TcpClient client = new TcpClient(CLIENT, 40000, SERVER, 6379, ISS, RTO, frame -> {
        TcpFrame tcp = TcpFrame.parse(frame);
        assertEquals(CLIENT, tcp.from());
        assertEquals(SERVER, tcp.to());
        sent.add(tcp.segment());
    });

    TcpSegment last() {
        return sent.getLast();
    }

    void fromServer(int flags, int seq, int ack, int window, String payload, long now) {
        fromServer(flags, seq, ack, window, new byte[0], payload, now);
    }

    void fromServer(int flags, int seq, int ack, int window, byte[] options, String payload, long now) {
        TcpSegment segment = new TcpSegment(6379, 40000, seq, ack, flags, window, options,
                payload.getBytes(StandardCharsets.US_ASCII));
        TcpFrame frame = TcpFrame.parse(new TcpFrame(SERVER, CLIENT, segment).encode());
        assertTrue(client.accepts(frame));
        client.receive(frame, now);
    }

    /** SYN, SYN-ACK (MSS 100, window scale 4, window 300), ACK. */
    void establish() {
        client.connect(0);
        assertEquals(TcpSegment.SYN, last().flags());
        assertEquals(ISS, last().seq());
        assertEquals(new TcpOptions(1460, 7), TcpOptions.parse(last().options()));
        fromServer(TcpSegment.SYN | TcpSegment.ACK, SERVER_ISS, ISS + 1, 300, new TcpOptions(100, 4).encode(), "", 1);
        assertEquals(TcpClient.State.ESTABLISHED, client.state());
        assertEquals(TcpSegment.ACK, last().flags());
        assertEquals(SERVER_ISS + 1, last().ack());
        assertEquals(ISS + 1, last().seq());
    }

    @Test
    void aLostSynIsSentAgainOnTheTimeout() {
        client.connect(0);
        client.tick(RTO - 1);
        assertEquals(1, sent.size());
        client.tick(RTO);
        assertEquals(2, sent.size());
        assertEquals(TcpSegment.SYN, last().flags());
        assertEquals(ISS, last().seq());
    }

    @Test
    void dataGoesOutInSegmentsOfTheMssWithinTheWindowAndIsRetransmittedFromTheOldestUnacknowledgedByte() {
        establish();
        sent.clear();
        client.write("x".repeat(500).getBytes(StandardCharsets.US_ASCII), 2);
        assertEquals(List.of(100, 100, 100), sent.stream().map(s -> s.payload().length).toList(), "MSS 100, window 300");
        assertEquals(ISS + 201, last().seq());
        // The window of a non-SYN segment is scaled: 10 << 4 = 160 bytes, after 100 acknowledged.
        fromServer(TcpSegment.ACK, SERVER_ISS + 1, ISS + 101, 10, "", 3);
        assertEquals(3, sent.size(), "200 in flight fill the 160-byte window");
        fromServer(TcpSegment.ACK, SERVER_ISS + 1, ISS + 301, 20, "", 4);
        assertEquals(List.of(100, 100), sent.subList(3, 5).stream().map(s -> s.payload().length).toList());
        sent.clear();
        client.tick(4 + RTO);
        assertEquals(1, client.retransmits());
        assertEquals(ISS + 301, sent.getFirst().seq(), "go back to the oldest unacknowledged byte");
        assertEquals(2, sent.size());
        fromServer(TcpSegment.ACK, SERVER_ISS + 1, ISS + 501, 20, "", 5);
        assertTrue(client.allAcknowledged());
        assertEquals(Long.MAX_VALUE, client.retransmissionDeadline());
    }

    @Test
    void threeDuplicateAcksRetransmitAtOnce() {
        establish();
        client.write("abc".getBytes(StandardCharsets.US_ASCII), 2);
        sent.clear();
        for (int i = 0; i < 3; i++) {
            fromServer(TcpSegment.ACK, SERVER_ISS + 1, ISS + 1, 100, "", 3);
        }
        assertEquals(3, client.duplicateAcksReceived());
        assertEquals(1, sent.size());
        assertEquals("abc", new String(last().payload(), StandardCharsets.US_ASCII));
        assertEquals(ISS + 1, last().seq());
    }

    @Test
    void inOrderDataIsTakenAndAcknowledgedAndAnythingElseAcknowledgesWhatIsExpected() {
        establish();
        fromServer(TcpSegment.ACK | TcpSegment.PSH, SERVER_ISS + 1, ISS + 1, 100, "+PONG\r\n", 2);
        assertEquals(SERVER_ISS + 8, last().ack(), "acknowledged across the sequence wrap");
        fromServer(TcpSegment.ACK, SERVER_ISS + 20, ISS + 1, 100, "later", 3);
        assertEquals(SERVER_ISS + 8, last().ack(), "out of order: not taken");
        fromServer(TcpSegment.ACK, SERVER_ISS + 5, ISS + 1, 100, "G\r\n:1\r\n", 4);
        assertArrayEquals("+PONG\r\n:1\r\n".getBytes(StandardCharsets.US_ASCII), client.takeReceived(),
                "the new part of an overlapping segment");
        assertEquals(SERVER_ISS + 12, last().ack());
    }

    @Test
    void theServersFinThenOursCloseTheConnection() {
        establish();
        fromServer(TcpSegment.FIN | TcpSegment.ACK, SERVER_ISS + 1, ISS + 1, 100, "bye", 2);
        assertEquals(TcpClient.State.CLOSE_WAIT, client.state());
        assertEquals(SERVER_ISS + 5, last().ack(), "data and FIN");
        client.close(3);
        assertEquals(TcpSegment.FIN | TcpSegment.ACK, last().flags());
        assertEquals(TcpClient.State.LAST_ACK, client.state());
        fromServer(TcpSegment.ACK, SERVER_ISS + 5, ISS + 2, 100, "", 4);
        assertEquals(TcpClient.State.CLOSED, client.state());
    }

    @Test
    void onlyAResetAtTheExpectedSequenceNumberEndsTheConnection() {
        establish();
        fromServer(TcpSegment.RST, SERVER_ISS + 100, 0, 0, "", 2);
        assertEquals(TcpClient.State.ESTABLISHED, client.state());
        assertEquals(1, client.segmentsIgnored());
        fromServer(TcpSegment.RST, SERVER_ISS + 1, 0, 0, "", 3);
        assertEquals(TcpClient.State.RESET, client.state());
    }

    @Test
    void anAbortSendsAReset() {
        establish();
        client.abort();
        assertEquals(TcpSegment.RST | TcpSegment.ACK, last().flags());
        assertEquals(ISS + 1, last().seq());
    }
}
