package io.sitepair.ops.config;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Free ports on 127.0.0.1 for a lab pair, below the kernel's ephemeral range: a port from that range
 * (what binding port 0 gives) can be taken, between choosing it and the pair binding it, as the
 * source port of any outgoing connection on the machine, such as a ZooKeeper client's.
 */
final class LoopbackPorts {
    private static final int ATTEMPTS_PER_PORT = 200;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int EPHEMERAL_START = 32_768; // Linux's default, where the range cannot be read

    private LoopbackPorts() {}

    /**
     * {@code withUdp + tcpOnly} distinct ports, the first {@code withUdp} free for UDP too (a logging channel's
     * heartbeats use UDP on its TCP port). Every socket stays bound until all are chosen; another process that
     * binds a fixed port may still take one before the pair starts.
     */
    static List<Integer> pick(int withUdp, int tcpOnly) throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        List<Closeable> held = new ArrayList<>();
        Set<Integer> ports = new LinkedHashSet<>();
        int below = ephemeralStart();
        Random random = new Random();
        try {
            for (int i = 0; i < withUdp + tcpOnly; i++) {
                int port = 0;
                for (int attempt = 0; attempt < ATTEMPTS_PER_PORT && port == 0; attempt++) {
                    int candidate = LOWEST + random.nextInt(below - LOWEST);
                    if (ports.contains(candidate) || !bindTcp(loopback, candidate, held)
                            || (i < withUdp && !bindUdp(loopback, candidate, held))) {
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

    /** The first port of the kernel's ephemeral range. */
    private static int ephemeralStart() {
        try {
            int start = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : EPHEMERAL_START;
        } catch (IOException | RuntimeException unreadable) {
            return EPHEMERAL_START;
        }
    }

    private static boolean bindTcp(InetAddress loopback, int port, List<Closeable> held) throws IOException {
        ServerSocket tcp = new ServerSocket();
        try {
            tcp.bind(new InetSocketAddress(loopback, port));
        } catch (IOException taken) {
            tcp.close();
            return false;
        }
        held.add(tcp);
        return true;
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
