package io.sitepair.tiebreaker;

import io.sitepair.tiebreaker.Tiebreaker.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One pair's quorum in memory, in place of the ZooKeeper ensemble, for unit tests and the seeded
 * simulation: the site handles it {@linkplain #connect connects} share one record and one set of
 * inconsistent marks, each with a version that every write bumps, and a claim writes only if
 * neither moved since it read them. So the handles decide exactly as {@link ZooKeeperTiebreaker}'s
 * do, by the same {@link ClaimDecision}.
 *
 * <p>It is deterministic: no thread, no clock of its own. Its fault controls change which handles
 * reach the quorum, and each handle whose view changes tells its listeners at once, on the thread
 * that called the control, handles in the order they connected. The states are those Curator
 * would report, mapped as {@link ZooKeeperTiebreaker} maps them:
 * <ul>
 * <li>a {@code CONNECTED} handle cut off ({@link #loseQuorum}, or {@link #partition} of it) hears
 *     {@code SUSPENDED}: the connection dropped, the session may live on;
 * <li>{@link #expireSessions} is the session timeout passing (the simulator calls it when its clock
 *     says so): every handle still cut off and {@code SUSPENDED} hears {@code LOST};
 * <li>a handle that reaches the quorum again ({@link #regainQuorum}, {@link #heal}) hears
 *     {@code CONNECTED} (Curator's RECONNECTED, with its session if it was suspended, a new one if
 *     lost);
 * <li>a handle connected while cut off is {@code CONNECTING} and hears {@code CONNECTED} when it
 *     first reaches the quorum; until then it hears neither {@code SUSPENDED} nor {@code LOST}.
 * </ul>
 * A control that changes nothing for a handle tells it nothing. While a handle is not connected its
 * operations throw {@link NoQuorumException} at once and decide nothing (Curator would retry for a
 * while first). Every operation either applies and answers or throws before applying: a write
 * applied whose answer is lost is not modelled.
 *
 * <p>Handles may be used from several threads (a test may race them). Controls are serialized with
 * their announcements, so listeners hear changes in order; listeners are called without the
 * quorum's lock held, so they may call their handle back.
 */
public final class InMemoryQuorum {
    /** A value and its version, as a znode's data and its data version. */
    record Versioned<T>(T value, int version) {
        Versioned<T> next(T newValue) {
            return new Versioned<>(newValue, version + 1);
        }
    }

    private final Object controls = new Object();
    private final List<InMemoryTiebreaker> handles = new ArrayList<>();
    private final Set<InMemoryTiebreaker> partitioned = new HashSet<>();
    private boolean hasQuorum = true;
    private Versioned<EpochRecord> record;
    private Versioned<Set<String>> marks;
    private InMemoryTiebreaker drillHolder; // the handle holding the drill lock; null: free
    private String drillHolderWords;

    /** A new site handle, connected at once if the quorum is up. */
    public InMemoryTiebreaker connect() {
        synchronized (controls) {
            synchronized (this) {
                InMemoryTiebreaker handle = new InMemoryTiebreaker(this,
                        hasQuorum ? Connection.CONNECTED : Connection.CONNECTING);
                handles.add(handle);
                return handle;
            }
        }
    }

    /** The quorum is lost (a majority of the ensemble is down): no handle reaches it. */
    public void loseQuorum() {
        change(() -> hasQuorum = false, false);
    }

    /** The quorum is back: every handle not partitioned reaches it again. */
    public void regainQuorum() {
        change(() -> hasQuorum = true, false);
    }

    /** {@code handle} alone is cut off from the quorum (its site's link to the ensemble is down). */
    public void partition(InMemoryTiebreaker handle) {
        change(() -> partitioned.add(mine(handle)), false);
    }

    /** {@code handle} reaches the quorum again, if the quorum is up. */
    public void heal(InMemoryTiebreaker handle) {
        change(() -> partitioned.remove(mine(handle)), false);
    }

    /** The session timeout passed: every handle cut off and still suspended has lost its session. */
    public void expireSessions() {
        change(() -> { }, true);
    }

    /** The record as the quorum holds it, whatever the faults, for a simulator's invariant checks. */
    public synchronized Optional<EpochRecord> record() {
        return Optional.ofNullable(record).map(Versioned::value);
    }

    /** The sites marked inconsistent, whatever the faults, for a simulator's invariant checks. */
    public synchronized Set<String> inconsistentSites() {
        return marks == null ? Set.of() : marks.value();
    }

    private InMemoryTiebreaker mine(InMemoryTiebreaker handle) {
        if (!handles.contains(handle)) {
            throw new IllegalArgumentException("not an open handle on this quorum: " + handle);
        }
        return handle;
    }

    private void change(Runnable fault, boolean sessionsExpire) {
        synchronized (controls) {
            List<Runnable> announcements = new ArrayList<>();
            synchronized (this) {
                fault.run();
                for (InMemoryTiebreaker handle : handles) {
                    Connection now = handle.connection();
                    Connection next = next(now, reachable(handle), sessionsExpire);
                    if (next != now) {
                        announcements.add(() -> handle.hear(next));
                    }
                }
            }
            announcements.forEach(Runnable::run);
        }
    }

    private static Connection next(Connection now, boolean reachable, boolean sessionsExpire) {
        if (reachable) {
            return Connection.CONNECTED;
        }
        return switch (now) {
            case CONNECTED -> Connection.SUSPENDED;
            case SUSPENDED -> sessionsExpire ? Connection.LOST : now;
            case CONNECTING, LOST -> now;
        };
    }

    private boolean reachable(InMemoryTiebreaker handle) {
        return hasQuorum && !partitioned.contains(handle);
    }

    synchronized void disconnect(InMemoryTiebreaker handle) {
        handles.remove(handle);
        partitioned.remove(handle);
        if (drillHolder == handle) {
            drillHolder = null; // as an ephemeral node goes with its session
        }
    }

    synchronized DrillLock lockDrill(InMemoryTiebreaker handle, String holder)
            throws NoQuorumException, DrillLock.Taken {
        checkReaches(handle, "taking the drill lock");
        if (drillHolder != null) {
            throw new DrillLock.Taken(drillHolderWords);
        }
        drillHolder = handle;
        drillHolderWords = holder;
        return DrillLock.held(holder, () -> {
            synchronized (this) {
                if (drillHolder == handle) {
                    drillHolder = null;
                }
            }
        });
    }

    // The operations of the handles: each first checks that the handle reaches the quorum.

    synchronized EpochRecord initialize(InMemoryTiebreaker handle, EpochRecord first) throws NoQuorumException {
        checkReaches(handle, "initializing the pair");
        if (record == null) {
            record = new Versioned<>(first, 0);
            marks = new Versioned<>(Set.of(), 0);
        }
        return record.value();
    }

    synchronized Versioned<EpochRecord> readRecord(InMemoryTiebreaker handle) throws NoQuorumException {
        checkReaches(handle, "reading the epoch record");
        checkInitialized();
        return record;
    }

    synchronized Versioned<Set<String>> readMarks(InMemoryTiebreaker handle) throws NoQuorumException {
        checkReaches(handle, "reading the inconsistent marks");
        checkInitialized();
        return marks;
    }

    /** Writes {@code next} if the record and the marks are still at the versions read; false if either moved. */
    synchronized boolean writeRecordIfUnchanged(InMemoryTiebreaker handle, EpochRecord next, int recordVersion,
                                                int marksVersion) throws NoQuorumException {
        checkReaches(handle, "claiming epoch " + next.epoch());
        if (record.version() != recordVersion || marks.version() != marksVersion) {
            return false;
        }
        record = record.next(next);
        return true;
    }

    /** Writes {@code marked} if the marks are still at the version read; false if they moved. */
    synchronized boolean writeMarksIfUnchanged(InMemoryTiebreaker handle, Set<String> marked, int version)
            throws NoQuorumException {
        checkReaches(handle, "writing the inconsistent marks");
        if (marks.version() != version) {
            return false;
        }
        marks = marks.next(Set.copyOf(marked));
        return true;
    }

    private void checkReaches(InMemoryTiebreaker handle, String what) throws NoQuorumException {
        if (!handles.contains(handle)) {
            throw new IllegalStateException(what + ": this tiebreaker handle is closed");
        }
        if (!reachable(handle)) {
            throw new NoQuorumException(what + ": no quorum (" + (hasQuorum ? "this site is partitioned from the"
                    + " in-memory quorum" : "the in-memory quorum is lost") + ")", null);
        }
    }

    private void checkInitialized() {
        if (record == null) {
            throw new IllegalStateException("the pair was never initialized in this in-memory quorum");
        }
    }
}
