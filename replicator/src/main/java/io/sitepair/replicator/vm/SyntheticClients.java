package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.nic.FrameFuzzer;
import io.sitepair.replicator.nic.MalformedFrameException;
import io.sitepair.replicator.nic.Station;
import io.sitepair.replicator.nic.TcpClient;
import io.sitepair.replicator.nic.TcpFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * The synthetic workload in network mode nic: a handful of TCP clients on raw frames connect to
 * the guest, send data of varied sizes, close or abort, and read what the guest sends them; now
 * and then a junk frame from a {@link FrameFuzzer} arrives instead.
 */
final class SyntheticClients {
    static final Station GUEST = new Station(0x02_00_5e_10_00_0aL, 0x0a14000a);
    static final int PORT = 7000;
    private static final Station CLIENTS_STATION = new Station(0x02_00_00_00_00_01L, 0x0a140001);
    private static final int CLIENTS = 6;
    private static final long RTO = 200_000_000L;

    private final SplittableRandom random;
    private final LongSupplier clock;
    private final FrameFuzzer junk;
    private final Deque<byte[]> toGuest = new ArrayDeque<>();
    private final Map<Integer, TcpClient> byPort = new HashMap<>();
    private final List<TcpClient> active = new ArrayList<>();
    private int nextPort;

    SyntheticClients(long seed, LongSupplier clock) {
        this.random = new SplittableRandom(seed);
        this.clock = clock;
        this.junk = new FrameFuzzer(random.nextLong(), GUEST, PORT, CLIENTS_STATION);
    }

    LogRecord.NicUp nicUp() {
        return new LogRecord.NicUp(GUEST.mac(), GUEST.address(), 24, PORT);
    }

    /** A frame the guest sent: the client it is for takes it (and may answer at once). */
    void fromGuest(byte[] frame) {
        TcpFrame tcp;
        try {
            tcp = TcpFrame.parse(frame);
        } catch (MalformedFrameException e) {
            throw new IllegalStateException("the guest sent a malformed frame: " + e.getMessage());
        }
        TcpClient client = tcp == null ? null : byPort.get(tcp.segment().destinationPort());
        if (client != null && client.accepts(tcp)) {
            client.receive(tcp, clock.getAsLong());
        }
    }

    /** The next frame for the guest: an answer a client owes, else a new move by a client, else junk. */
    byte[] nextFrame() {
        if (toGuest.isEmpty()) {
            act();
        }
        return toGuest.isEmpty() ? junk.next().frame() : toGuest.poll();
    }

    private void act() {
        long now = clock.getAsLong();
        active.removeIf(this::finished);
        int roll = random.nextInt(100);
        if (roll < 3) {
            return; // junk
        }
        if (active.isEmpty() || (roll < 8 && active.size() < CLIENTS)) {
            connect(now);
            return;
        }
        TcpClient client = active.get(random.nextInt(active.size()));
        client.tick(now);
        switch (client.state()) {
            case ESTABLISHED -> {
                if (roll < 10) {
                    client.abort();
                } else if (roll < 14) {
                    client.close(now);
                } else if (client.allAcknowledged()) {
                    client.write(payload(), now);
                }
            }
            case CLOSE_WAIT -> client.close(now); // the guest hung up
            default -> {}
        }
    }

    private boolean finished(TcpClient client) {
        boolean done = client.state() == TcpClient.State.CLOSED || client.state() == TcpClient.State.RESET;
        if (done) {
            byPort.remove(client.port());
        }
        return done;
    }

    private void connect(long now) {
        int port = 40000 + nextPort++ % 25000;
        TcpClient client = new TcpClient(CLIENTS_STATION, port, GUEST, PORT, random.nextInt(), RTO, frame -> {
            junk.learn(frame);
            toGuest.add(frame);
        });
        byPort.put(port, client);
        active.add(client);
        client.connect(now);
    }

    private byte[] payload() {
        int size = random.nextInt(100) < 95 ? 1 + random.nextInt(256) : 1 + random.nextInt(16 << 10);
        byte[] data = new byte[size];
        random.nextBytes(data);
        // '!' asks the stress guest to hang up: about one write in a hundred.
        data[0] = random.nextInt(100) == 0 ? (byte) '!' : (byte) ('a' + (data[0] & 15));
        return data;
    }
}
