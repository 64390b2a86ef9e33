package io.sitepair.ops.pair;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sitepair.replicator.pair.Site;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A site's status endpoint: {@code GET /status} answers the site's status as JSON. Read-only, on
 * the admin address from the configuration (loopback in the lab).
 */
final class AdminServer implements AutoCloseable {
    private final HttpServer server;

    AdminServer(InetSocketAddress address, Site site) throws IOException {
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve status on " + address.getHostString() + ":" + address.getPort() + ": "
                    + e.getMessage(), e);
        }
        server.createContext("/status", exchange -> answer(exchange, site));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("sitepair-admin")
                .unstarted(r)));
        server.start();
    }

    private static void answer(HttpExchange exchange, Site site) throws IOException {
        byte[] body = (Json.write(site.status()) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
