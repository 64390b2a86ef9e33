package io.sitepair.replicator.pair;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Waits for the backup's acknowledgements to reach a log position (a power-off or switchover
 * marker), completed by the acknowledgements themselves instead of a polling loop. Loop thread
 * only.
 */
final class AcknowledgedWaits {
    private final NavigableMap<Long, List<CompletableFuture<Void>>> waiting = new TreeMap<>();
    private long acknowledged;

    /** Completes once the backup holds {@code position}; at once if it already does. */
    CompletableFuture<Void> reach(long position) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        if (position <= acknowledged) {
            reached.complete(null);
        } else {
            waiting.computeIfAbsent(position, p -> new ArrayList<>()).add(reached);
        }
        return reached;
    }

    /** The backup holds every entry through {@code position}. */
    void acknowledged(long position) {
        acknowledged = Math.max(acknowledged, position);
        var reached = waiting.headMap(acknowledged, true);
        reached.values().forEach(futures -> futures.forEach(f -> f.complete(null)));
        reached.clear();
    }

    /** There is no backup to wait for any more (it failed, or this role ended): every wait ends now. */
    void abandon() {
        waiting.values().forEach(futures -> futures.forEach(f -> f.complete(null)));
        waiting.clear();
    }

    /** The furthest position the backup has acknowledged. */
    long acknowledged() {
        return acknowledged;
    }
}
