package io.sitepair.replicator.pair;

import io.sitepair.replicator.drill.TestClone;
import io.sitepair.replicator.status.SiteStatus;
import java.net.InetSocketAddress;
import java.time.Duration;

/** One running site of a pair, primary or backup. */
public interface Site {
    /** What the site is doing now. */
    SiteStatus status();

    Role role();

    /** Stops cleanly (a primary powers off: its backup stops too and will not go live). */
    void stop();

    /** Waits until the site has stopped or halted; returns the final state hash (hex) or throws why it halted. */
    String await() throws Exception;

    /**
     * A planned, zero-loss switchover to the backup: returns once the backup serves in the next
     * epoch, saying so; throws why it cannot be done. Only a protected primary can.
     */
    default String switchOver() throws Exception {
        throw new IllegalStateException("site is " + role().label() + "; only a protected primary can switch over");
    }

    /**
     * Online verify: compares per-block checksums of both sites' disks at one log position while
     * the pair runs; returns the report, ending with a line {@code differing blocks: N}. With
     * {@code repair}, the differing blocks are then overwritten on the backup with this site's and
     * checked again. Only a protected primary can.
     */
    default String verify(boolean repair) throws Exception {
        throw new IllegalStateException("site is " + role().label() + "; only a protected primary can verify");
    }

    /**
     * An operator's go-ahead for the resync of the returning site, planned and waiting (manual
     * start, or a split-brain: {@code discard} names the site whose writes are thrown away), or a
     * new rate limit ({@code rate} bytes/s on the wire; 0: unchanged) for the running one. Returns
     * what it did; throws why not. Only the live site can.
     */
    default String resync(long rate, String discard) throws Exception {
        throw new IllegalStateException("site is " + role().label() + "; only the live site resyncs its peer");
    }

    /**
     * A drill: from now on every write to this site's disks fails with {@code error} ("Input/output
     * error", "No space left on device"), as a failing or full device would. Returns what it did.
     */
    default String injectDiskFault(String error) throws Exception {
        throw new IllegalStateException("site is " + role().label() + "; it has no disks open");
    }

    /**
     * A test drill: the backup clones what it has replayed (at a point between two events that
     * holds everything acknowledged before this request: its VM state and copies of its disks) and
     * serves the clone LIVE on {@code address}, isolated from the pair, while it goes on
     * protecting the primary. The clone ends by {@link #endTestClone}, when {@code lease} runs out
     * unrenewed, or when this backup stops or goes live. Returns once it serves; throws why not.
     * Only a protected backup can.
     */
    default TestClone.Started startTestClone(InetSocketAddress address, Duration lease) throws Exception {
        throw new IllegalStateException("site is " + role().label() + "; only a protected backup can take a test"
                + " clone");
    }

    /** Extends the test clone's lease by its length from now; says so. Throws if none serves. */
    default String renewTestClone() {
        throw new IllegalStateException("site is " + role().label() + "; only a protected backup serves a test"
                + " clone");
    }

    /** Ends the test clone and deletes its copies; says what was deleted. Throws if none serves. */
    default String endTestClone() {
        throw new IllegalStateException("site is " + role().label() + "; only a protected backup serves a test"
                + " clone");
    }

    /**
     * Whether this site stopped so as to rejoin as the backup: a switchover made the other site
     * live, or the primary went on in a later epoch without this backup.
     */
    default boolean rejoins() {
        return false;
    }
}
