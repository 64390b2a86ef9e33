package io.sitepair.tiebreaker;

import io.sitepair.tiebreaker.InMemoryQuorum.Versioned;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A site's handle on an {@link InMemoryQuorum}, which says how its connection follows the quorum's
 * faults. It decides claims as the ZooKeeper tiebreaker does: read, decide, write on condition that
 * nothing moved, else read again.
 */
public final class InMemoryTiebreaker implements Tiebreaker {
    private final InMemoryQuorum quorum;
    private final ConnectionListeners listeners = new ConnectionListeners();
    private volatile Connection connection;
    private volatile boolean closed;

    InMemoryTiebreaker(InMemoryQuorum quorum, Connection initial) {
        this.quorum = quorum;
        this.connection = initial;
    }

    /** Called by the quorum, one change at a time, on the thread of the control that caused it. */
    void hear(Connection next) {
        if (closed) {
            return; // closed by a listener while this change was being told
        }
        connection = next;
        listeners.announce(next);
    }

    @Override
    public Registration onConnectionChange(Consumer<Connection> listener) {
        return listeners.add(listener);
    }

    @Override
    public Connection connection() {
        return connection;
    }

    /** Answers at once: only a control of the quorum, on the caller's own thread, can connect this handle. */
    @Override
    public boolean awaitConnected(Duration timeout) {
        return connection == Connection.CONNECTED;
    }

    @Override
    public EpochRecord initialize(EpochRecord first) throws NoQuorumException {
        return quorum.initialize(this, first);
    }

    @Override
    public EpochRecord current() throws NoQuorumException {
        return quorum.readRecord(this).value();
    }

    @Override
    public Claim claim(long seenEpoch, String site, long position, String endpoint) throws NoQuorumException {
        while (true) {
            Versioned<EpochRecord> now = quorum.readRecord(this);
            Versioned<Set<String>> marks = quorum.readMarks(this);
            switch (ClaimDecision.decide(now.value(), marks::value, seenEpoch, site, position, endpoint)) {
                case ClaimDecision.Settled(Claim settled) -> {
                    return settled;
                }
                case ClaimDecision.Write(EpochRecord next) -> {
                    if (quorum.writeRecordIfUnchanged(this, next, now.version(), marks.version())) {
                        return new Claim(true, next);
                    }
                    // the epoch or the marks moved: read both again
                }
            }
        }
    }

    @Override
    public void markInconsistent(String site, boolean inconsistent) throws NoQuorumException {
        while (true) {
            Versioned<Set<String>> marks = quorum.readMarks(this);
            Set<String> marked = new TreeSet<>(marks.value());
            boolean changed = inconsistent ? marked.add(site) : marked.remove(site);
            if (!changed || quorum.writeMarksIfUnchanged(this, marked, marks.version())) {
                return;
            }
        }
    }

    @Override
    public DrillLock lockDrill(String holder) throws NoQuorumException, DrillLock.Taken {
        return quorum.lockDrill(this, holder);
    }

    @Override
    public void close() {
        closed = true;
        quorum.disconnect(this);
    }
}
