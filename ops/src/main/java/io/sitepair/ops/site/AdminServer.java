package io.sitepair.ops.site;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminAccess.Permission;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.status.StatusJson;
import io.sitepair.replicator.tls.PeerRule;
import io.sitepair.replicator.tls.TlsIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A site's admin endpoint, on the admin address from the configuration: {@code GET /status} answers
 * the site's status as JSON; {@code POST /switchover} (a planned switchover), {@code POST /verify}
 * (online verify), {@code POST /repair} (verify, then repair what differs), {@code POST
 * /resync?rate=N&discard=SITE} (start a planned resync, or change its rate) and {@code POST
 * /inject?fault=disk-io-error|disk-full} (a drill: the site's disk writes fail from now on) operate it.
 *
 * <p>With the pair's TLS on, it is HTTPS only, TLS 1.3, and every request comes with a client
 * certificate of the pair's CA; what its holder may do is {@link AdminAccess}'s decision. With TLS
 * off (a lab on loopback), it is plain HTTP: status is open and an operation must be signed with
 * the pair's secret ({@link AdminAuth}; the signature covers the query). Every refusal is logged.
 */
final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final PairConfig pair;

    /**
     * Serves, on {@code address}, whichever site {@code site} gives at the moment of each request;
     * over HTTPS with the site's {@code identity}, or plain HTTP when the pair's TLS is off (null).
     */
    AdminServer(InetSocketAddress address, PairConfig pair, TlsIdentity identity, Supplier<Site> site)
            throws IOException {
        this.pair = pair;
        try {
            server = identity != null ? https(address, identity) : HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve the admin API on " + Addresses.hostPort(address) + ": "
                    + e.getMessage(), e);
        }
        StatusJson.prepare();
        serve("/status", Permission.READ, exchange -> {
            if (!"GET".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "GET /status");
                return;
            }
            byte[] body = (StatusJson.write(site.get().status()) + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        operation("switchover", p -> site.get().switchOver());
        operation("verify", p -> site.get().verify(false));
        operation("repair", p -> site.get().verify(true));
        operation("inject", p -> site.get().injectDiskFault(DiskFaults.deviceError(p.get("fault"))));
        operation("resync", p -> site.get().resync(Long.parseLong(p.getOrDefault("rate", "0")), p.get("discard")));
        // Not one thread: status must answer while a switchover is waiting for the backup.
        server.setExecutor(Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon().name("sitepair-admin")
                .unstarted(r)));
        server.start();
    }

    /** An HTTPS server that accepts any holder of the pair's certificates (what each may do is decided per request). */
    private static HttpsServer https(InetSocketAddress address, TlsIdentity identity) throws IOException {
        HttpsServer https = HttpsServer.create(address, 16);
        SSLContext context = RefusedHandshakes.reporting(identity.jdk(PeerRule.ANY_OF_THE_PAIR),
                refusal -> LOG.warn("admin API: refused a TLS connection from {}", refusal));
        https.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setProtocols(new String[] {TlsIdentity.PROTOCOL});
                parameters.setNeedClientAuth(true);
                params.setSSLParameters(parameters);
            }
        });
        return https;
    }

    /** What a request does once allowed. */
    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /** What an operation does with its query's parameters; its answer is the reply's body. */
    private interface Operation {
        String run(Map<String, String> parameters) throws Exception;
    }

    /** Serves {@code path} to callers allowed {@code permission}; refuses the others with 403, and logs it. */
    private void serve(String path, Permission permission, Handler handler) {
        server.createContext(path, exchange -> {
            try (exchange) {
                String what = permission == Permission.READ ? "read status" : path.substring(1);
                String refusal = refusal(exchange, permission, what);
                if (refusal != null) {
                    InetSocketAddress from = exchange.getRemoteAddress();
                    LOG.warn("admin API: refused {} {} from {}:{}: {}", exchange.getRequestMethod(), path,
                            from.getAddress().getHostAddress(), from.getPort(), refusal);
                    reply(exchange, 403, refusal);
                    return;
                }
                handler.handle(exchange);
            }
        });
    }

    /** Why this request may not do {@code wanted}, or null if it may. */
    private String refusal(HttpExchange exchange, Permission wanted, String what) {
        if (exchange instanceof HttpsExchange https) {
            return AdminAccess.refusal(TlsIdentity.peerOf(https.getSSLSession()), wanted, what);
        }
        if (wanted == Permission.READ) {
            return null; // plain HTTP is a lab's, on loopback
        }
        return AdminAuth.refusal(pair.secret(), pair.pair(), signed(exchange, what),
                exchange.getRequestHeaders().getFirst(AdminAuth.HEADER));
    }

    /** What a signature covers: the operation and its query. */
    private static String signed(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        return query == null ? name : name + "?" + query;
    }

    /**
     * {@code POST /<name>[?query]}: runs {@code action} with the query's parameters and answers what
     * it says, or why it could not.
     */
    private void operation(String name, Operation action) {
        serve("/" + name, Permission.OPERATE, exchange -> {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "POST /" + signed(exchange, name));
                return;
            }
            try {
                reply(exchange, 200, action.run(query(exchange.getRequestURI().getRawQuery())));
            } catch (Exception e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                reply(exchange, 409, String.valueOf(cause.getMessage()));
            }
        });
    }

    /** {@code a=1&b=x} as a map; values are plain (rates, site names), never escaped. */
    private static Map<String, String> query(String query) {
        Map<String, String> params = new HashMap<>();
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

    private static void reply(HttpExchange exchange, int code, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Where it listens (the port chosen when the address asked for port 0). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(2); // lets an answer being written finish: the reply to a switchover ends the site
    }
}
