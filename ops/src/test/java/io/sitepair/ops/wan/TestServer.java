package io.sitepair.ops.wan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The far end of the proxy in tests: a loopback server that echoes (or just counts) what each
 * connection sends and, on EOF, half-closes back, so a FIN can be followed through the proxy.
 */
final class TestServer implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger(); // connections whose input ended: EOF or reset
    final AtomicInteger eofs = new AtomicInteger(); // of those, the ones that ended with a FIN
    final AtomicLong received = new AtomicLong();
    private final ServerSocket server;
    private final boolean echo;

    private TestServer(boolean echo) throws IOException {
        this.echo = echo;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("test-server").start(this::acceptLoop);
    }

    static TestServer echo() throws IOException {
        return new TestServer(true);
    }

    /** Reads and counts, never answers. */
    static TestServer sink() throws IOException {
        return new TestServer(false);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket s = server.accept();
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(s));
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) != -1; ) {
                received.addAndGet(n);
                if (echo) {
                    out.write(buf, 0, n);
                }
            }
            eofs.incrementAndGet();
            s.shutdownOutput();
        } catch (IOException reset) {
            // counted below
        } finally {
            ended.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
