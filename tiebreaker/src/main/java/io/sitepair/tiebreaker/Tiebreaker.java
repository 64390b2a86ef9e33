package io.sitepair.tiebreaker;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A site's handle on the pair's arbitration: one {@link EpochRecord} (the current epoch, the site
 * live in it, where it began and where clients reach it) and the set of sites whose disks are
 * marked inconsistent, both held by a quorum. {@link #connect} gives the ZooKeeper one;
 * {@link InMemoryQuorum} gives handles on an in-memory quorum with the same decisions, for tests
 * and the simulation.
 *
 * <p>Nothing here decides anything without a quorum. Every read is at least as new as any decision
 * completed before it began (ZooKeeper: a sync precedes it), and every operation that cannot reach
 * a quorum throws {@link NoQuorumException}, which means "nothing was decided, ask again": never a
 * default answer. A write whose answer was lost with the connection may nevertheless have been
 * applied; {@link #claim} is written so that asking again finds out. Operations on a pair that was
 * never {@linkplain #initialize initialized} throw {@link IllegalStateException}; a handle without
 * the pair's credentials may read but its writes throw {@link SecurityException}.
 */
public interface Tiebreaker extends AutoCloseable {
    /** This handle's view of its session with the quorum, in Curator's terms. */
    enum Connection {
        /** Not connected yet. */
        CONNECTING,
        /** Connected to a member that is part of a quorum. */
        CONNECTED,
        /** The connection dropped; the session may still be alive. Decisions made earlier may be stale. */
        SUSPENDED,
        /** The session is gone (or presumed gone after the session timeout). */
        LOST
    }

    /** A listener's registration; closing it (again is harmless) stops the calls. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Connects to the ZooKeeper ensemble {@code connectString} as a member of {@code pair}, with
     * {@code secret}'s credential. Returns at once; use {@link #awaitConnected} or let the first
     * operation wait.
     */
    static Tiebreaker connect(String connectString, String pair, byte[] secret, Duration sessionTimeout) {
        return ZooKeeperTiebreaker.connect(connectString, pair, secret, sessionTimeout);
    }

    /**
     * Connects to the ZooKeeper ensemble {@code connectString} over TLS with {@code tls}'s
     * certificate, as a member of {@code pair} whose records only the certificates with the subjects
     * {@code writers} (the pair's two sites, as {@code CN=a,OU=site,O=sitepair lab}) may change: the
     * ensemble must authenticate clients by certificate (ZooKeeper's {@code x509} scheme). With
     * {@code secret} too, it takes over records that a pair without TLS left under its secret's
     * credential, giving them to {@code writers}. Returns at once, like {@link #connect(String,
     * String, byte[], Duration)}.
     */
    static Tiebreaker connect(String connectString, String pair, byte[] secret, ZooKeeperTls tls,
            List<String> writers, Duration sessionTimeout) {
        return ZooKeeperTiebreaker.connect(connectString, pair, secret, tls, List.copyOf(writers), sessionTimeout);
    }

    /**
     * Calls {@code listener} with the new state on every change of the connection until the
     * returned registration is closed; registered listeners are called in registration order, and
     * every one is called even when an earlier one throws (the failure is reported as a bug). A
     * listener hears changes only, not the state at registration, and may hear the same state twice
     * in a row (Curator's CONNECTED and RECONNECTED are both {@link Connection#CONNECTED}). Calls
     * come from the handle's event thread (ZooKeeper: Curator's; in memory: the thread that changed
     * the quorum). Whoever registers owns the registration, and closes it when the role that needed
     * it ends.
     */
    Registration onConnectionChange(Consumer<Connection> listener);

    /** The state this handle last heard, as its listeners were told. */
    Connection connection();

    /** Whether this handle is connected, waiting up to {@code timeout} for it if it can. */
    boolean awaitConnected(Duration timeout) throws InterruptedException;

    /**
     * Creates the pair's record as {@code first} and an empty set of inconsistent marks, each only
     * if there is none (the first site up does it; a second creation loses harmlessly), and returns
     * the current record, which is {@code first} only if no record existed before.
     */
    EpochRecord initialize(EpochRecord first) throws NoQuorumException;

    /** The current record, at least as new as any decision completed before the call. */
    EpochRecord current() throws NoQuorumException;

    /**
     * Claims epoch {@code seenEpoch + 1} for {@code site}, live from {@code position}, serving
     * clients at {@code endpoint}: an epoch-fenced test-and-set. On the record as read now:
     * <ol>
     * <li>if it already is exactly this claim (epoch {@code seenEpoch + 1}, {@code site},
     *     {@code position}, {@code endpoint}), the claim has won: it is this claim asked again after
     *     its answer was lost, and it is won whatever the marks say now;
     * <li>else if its epoch is not {@code seenEpoch} (passed, or never seen), the claim has lost,
     *     with no refusal;
     * <li>else if {@code site} is marked inconsistent, the claim has lost with a
     *     {@linkplain Claim#refusal() refusal} saying so: this site must not go live whoever does;
     * <li>else the record for {@code seenEpoch + 1} is written on condition that neither the record
     *     nor the marks changed since they were read; it has won if the write applies, and is decided
     *     again from step 1 if either changed.
     * </ol>
     * So of any number of claimants that saw epoch N exactly one wins N+1. The returned
     * {@link Claim#record()} is the record that holds after the claim: the new one if won, else the
     * one that stopped it (unchanged by this call).
     */
    Claim claim(long seenEpoch, String site, long position, String endpoint) throws NoQuorumException;

    /**
     * Whether {@code site} is still the live site of {@code epoch}, asked of the quorum now: false
     * once any later epoch was claimed, even by {@code site} itself.
     */
    default boolean confirm(long epoch, String site) throws NoQuorumException {
        EpochRecord now = current();
        return now.epoch() == epoch && now.liveSite().equals(site);
    }

    /**
     * Marks {@code site}'s disks inconsistent (a resync to it begins) or consistent again (it
     * completed); marking what is already so changes nothing. While marked, the site's claims are
     * refused (step 3 of {@link #claim}); a mark set concurrently with a claim is never slipped
     * past, since the claim's write is conditional on the marks as it read them.
     */
    void markInconsistent(String site, boolean inconsistent) throws NoQuorumException;

    /**
     * Takes the pair's drill lock for {@code holder} (words saying who: host, process, drill); it
     * is released by {@link DrillLock#close} or when this handle's session ends.
     *
     * @throws DrillLock.Taken if another drill holds it
     */
    DrillLock lockDrill(String holder) throws NoQuorumException, DrillLock.Taken;

    /** Ends this handle's session; its listeners hear nothing more. */
    @Override
    void close();
}
