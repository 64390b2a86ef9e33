package io.sitepair.ops.wan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy between real loopback sockets: delay, rate, integrity, cut, blackhole, backpressure. */
class WanProxyTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private TestServer server;
    private WanProxy proxy;

    @AfterEach
    void tearDown() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        s.connect(proxy.address(), 5_000);
        return s;
    }

    /** Writes one byte and waits for the echo; returns the round trip in nanoseconds. */
    private static long pingPong(Socket s, int value) throws IOException {
        long start = System.nanoTime();
        s.getOutputStream().write(value);
        int got = s.getInputStream().read();
        long elapsed = System.nanoTime() - start;
        assertEquals(value, got, "echoed byte");
        return elapsed;
    }

    @Test
    @Timeout(20)
    void roundTripTakesAtLeastTheConfiguredRtt() throws Exception {
        server = TestServer.echo();
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.rtt(Duration.ofMillis(20), 0));
        try (Socket s = connect()) {
            pingPong(s, 0); // the first one also waits for the proxy to connect to the target
            long fastest = Long.MAX_VALUE;
            for (int i = 1; i <= 5; i++) {
                long rtt = pingPong(s, i);
                assertTrue(rtt >= TimeUnit.MILLISECONDS.toNanos(20), "round trip " + rtt / 1e6 + " ms under 20 ms");
                fastest = Math.min(fastest, rtt);
            }
            assertTrue(fastest < TimeUnit.MILLISECONDS.toNanos(220), "fastest round trip " + fastest / 1e6 + " ms");
        }
    }

    @Test
    @Timeout(20)
    void aCaptureSeesEachDirectionsBytesInOrder() throws Exception {
        server = TestServer.echo();
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.NONE);
        java.io.ByteArrayOutputStream forward = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream reverse = new java.io.ByteArrayOutputStream();
        proxy.capture((direction, bytes) -> {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            synchronized (forward) {
                (direction == Direction.FORWARD ? forward : reverse).writeBytes(copy);
            }
        });
        byte[] data = new byte[100_000];
        new Random(5).nextBytes(data);
        try (Socket s = connect()) {
            s.getOutputStream().write(data);
            s.getInputStream().readNBytes(data.length);
        }
        awaitTrue(() -> {
            synchronized (forward) {
                return reverse.size() == data.length;
            }
        }, Duration.ofSeconds(5), "the echo captured");
        synchronized (forward) {
            assertArrayEquals(data, forward.toByteArray());
            assertArrayEquals(data, reverse.toByteArray());
        }
    }

    @Test
    @Timeout(20)
    void bandwidthCapPacesTheTransfer() throws Exception {
        server = TestServer.sink();
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.symmetric(Duration.ZERO, 16_000_000));
        byte[] data = new byte[2_000_000];
        try (Socket s = connect()) {
            long start = System.nanoTime();
            s.getOutputStream().write(data);
            awaitTrue(() -> server.received.get() == data.length, Duration.ofSeconds(10), "all bytes at the target");
            double seconds = (System.nanoTime() - start) / 1e9;
            // 2 MB * 8 / 16 Mbit/s = 1.0 s
            assertTrue(seconds >= 0.9, "2 MB at 16 Mbit/s arrived in " + seconds + " s");
            assertTrue(seconds < 5, "2 MB at 16 Mbit/s took " + seconds + " s");
            // counted when the write completes, which can be a moment after the target has read it
            awaitTrue(() -> proxy.stats().forwardBytes() == data.length, Duration.ofSeconds(2), "forward counter");
        }
    }

    @Test
    @Timeout(20)
    void eachDirectionHasItsOwnCap() throws Exception {
        server = TestServer.echo();
        // forward unlimited, reverse 2 Mbit/s: 250 kB needs 1 s to come back
        proxy = WanProxy.start(ANY_PORT, server.address(),
                new WanProfile(Duration.ZERO, Duration.ZERO, 0, 2_000_000));
        byte[] data = new byte[250_000];
        new Random(3).nextBytes(data);
        try (Socket s = connect()) {
            long start = System.nanoTime();
            s.getOutputStream().write(data);
            awaitTrue(() -> server.received.get() == data.length, Duration.ofSeconds(5), "all bytes at the target");
            double there = (System.nanoTime() - start) / 1e9;
            byte[] back = s.getInputStream().readNBytes(data.length);
            double andBack = (System.nanoTime() - start) / 1e9;
            assertArrayEquals(data, back);
            assertTrue(there < 0.5, "uncapped forward direction took " + there + " s");
            assertTrue(andBack >= 0.9, "capped reverse direction finished after " + andBack + " s");
        }
    }

    @Test
    @Timeout(60)
    void tenMegabytesArriveIntactAndInOrderThenTheFinFollows() throws Exception {
        server = TestServer.echo();
        // a small in-flight bound so reads are paused and resumed many times on the way
        // (the bound itself is checked below, without a FIN: see WanProxy.maxInFlightBytes)
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.symmetric(Duration.ofMillis(2), 400_000_000),
                256 * 1024);
        byte[] data = new byte[10_000_000];
        new Random(42).nextBytes(data);
        try (Socket s = connect()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    Random sizes = new Random(7);
                    for (int off = 0; off < data.length; ) {
                        int n = Math.min(data.length - off, 1 + sizes.nextInt(100_000));
                        s.getOutputStream().write(data, off, n);
                        off += n;
                    }
                    s.shutdownOutput(); // half-close: must reach the target after the data
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(data.length);
            writer.join();
            assertArrayEquals(data, back, "echoed stream differs");
            assertEquals(-1, in.read(), "the target's FIN should follow the echoed data");
        }
        awaitTrue(() -> server.eofs.get() == 1, Duration.ofSeconds(5), "the target saw our FIN");
        awaitTrue(() -> proxy.stats().open() == 0, Duration.ofSeconds(5), "both legs closed after both FINs");
        WanProxy.Stats stats = proxy.stats();
        assertEquals(data.length, stats.forwardBytes());
        assertEquals(data.length, stats.reverseBytes());
        assertEquals(0, stats.droppedBytes());
    }

    @Test
    @Timeout(20)
    void cutResetsConnectionsAndRefusesNewOnesUntilRestore() throws Exception {
        server = TestServer.echo();
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.rtt(Duration.ofMillis(2), 0));
        try (Socket before = connect()) {
            pingPong(before, 1);
            proxy.cut();
            assertEquals(WanProxy.Mode.CUT, proxy.mode());
            assertReset(before);
            awaitTrue(() -> server.ended.get() == 1, Duration.ofSeconds(5), "the target's side was closed too");
        }
        try (Socket during = new Socket()) {
            assertResetOrRefused(during);
        }
        assertEquals(1, server.accepted.get(), "nothing may reach the target while cut");
        assertTrue(proxy.stats().refused() >= 1);

        proxy.restore();
        try (Socket after = connect()) {
            pingPong(after, 2);
        }
        assertEquals(2, server.accepted.get());
    }

    @Test
    @Timeout(20)
    void blackholeDropsBytesButKeepsConnectionsOpenUntilRestore() throws Exception {
        server = TestServer.echo();
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.rtt(Duration.ofMillis(2), 0));
        try (Socket old = connect()) {
            pingPong(old, 'a');
            proxy.blackhole();

            old.getOutputStream().write("lost".getBytes());
            assertNothingArrives(old);
            Socket orphan = connect(); // accepted, but goes nowhere
            orphan.getOutputStream().write('x');
            assertNothingArrives(orphan);
            assertEquals(1, server.received.get(), "bytes crossed the blackhole");
            assertEquals(1, server.accepted.get(), "a connection crossed the blackhole");
            assertEquals(0, server.ended.get(), "the target's connection should stay open");
            assertTrue(proxy.stats().droppedBytes() >= 5, "dropped " + proxy.stats().droppedBytes());

            proxy.restore();
            pingPong(old, 'b');
            assertEquals(2, server.received.get(), "only 'a' and 'b' should have reached the target");
            assertConnectionEnded(orphan); // the target never heard of it
            orphan.close();
            try (Socket fresh = connect()) {
                pingPong(fresh, 'c');
            }
            awaitTrue(() -> server.eofs.get() == 1, Duration.ofSeconds(5), "the FIN of the fresh connection");

            // A FIN vanishes in a blackhole too, and arrives once the link is back.
            proxy.blackhole();
            old.shutdownOutput();
            Thread.sleep(300);
            assertEquals(1, server.eofs.get(), "the FIN crossed the blackhole");
            proxy.restore();
            awaitTrue(() -> server.eofs.get() == 2, Duration.ofSeconds(5), "the FIN after restore");
            assertEquals(-1, old.getInputStream().read(), "the target's answering FIN");
        }
    }

    @Test
    @Timeout(20)
    void slowLinkStopsReadingInsteadOfBuffering() throws Exception {
        server = TestServer.sink();
        long bound = 256 * 1024;
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.symmetric(Duration.ZERO, 16_000_000), bound);
        int total = 3_000_000; // 1.5 s at 16 Mbit/s; the sender could write it in milliseconds
        try (Socket s = connect()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    byte[] block = new byte[64 * 1024];
                    for (int off = 0; off < total; off += block.length) {
                        s.getOutputStream().write(block, 0, Math.min(block.length, total - off));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long sampledPeak = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.received.get() < total && System.nanoTime() < deadline) {
                sampledPeak = Math.max(sampledPeak, proxy.inFlightBytes());
                Thread.sleep(1);
            }
            writer.join();
            assertEquals(total, server.received.get());
            long peak = proxy.peakInFlightBytes();
            assertTrue(peak >= sampledPeak);
            assertTrue(peak >= bound, "the sender outran the link, so the bound should have been reached: " + peak);
            assertTrue(peak <= bound + WanProxy.MAX_OVERSHOOT, "held " + peak + " bytes with a bound of " + bound);
            awaitTrue(() -> proxy.inFlightBytes() == 0, Duration.ofSeconds(2), "nothing left in flight");
        }
    }

    @Test
    @Timeout(20)
    void profileChangesApplyToLaterBytes() throws Exception {
        server = TestServer.echo();
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.NONE);
        try (Socket s = connect()) {
            pingPong(s, 1);
            proxy.setProfile(WanProfile.rtt(Duration.ofMillis(60), 0));
            assertTrue(pingPong(s, 2) >= TimeUnit.MILLISECONDS.toNanos(60));
            proxy.setProfile(WanProfile.NONE);
            assertTrue(pingPong(s, 3) < TimeUnit.MILLISECONDS.toNanos(60) + TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    @Test
    @Timeout(10)
    void aResetAtTheTargetReachesTheClientAsAReset() throws Exception {
        try (ServerSocket resetter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = resetter.accept()) {
                    s.getInputStream().read(); // after the client's first byte,
                    s.setSoLinger(true, 0); // hang up with an RST
                } catch (IOException e) {
                    // the test fails on its own side
                }
            });
            proxy = WanProxy.start(ANY_PORT, (InetSocketAddress) resetter.getLocalSocketAddress(),
                    WanProfile.rtt(Duration.ofMillis(10), 0));
            try (Socket s = connect()) {
                s.getOutputStream().write(1);
                assertReset(s);
            }
        }
    }

    @Test
    @Timeout(10)
    void closeEndsConnections() throws Exception {
        server = TestServer.echo();
        proxy = WanProxy.start(ANY_PORT, server.address(), WanProfile.NONE);
        try (Socket s = connect()) {
            pingPong(s, 1);
            proxy.close();
            assertConnectionEnded(s);
        }
        proxy = null;
    }

    /** The proxy closed the connection: EOF or a reset, not a timeout. */
    private static void assertConnectionEnded(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        try {
            int b = s.getInputStream().read();
            assertEquals(-1, b, "expected the connection to end, got a byte");
        } catch (SocketTimeoutException e) {
            fail("the connection is still open");
        } catch (SocketException reset) {
            // connection reset: what a cut looks like
        }
    }

    /** The peer reset the connection: what a dead link or a crashed endpoint looks like. */
    private static void assertReset(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        try {
            int b = s.getInputStream().read();
            fail(b == -1 ? "expected a reset, got an orderly EOF" : "expected a reset, got a byte");
        } catch (SocketTimeoutException e) {
            fail("the connection is still open");
        } catch (SocketException reset) {
            assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
        }
    }

    /** Connecting is refused, or the connection is accepted and reset straight away. */
    private void assertResetOrRefused(Socket s) throws IOException {
        try {
            s.connect(proxy.address(), 5_000);
        } catch (SocketException refused) {
            return;
        }
        assertReset(s);
    }

    private static void assertNothingArrives(Socket s) throws IOException {
        s.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(),
                "a byte (or an EOF) came through the blackhole");
        s.setSoTimeout(10_000);
    }

    static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(1);
        }
    }
}
