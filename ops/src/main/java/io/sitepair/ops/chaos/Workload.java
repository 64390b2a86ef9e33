package io.sitepair.ops.chaos;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Concurrent Redis clients recording every operation into a {@link History}: SETs of keys no one
 * else writes, SET and GET of a few hot keys, INCR of counters. A client that cannot connect to
 * a site tries the other one (the one that is not live does not listen), as a client following
 * {@code sitepair endpoint} would. Short timeouts: an operation sent without an answer in time is
 * {@code UNKNOWN} (it may have happened), one refused before anything was sent is {@code FAILED}.
 * A client whose operation ended {@code UNKNOWN} continues as a new process, so that no process
 * has two operations outstanding.
 */
final class Workload implements AutoCloseable {
    private static final int TIMEOUT_MS = 1000;
    private static final int THINK_MS = 5; // leaves the two sites' JVMs some of a small machine's cores

    final Set<String> hotKeys = new LinkedHashSet<>();
    final Set<String> counterKeys = new LinkedHashSet<>();
    private final String prefix;
    private final History history;
    private final Map<String, InetSocketAddress> sites;
    private final AtomicInteger nextProcess;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Starts {@code clients} clients on keys named {@code <prefix>:...}, first trying {@code live}.
     * Process numbers come from {@code processes}, shared across cycles so that they never repeat.
     */
    Workload(History history, String prefix, Map<String, InetSocketAddress> sites, String live, int clients,
            long seed, AtomicInteger processes) {
        this.history = history;
        this.prefix = prefix;
        this.sites = sites;
        this.nextProcess = processes;
        for (int i = 0; i < 3; i++) {
            hotKeys.add(prefix + ":hot" + i);
        }
        for (int i = 0; i < 2; i++) {
            counterKeys.add(prefix + ":ctr" + i);
        }
        for (int c = 0; c < clients; c++) {
            Random random = new Random(seed * 31 + c);
            threads.add(Thread.ofPlatform().daemon().name("chaos-client-" + c).start(() -> run(random, live)));
        }
    }

    private void run(Random random, String live) {
        List<String> order = new ArrayList<>(sites.keySet());
        int at = order.indexOf(live);
        int process = nextProcess.getAndIncrement();
        int n = 0;
        Jedis client = null;
        while (!stop.get()) {
            String site = order.get(at);
            Request request = next(random, process, n++);
            History.Pending pending = history.invoke(process, request.kind, request.key, request.argument, site);
            if (client == null) {
                try {
                    client = connect(sites.get(site));
                } catch (JedisConnectionException notListening) {
                    pending.failed();
                    at = (at + 1) % order.size();
                    pause(50);
                    continue;
                }
            }
            try {
                pending.ok(request.perform(client));
            } catch (JedisDataException refused) {
                pending.failed(); // an error reply: refused, not applied
            } catch (RuntimeException noAnswer) {
                if (request.kind == Operation.Kind.GET) {
                    pending.failed(); // a read without an answer has no effect to account for
                } else {
                    pending.unknown();
                    process = nextProcess.getAndIncrement();
                }
                closeQuietly(client);
                client = null;
                at = (at + 1) % order.size();
            }
            pause(THINK_MS);
        }
        closeQuietly(client);
    }

    /** The next operation: half unique SETs, a third on the hot keys, the rest INCRs. */
    private Request next(Random random, int process, int n) {
        int dice = random.nextInt(100);
        if (dice < 50) {
            return new Request(Operation.Kind.SET, prefix + ":u:" + process + ":" + n, "v" + n);
        }
        if (dice < 85) {
            String key = prefix + ":hot" + random.nextInt(hotKeys.size());
            return dice < 68 ? new Request(Operation.Kind.SET, key, "p" + process + "-" + n)
                    : new Request(Operation.Kind.GET, key, null);
        }
        return new Request(Operation.Kind.INCR, prefix + ":ctr" + random.nextInt(counterKeys.size()), null);
    }

    /**
     * A connection to {@code site}, made now rather than at the first command (as Jedis would), so
     * that a site not listening fails the operation before anything was sent.
     */
    private static Jedis connect(InetSocketAddress site) {
        Jedis client = new Jedis(site.getHostString(), site.getPort(), TIMEOUT_MS);
        try {
            client.connect();
            return client;
        } catch (JedisConnectionException e) {
            client.close();
            throw e;
        }
    }

    private record Request(Operation.Kind kind, String key, String argument) {
        /** The result as the history records it: the server's status for a SET, null for a missing key's GET. */
        String perform(Jedis client) {
            return switch (kind) {
                case SET -> client.set(key, argument);
                case GET -> client.get(key);
                case INCR -> String.valueOf(client.incr(key));
            };
        }
    }

    /** Stops the clients; an operation in flight ends (at most one timeout later) before this returns. */
    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(TIMEOUT_MS * 5L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeQuietly(Jedis client) {
        if (client != null) {
            try {
                client.close();
            } catch (JedisException ignored) {
                // closing a broken connection
            }
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
