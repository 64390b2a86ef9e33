package io.sitepair.tiebreaker;

import io.sitepair.tiebreaker.Tiebreaker.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connection listeners of one tiebreaker handle: every one hears every change, even when another throws. */
final class ConnectionListeners {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionListeners.class);

    private final List<Consumer<Connection>> listeners = new CopyOnWriteArrayList<>();

    Tiebreaker.Registration add(Consumer<Connection> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void announce(Connection next) {
        for (Consumer<Connection> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException bug) {
                // One listener's failure must not keep the others from hearing of the change: a
                // serving site's fence is one of them.
                LOG.error("BUG: a ZooKeeper connection listener failed on {}; the others were still told", next, bug);
            }
        }
    }
}
