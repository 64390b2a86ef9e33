package io.sitepair.replicator.nic;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A minimal TCP client on raw frames, with no threads and no I/O of its own: it writes frames to
 * {@code wire}, is handed the frames addressed to it, and is told the time (nanoseconds) on every
 * call. It connects, sends bytes (segments of the peer's MSS within its window), acknowledges
 * what arrives in order at once, closes with FIN or aborts with RST, and recovers lost segments
 * by go-back-N on its retransmission timeout or on three duplicate ACKs. It keeps no out-of-order
 * data: what it cannot take now the server sends again. Tests and synthetic workloads use it to
 * speak to a guest's TCP/IP stack through a deliberately lossy or hostile wire.
 */
public final class TcpClient {
    public enum State { SYN_SENT, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, CLOSED, RESET }

    private static final int WINDOW_SCALE = 7;
    private static final int DEFAULT_MSS = 536;
    private static final long MAX_RTO = 4_000_000_000L;

    private final Station self;
    private final int port;
    private final Station server;
    private final int serverPort;
    private final Consumer<byte[]> wire;
    private final long initialRto;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private State state = State.CLOSED;
    private final int iss;
    private int sndUna;     // oldest unacknowledged sequence number
    private int sndNxt;     // next to send
    private int rcvNxt;
    private long sndWnd = 1;
    private int sndShift;
    private int mss = DEFAULT_MSS;
    private byte[] unacked = new byte[4096]; // data from sndUna on (after the SYN)
    private int unackedLength;
    private boolean finQueued;
    private long rto;
    private long rtoDeadline = Long.MAX_VALUE;
    private int duplicateAcks;
    private long retransmits;
    private long duplicateAcksReceived;
    private long segmentsIgnored;

    /**
     * @param iss     the initial send sequence number
     * @param rto     the first retransmission timeout, doubled on each expiry (up to 4 s)
     */
    public TcpClient(Station self, int port, Station server, int serverPort, int iss, long rto, Consumer<byte[]> wire) {
        this.self = self;
        this.port = port;
        this.server = server;
        this.serverPort = serverPort;
        this.iss = iss;
        this.initialRto = rto;
        this.rto = rto;
        this.wire = wire;
    }

    /** Sends the SYN: MSS 1460 and window scale 7. */
    public void connect(long now) {
        if (state != State.CLOSED || sndNxt != 0 || rtoDeadline != Long.MAX_VALUE) {
            throw new IllegalStateException("connect once, from CLOSED; this client is " + state);
        }
        state = State.SYN_SENT;
        sndUna = iss;
        sndNxt = iss + 1;
        sendSyn();
        rtoDeadline = now + rto;
    }

    /** Queues bytes and sends what the window allows. */
    public void write(byte[] data, long now) {
        if (state != State.SYN_SENT && state != State.ESTABLISHED && state != State.CLOSE_WAIT || finQueued) {
            throw new IllegalStateException("cannot write on a connection that is " + state + (finQueued ? " (closing)" : ""));
        }
        if (unackedLength + data.length > unacked.length) {
            unacked = Arrays.copyOf(unacked, Math.max(unacked.length * 2, unackedLength + data.length));
        }
        System.arraycopy(data, 0, unacked, unackedLength, data.length);
        unackedLength += data.length;
        push(now);
    }

    /** Queues a FIN after the data written. */
    public void close(long now) {
        if (state == State.ESTABLISHED || state == State.CLOSE_WAIT || state == State.SYN_SENT) {
            finQueued = true;
            push(now);
        }
    }

    /** Sends a RST and forgets the connection, as a client process that is killed does. */
    public void abort() {
        if (state != State.CLOSED && state != State.RESET) {
            send(TcpSegment.RST | TcpSegment.ACK, sndNxt, new byte[0]);
        }
        state = State.RESET;
        rtoDeadline = Long.MAX_VALUE;
    }

    /** Whether {@code frame} belongs to this connection (from the server's port to ours). */
    public boolean accepts(TcpFrame frame) {
        return frame.to().address() == self.address() && frame.segment().destinationPort() == port
                && frame.from().address() == server.address() && frame.segment().sourcePort() == serverPort;
    }

    /** Handles one segment of this connection (see {@link #accepts}). */
    public void receive(TcpFrame frame, long now) {
        TcpSegment s = frame.segment();
        if (state == State.CLOSED || state == State.RESET) {
            return;
        }
        if (state == State.SYN_SENT) {
            synSent(s, now);
            return;
        }
        if (s.has(TcpSegment.RST)) {
            if (s.seq() == rcvNxt) {
                state = State.RESET;
                rtoDeadline = Long.MAX_VALUE;
            } else {
                segmentsIgnored++;
            }
            return;
        }
        if (s.has(TcpSegment.ACK)) {
            acknowledged(s, now);
        }
        take(s);
        push(now);
    }

    private void synSent(TcpSegment s, long now) {
        boolean acksSyn = s.has(TcpSegment.ACK) && s.ack() == iss + 1;
        if (s.has(TcpSegment.RST)) {
            if (acksSyn) {
                state = State.RESET;
                rtoDeadline = Long.MAX_VALUE;
            }
            return;
        }
        if (!s.has(TcpSegment.SYN) || !acksSyn) {
            segmentsIgnored++;
            return;
        }
        TcpOptions options = TcpOptions.parse(s.options());
        mss = options.mss() > 0 ? options.mss() : DEFAULT_MSS;
        sndShift = options.windowScale() >= 0 ? Math.min(options.windowScale(), 14) : 0;
        rcvNxt = s.seq() + 1;
        sndUna = iss + 1;
        sndWnd = s.window(); // the window of a SYN-ACK is never scaled
        state = State.ESTABLISHED;
        rto = initialRto;
        rtoDeadline = Long.MAX_VALUE;
        sendAck();
        push(now);
    }

    private void acknowledged(TcpSegment s, long now) {
        int acked = s.ack() - sndUna;
        int outstanding = sndNxt - sndUna;
        if (acked > 0 && acked <= outstanding) {
            int dataAcked = Math.min(acked, unackedLength);
            System.arraycopy(unacked, dataAcked, unacked, 0, unackedLength - dataAcked);
            unackedLength -= dataAcked;
            sndUna = s.ack();
            duplicateAcks = 0;
            rto = initialRto;
            rtoDeadline = sndUna == sndNxt ? Long.MAX_VALUE : now + rto;
            if (state == State.LAST_ACK && sndUna == sndNxt) {
                state = State.CLOSED; // our FIN, the last thing, is acknowledged
            }
        } else if (acked == 0 && s.length() == 0 && outstanding > 0) {
            duplicateAcksReceived++;
            if (++duplicateAcks == 3) {
                retransmit(now); // fast retransmit
            }
        } else if (acked == 0 && s.length() == 0) {
            duplicateAcksReceived++;
        }
        if (acked >= 0 && acked <= outstanding) {
            sndWnd = (long) s.window() << sndShift;
        }
    }

    /** Takes the in-order part of the segment's data and FIN, acknowledging whatever arrived. */
    private void take(TcpSegment s) {
        if (s.length() == 0 || (s.has(TcpSegment.SYN))) {
            if (s.has(TcpSegment.SYN)) {
                sendAck(); // a SYN-ACK again: our ACK was lost
            }
            return;
        }
        int skip = rcvNxt - s.seq();
        byte[] payload = s.payload();
        if (skip < 0 || skip > payload.length || (skip == payload.length && !s.has(TcpSegment.FIN))) {
            sendAck(); // out of order or old: say again what we expect
            return;
        }
        if (state == State.CLOSE_WAIT || state == State.LAST_ACK || state == State.CLOSED) {
            sendAck(); // data or FIN again after the FIN we took
            return;
        }
        received.write(payload, skip, payload.length - skip);
        rcvNxt += payload.length - skip;
        if (s.has(TcpSegment.FIN)) {
            rcvNxt++;
            if (state == State.ESTABLISHED) {
                state = State.CLOSE_WAIT;
            } else if (state == State.FIN_WAIT) {
                state = State.CLOSED;
                rtoDeadline = Long.MAX_VALUE;
            }
        }
        sendAck();
    }

    /** Retransmits from the oldest unacknowledged byte if the timer expired. */
    public void tick(long now) {
        if (now >= rtoDeadline) {
            rto = Math.min(rto * 2, MAX_RTO);
            retransmit(now);
        }
    }

    private void retransmit(long now) {
        retransmits++;
        duplicateAcks = 0;
        if (state == State.SYN_SENT) {
            sendSyn();
            rtoDeadline = now + rto;
            return;
        }
        sndNxt = sndUna; // go back N
        if (state == State.LAST_ACK) {
            state = State.CLOSE_WAIT;
        } else if (state == State.FIN_WAIT) {
            state = State.ESTABLISHED;
        }
        push(now, true);
        rtoDeadline = sndNxt == sndUna ? Long.MAX_VALUE : now + rto;
    }

    private void push(long now) {
        push(now, false);
    }

    /** Sends new data within the window, then the FIN; {@code probe} sends one segment even into a zero window. */
    private void push(long now, boolean probe) {
        if (state != State.ESTABLISHED && state != State.CLOSE_WAIT) {
            return;
        }
        int sent = sndNxt - sndUna;
        while (sent < unackedLength) {
            long room = sndWnd - sent;
            if (room <= 0 && !probe) {
                break;
            }
            int length = (int) Math.min(Math.min(mss, unackedLength - sent), Math.max(room, 1));
            send(TcpSegment.ACK | TcpSegment.PSH, sndNxt, Arrays.copyOfRange(unacked, sent, sent + length));
            sndNxt += length;
            sent += length;
            probe = false;
        }
        if (finQueued && sent == unackedLength) {
            send(TcpSegment.FIN | TcpSegment.ACK, sndNxt, new byte[0]);
            sndNxt++;
            state = state == State.CLOSE_WAIT ? State.LAST_ACK : State.FIN_WAIT;
        }
        if (sndNxt != sndUna && rtoDeadline == Long.MAX_VALUE) {
            rtoDeadline = now + rto;
        }
    }

    private void sendSyn() {
        byte[] options = new TcpOptions(1460, WINDOW_SCALE).encode();
        wire.accept(new TcpFrame(self, server, new TcpSegment(port, serverPort, iss, 0, TcpSegment.SYN, 65535, options,
                new byte[0])).encode());
    }

    private void sendAck() {
        send(TcpSegment.ACK, sndNxt, new byte[0]);
    }

    private void send(int flags, int seq, byte[] payload) {
        // What we take is unbounded: advertise the most the field holds (scaled by 7 if the server scales).
        wire.accept(new TcpFrame(self, server, new TcpSegment(port, serverPort, seq, rcvNxt, flags, 65535, new byte[0],
                payload)).encode());
    }

    /** The bytes received in order since the last call. */
    public byte[] takeReceived() {
        byte[] bytes = received.toByteArray();
        received.reset();
        return bytes;
    }

    public State state() {
        return state;
    }

    /** Whether every byte written (and the FIN, if closed) has been acknowledged. */
    public boolean allAcknowledged() {
        return sndUna == sndNxt && unackedLength == 0;
    }

    /** When the retransmission timer expires, or {@link Long#MAX_VALUE} if nothing is outstanding. */
    public long retransmissionDeadline() {
        return rtoDeadline;
    }

    public long retransmits() {
        return retransmits;
    }

    /** Pure ACKs that acknowledged nothing new, whether data was outstanding or not. */
    public long duplicateAcksReceived() {
        return duplicateAcksReceived;
    }

    /** Segments of this connection dropped as not acceptable (a RST out of sequence, a stray segment in SYN_SENT). */
    public long segmentsIgnored() {
        return segmentsIgnored;
    }

    /** The oldest sequence number the server has not acknowledged. */
    public int oldestUnacknowledged() {
        return sndUna;
    }

    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return "client " + self + ":" + port + " " + state + " una " + Integer.toUnsignedString(sndUna) + " nxt "
                + Integer.toUnsignedString(sndNxt) + " rcv " + Integer.toUnsignedString(rcvNxt);
    }
}
