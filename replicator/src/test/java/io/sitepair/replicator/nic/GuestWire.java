package io.sitepair.replicator.nic;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The wire between a {@link NicGuest} and test clients, with no delay: frames move until nothing
 * more is sent. Either direction may drop frames a test picks; frames from the guest that no
 * client takes (ARP, ICMP, resets to strangers) are kept for the test to read.
 */
public final class GuestWire {
    public static final Station CLIENT = new Station(0x02_00_00_00_00_01L, 0x0a140001);
    public static final long RTO = 200_000_000L;

    private final NicGuest guest;
    private final List<byte[]> toGuest = new ArrayList<>();
    private final List<TcpClient> clients = new ArrayList<>();
    private final List<byte[]> unclaimed = new ArrayList<>();
    private Predicate<byte[]> dropToGuest = frame -> false;
    private Predicate<TcpFrame> dropToClient = frame -> false;
    private int nextPort = 40000;

    public GuestWire(NicGuest guest) {
        this.guest = guest;
    }

    /** A client from the next free port, connected to {@code port} on the guest once {@link #settle} runs. */
    public TcpClient connect(int port) {
        int clientPort = nextPort++;
        TcpClient client = new TcpClient(CLIENT, clientPort, NicGuest.STATION, port, 0x1000_0000 * (clientPort % 16),
                RTO, toGuest::add);
        clients.add(client);
        client.connect(guest.now());
        return client;
    }

    /** A frame from outside any client, such as an ARP request. */
    public void inject(byte[] frame) {
        toGuest.add(frame);
    }

    public void dropToGuest(Predicate<byte[]> drop) {
        this.dropToGuest = drop;
    }

    public void dropToClient(Predicate<TcpFrame> drop) {
        this.dropToClient = drop;
    }

    /** Moves frames both ways until neither side sends any more. */
    public void settle() throws Exception {
        for (int round = 0; ; round++) {
            if (round > 10_000) {
                throw new AssertionError("the guest and its clients never stop sending");
            }
            List<byte[]> in = toGuest.stream().filter(frame -> !dropToGuest.test(frame)).toList();
            toGuest.clear();
            guest.frames(in);
            List<byte[]> out = guest.takeSent();
            if (in.isEmpty() && out.isEmpty()) {
                return;
            }
            for (byte[] frame : out) {
                route(frame);
            }
        }
    }

    private void route(byte[] frame) {
        TcpFrame tcp = TcpFrame.parse(frame); // strict: every frame the guest sends must be well formed
        TcpClient client = tcp == null ? null : clients.stream().filter(c -> c.accepts(tcp)).findFirst().orElse(null);
        if (client == null) {
            unclaimed.add(frame);
        } else if (!dropToClient.test(tcp)) {
            client.receive(tcp, guest.now());
        }
    }

    /** Moves the clock, fires the guest's due timers and the clients' retransmissions, then settles. */
    public void advanceMillis(long ms) throws Exception {
        guest.advanceMillis(ms);
        for (TcpClient client : clients) {
            client.tick(guest.now());
        }
        settle();
    }

    public void write(TcpClient client, byte[] data) throws Exception {
        client.write(data, guest.now());
        settle();
    }

    /** Frames the guest sent that no client took, since the last call. */
    public List<byte[]> takeUnclaimed() {
        List<byte[]> frames = List.copyOf(unclaimed);
        unclaimed.clear();
        return frames;
    }
}
