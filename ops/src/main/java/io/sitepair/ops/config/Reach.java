package io.sitepair.ops.config;

import io.sitepair.ops.config.ConfigReport.Endpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code sitepair validate --reach}: a TCP connect to every address the file gives, all at once, each within a
 * timeout. One that does not accept is a warning, not an error: before the pair starts nothing listens yet, and
 * a refused connection then still shows that the host answers, where a timeout points at a firewall or a host
 * that is down.
 */
public final class Reach {
    private Reach() {}

    /** Adds a warning to {@code report} for each address that does not accept a connection within {@code timeout}. */
    public static void check(ConfigReport report, Duration timeout) throws InterruptedException {
        List<Endpoint> endpoints = report.endpoints();
        try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = endpoints.stream()
                    .map(e -> probes.submit(() -> refusal(e.address(), timeout))).toList();
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint e = endpoints.get(i);
                String refusal = answers.get(i).get();
                if (refusal != null) {
                    report.warning(e.line(), e.keyPath(), Addresses.format(e.address()) + " is not reachable: " + refusal);
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a probe failed unexpectedly", e.getCause());
        }
    }

    /** Null if {@code address} accepts a TCP connection within {@code timeout}, else why not, in words. */
    private static String refusal(InetSocketAddress address, Duration timeout) {
        // Looked up again: the name may resolve here now, or only here.
        InetSocketAddress target = new InetSocketAddress(address.getHostString(), address.getPort());
        if (target.isUnresolved()) {
            return "the host name does not resolve";
        }
        try (Socket socket = new Socket()) {
            socket.connect(target, Math.toIntExact(Math.max(1, timeout.toMillis())));
            return null;
        } catch (ConnectException e) {
            return "connection refused (nothing listens there yet, or a firewall rejects it)";
        } catch (SocketTimeoutException e) {
            return "no answer within " + Units.formatDuration(timeout) + " (the host is down, or a firewall drops it)";
        } catch (UnknownHostException e) {
            return "the host name does not resolve";
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
