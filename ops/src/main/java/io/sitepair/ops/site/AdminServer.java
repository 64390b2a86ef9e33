package io.sitepair.ops.site;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.status.StatusJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A site's admin endpoint, on the admin address from the configuration (loopback in the lab):
 * {@code GET /status} answers the site's status as JSON, to anyone; {@code POST /switchover} (a
 * planned switchover), {@code POST /verify} (online verify), {@code POST /repair} (verify, then
 * repair what differs) and {@code POST /resync?rate=N&discard=SITE} (start a planned resync, or
 * change its rate) only for a request signed with the pair's secret ({@link AdminAuth}); the
 * signature covers the query; and {@code POST /inject?fault=disk-io-error|disk-full} (a drill:
 * the site's disk writes fail from now on).
 */
final class AdminServer implements AutoCloseable {
    private final HttpServer server;

    /** Serves whichever site {@code site} gives at the moment of each request. */
    AdminServer(InetSocketAddress address, Supplier<Site> site, io.sitepair.ops.config.PairConfig pair)
            throws IOException {
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve status on " + address.getHostString() + ":" + address.getPort() + ": "
                    + e.getMessage(), e);
        }
        StatusJson.prepare();
        server.createContext("/status", exchange -> answer(exchange, site.get()));
        server.createContext("/switchover", exchange -> operate(exchange, pair, "switchover", p -> site.get().switchOver()));
        server.createContext("/verify", exchange -> operate(exchange, pair, "verify", p -> site.get().verify(false)));
        server.createContext("/repair", exchange -> operate(exchange, pair, "repair", p -> site.get().verify(true)));
        server.createContext("/inject", exchange -> operate(exchange, pair, "inject",
                p -> site.get().injectDiskFault(DiskFaults.deviceError(p.get("fault")))));
        server.createContext("/resync", exchange -> operate(exchange, pair, "resync",
                p -> site.get().resync(Long.parseLong(p.getOrDefault("rate", "0")), p.get("discard"))));
        // Not one thread: status must answer while a switchover is waiting for the backup.
        server.setExecutor(Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon().name("sitepair-admin")
                .unstarted(r)));
        server.start();
    }

    /** What an operation does with its query's parameters. */
    private interface Operation {
        String run(Map<String, String> parameters) throws Exception;
    }

    /** {@code a=1&b=x} as a map; values are plain (rates, site names), never escaped. */
    private static Map<String, String> query(String query) {
        Map<String, String> params = new java.util.HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return params;
    }

    private static void answer(HttpExchange exchange, Site site) throws IOException {
        byte[] body = (StatusJson.write(site.status()) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * A signed {@code POST /<name>[?query]} (the signature covers the query): runs {@code action} with
     * the query's parameters and answers what it says, or why it refused.
     */
    private static void operate(HttpExchange exchange, io.sitepair.ops.config.PairConfig pair, String name,
                                Operation action) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        String operation = query == null ? name : name + "?" + query;
        if (!"POST".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "POST /" + operation);
            return;
        }
        String refusal = AdminAuth.refusal(pair.secret(), pair.pair(), operation,
                exchange.getRequestHeaders().getFirst(AdminAuth.HEADER));
        if (refusal != null) {
            reply(exchange, 403, refusal);
            return;
        }
        try {
            reply(exchange, 200, action.run(query(query)));
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            reply(exchange, 409, String.valueOf(cause.getMessage()));
        }
    }

    private static void reply(HttpExchange exchange, int code, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(2); // lets an answer being written finish: the reply to a switchover ends the site
    }
}
