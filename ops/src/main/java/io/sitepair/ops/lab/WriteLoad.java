package io.sitepair.ops.lab;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Redis clients writing distinct keys to the live site of a pair and keeping a ledger: a key
 * enters it only once its SET returned OK. A client whose site goes away tries the other site's
 * address until one answers, as a client following {@code sitepair endpoint} would. Records when
 * each site last acknowledged a write, and, after {@link #markFailure}, when the other site first
 * did, which is the unavailability a client saw.
 */
public final class WriteLoad implements AutoCloseable {
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, Long> lastAckNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> firstAckAfterFailure = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final String live;
    private final AcknowledgementPauses pauses = new AcknowledgementPauses();
    /** Per site, when a client's first write there (after writing elsewhere, or none) was acknowledged. */
    private final Map<String, java.util.Queue<Long>> arrivals = new ConcurrentHashMap<>();
    private final java.util.Deque<String> recent = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile boolean failed;
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final int writers;
    private final int replyTimeoutMillis;

    /** {@code writers} clients writing keys {@code <prefix>:w<n>:<i>}, starting at site {@code live}. */
    public WriteLoad(int writers, String prefix, Map<String, InetSocketAddress> sites, String live) {
        this(writers, prefix, sites, live, 2000);
    }

    /**
     * As above, each client giving up on a reply after {@code replyTimeoutMillis} and connecting
     * again. Clients of a pair whose connections survive a failover wait longer than the failover.
     */
    public WriteLoad(int writers, String prefix, Map<String, InetSocketAddress> sites, String live,
                     int replyTimeoutMillis) {
        this.live = live;
        this.writers = writers;
        this.replyTimeoutMillis = replyTimeoutMillis;
        for (int w = 0; w < writers; w++) {
            String keys = prefix + ":w" + w + ":";
            threads.add(Thread.ofPlatform().daemon().name("sitepair-writer-" + w).start(() -> write(keys, sites)));
        }
    }

    private void write(String keys, Map<String, InetSocketAddress> sites) {
        List<String> order = new ArrayList<>(sites.keySet());
        int at = order.indexOf(live);
        int i = 0;
        String lastAcknowledgedBy = null;
        while (!stop.get()) {
            String site = order.get(at);
            InetSocketAddress address = sites.get(site);
            try (Jedis client = new Jedis(address.getHostString(), address.getPort(), replyTimeoutMillis)) {
                connections.incrementAndGet();
                while (!stop.get()) {
                    String key = keys + i++;
                    String value = "v" + i;
                    try {
                        client.set(key, value);
                    } catch (JedisDataException refused) {
                        continue; // an error reply: not acknowledged
                    }
                    long now = System.nanoTime();
                    acknowledged.put(key, value);
                    pauses.acknowledged(now);
                    remember(key);
                    if (!site.equals(lastAcknowledgedBy)) {
                        arrivals.computeIfAbsent(site, s -> new java.util.concurrent.ConcurrentLinkedQueue<>()).add(now);
                        lastAcknowledgedBy = site;
                    }
                    lastAckNanos.merge(site, now, Math::max);
                    if (failed && !site.equals(live)) {
                        firstAckAfterFailure.merge(site, now, Math::min);
                    }
                }
            } catch (RuntimeException gone) {
                at = (at + 1) % order.size(); // try the other site
                pause(20);
            }
        }
    }

    /** How many times a client connected again after its first connection: 0 if no connection was lost. */
    public int reconnections() {
        return Math.max(0, connections.get() - writers);
    }

    /** Keeps the last {@link #RECENT} acknowledged keys, newest last. */
    private void remember(String key) {
        recent.addLast(key);
        if (recent.size() > RECENT) {
            recent.pollFirst();
        }
    }

    private static final int RECENT = 1000;

    /** Up to {@code n} of the keys acknowledged last (n at most 1000), each acknowledged before this call. */
    public List<String> lastAcknowledged(int n) {
        List<String> keys = new ArrayList<>(recent);
        return List.copyOf(keys.subList(Math.max(0, keys.size() - n), keys.size()));
    }

    /** The pauses its clients saw, measured window by window. */
    public AcknowledgementPauses pauses() {
        return pauses;
    }

    /** When {@code site} first acknowledged a client's write at or after {@code since} (System.nanoTime); null if not yet. */
    public Long firstAcknowledgedBy(String site, long since) {
        return arrivals.getOrDefault(site, new java.util.ArrayDeque<>()).stream().filter(t -> t - since >= 0)
                .min(Long::compare).orElse(null);
    }

    /** Whether a client's write was acknowledged, by whichever site, at or after {@code since} (System.nanoTime). */
    public boolean acknowledgedSince(long since) {
        return lastAckNanos.values().stream().anyMatch(t -> t - since >= 0);
    }

    /** Whether {@code site} has acknowledged a client's write at or after {@code since}. */
    public boolean acknowledgedAfter(String site, long since) {
        return firstAcknowledgedBy(site, since) != null;
    }

    /** The site the clients started writing to. */
    public String live() {
        return live;
    }

    /** The ledger: each acknowledged key and its value (live: it grows while the clients write). */
    public Map<String, String> acknowledged() {
        return acknowledged;
    }

    /** The live site is being failed now: from here on, count the other site's first acknowledgement. */
    public void markFailure() {
        failed = true;
    }

    /** Milliseconds from the failed site's last acknowledged write to {@code next}'s first; -1 if none yet. */
    public double unavailableMillis(String next) {
        Long first = firstAckAfterFailure.get(next);
        Long last = lastAckNanos.get(live);
        return first == null || last == null ? -1 : (first - last) / 1e6;
    }

    public boolean acknowledgedBy(String site) {
        return firstAckAfterFailure.containsKey(site);
    }

    /** Waits until {@code n} writes have been acknowledged in all; fails after {@code seconds}. */
    public void awaitAcknowledged(int n, int seconds) {
        await(() -> acknowledged.size() >= n, seconds, n + " acknowledged writes");
    }

    /** Waits for {@code condition}; fails naming {@code what} after {@code seconds}. */
    public static void await(BooleanSupplier condition, int seconds, String what) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what);
            }
            pause(10);
        }
    }

    /** How many writes of {@code ledger} {@code site} does not hold; read back in batches, as MGETs. */
    public static long missing(Map<String, String> ledger, InetSocketAddress site) {
        return missingWrites(ledger, site).size();
    }

    /** The writes of {@code ledger} that {@code site} does not hold: each key and the value it holds (null: none). */
    public static Map<String, String> missingWrites(Map<String, String> ledger, InetSocketAddress site) {
        Map<String, String> missing = new java.util.TreeMap<>();
        List<String> keys = List.copyOf(ledger.keySet());
        try (Jedis client = new Jedis(site.getHostString(), site.getPort(), 5000)) {
            for (int from = 0; from < keys.size(); from += READ_BATCH) {
                List<String> batch = keys.subList(from, Math.min(keys.size(), from + READ_BATCH));
                List<String> values = client.mget(batch.toArray(String[]::new));
                for (int i = 0; i < batch.size(); i++) {
                    if (!ledger.get(batch.get(i)).equals(values.get(i))) {
                        missing.put(batch.get(i), values.get(i));
                    }
                }
            }
        }
        return missing;
    }

    private static final int READ_BATCH = 500;

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
