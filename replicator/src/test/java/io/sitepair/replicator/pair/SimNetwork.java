package io.sitepair.replicator.pair;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The WAN between the two sites as it misbehaves: every message is delayed by a random amount
 * (so some overtake others), some are dropped, some delivered twice, and while the link is
 * partitioned none arrive. A message reaches whatever listens at its site when it arrives: a
 * crashed site hears nothing, a restarted one hears what arrives after it listens.
 */
final class SimNetwork {
    /** How badly the link behaves. */
    record Weather(double dropRate, double duplicateRate, long minDelayMs, long maxDelayMs) {
        static final Weather CALM = new Weather(0, 0, 1, 1);
    }

    private final SimClock clock;
    private final Random random;
    private final Weather weather;
    private final Map<String, Consumer<Object>> listeners = new HashMap<>();
    private boolean partitioned;
    private long delivered;

    SimNetwork(SimClock clock, Random random, Weather weather) {
        this.clock = clock;
        this.random = random;
        this.weather = weather;
    }

    void listen(String site, Consumer<Object> listener) {
        listeners.put(site, listener);
    }

    void deafen(String site) {
        listeners.remove(site);
    }

    void partition(boolean cut) {
        partitioned = cut;
    }

    void send(String to, Object message) {
        if (partitioned || random.nextDouble() < weather.dropRate()) {
            return;
        }
        deliverLater(to, message);
        if (random.nextDouble() < weather.duplicateRate()) {
            deliverLater(to, message);
        }
    }

    long delivered() {
        return delivered;
    }

    private void deliverLater(String to, Object message) {
        long delayMs = weather.minDelayMs() + (weather.maxDelayMs() > weather.minDelayMs()
                ? random.nextLong(weather.maxDelayMs() - weather.minDelayMs() + 1) : 0);
        clock.after(delayMs * SimClock.MS, () -> {
            Consumer<Object> listener = listeners.get(to);
            if (listener != null && !partitioned) {
                delivered++;
                listener.accept(message);
            }
        });
    }
}
