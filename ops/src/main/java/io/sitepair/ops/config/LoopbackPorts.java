package io.sitepair.ops.config;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Free ports on 127.0.0.1 for a lab pair, found by binding port 0 (the kernel picks) and letting go. */
final class LoopbackPorts {
    private static final int ATTEMPTS_PER_PORT = 20;

    private LoopbackPorts() {}

    /**
     * {@code withUdp + tcpOnly} distinct ports, the first {@code withUdp} free for UDP too (a logging channel's
     * heartbeats use UDP on its TCP port). Every socket stays bound until all are chosen, so the kernel cannot
     * hand out one port twice; another process may still take one before the pair starts, as with any port 0.
     */
    static List<Integer> pick(int withUdp, int tcpOnly) throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        List<Closeable> held = new ArrayList<>();
        Set<Integer> ports = new LinkedHashSet<>();
        try {
            for (int i = 0; i < withUdp + tcpOnly; i++) {
                int port = 0;
                for (int attempt = 0; attempt < ATTEMPTS_PER_PORT && port == 0; attempt++) {
                    ServerSocket tcp = new ServerSocket();
                    held.add(tcp); // kept bound even if refused below, so it is not offered again
                    tcp.bind(new InetSocketAddress(loopback, 0));
                    int candidate = tcp.getLocalPort();
                    if (ports.contains(candidate) || (i < withUdp && !bindUdp(loopback, candidate, held))) {
                        continue;
                    }
                    port = candidate;
                }
                if (port == 0) {
                    throw new IOException("found no free loopback port (TCP" + (i < withUdp ? " and UDP" : "")
                            + ") in " + ATTEMPTS_PER_PORT + " attempts");
                }
                ports.add(port);
            }
            return List.copyOf(ports);
        } finally {
            for (Closeable c : held) {
                c.close();
            }
        }
    }

    private static boolean bindUdp(InetAddress loopback, int port, List<Closeable> held) {
        try {
            held.add(new DatagramSocket(new InetSocketAddress(loopback, port)));
            return true;
        } catch (SocketException taken) {
            return false;
        }
    }
}
