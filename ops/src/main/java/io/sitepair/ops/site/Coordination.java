package io.sitepair.ops.site;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.Tiebreaker;
import java.io.PrintStream;
import java.time.Duration;

/** Connecting a site or a command to the pair's ZooKeeper quorum, saying what it waits for. */
public final class Coordination {
    private static final long NO_QUORUM_RETRY_MS = 500;

    private Coordination() {}

    /** Connects, waiting (and printing why, every few seconds) until a quorum member answers. */
    public static Tiebreaker connect(PairConfig pair, PrintStream progress, Duration giveUpAfter) throws InterruptedException {
        Tiebreaker tiebreaker = connect(pair);
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        while (!tiebreaker.awaitConnected(Duration.ofSeconds(5))) {
            if (System.nanoTime() > deadline) {
                tiebreaker.close();
                throw new OperatorError("no ZooKeeper quorum at " + pair.coordination().connectString()
                        + " within " + giveUpAfter.toSeconds() + " s");
            }
            progress.println(waitingFor(pair));
        }
        return tiebreaker;
    }

    /** A site's connection: it waits for a quorum member as long as it takes, saying so through {@code site}. */
    static Tiebreaker connect(PairConfig pair, StartingSite site) throws InterruptedException {
        Tiebreaker tiebreaker = connect(pair);
        while (!tiebreaker.awaitConnected(Duration.ofSeconds(1))) {
            site.waiting(waitingFor(pair));
        }
        return tiebreaker;
    }

    private static Tiebreaker connect(PairConfig pair) {
        CoordinationConfig c = pair.coordination();
        return Tiebreaker.connect(c.connectString(), pair.pair(), pair.secret(), c.sessionTimeout());
    }

    private static String waitingFor(PairConfig pair) {
        CoordinationConfig c = pair.coordination();
        return "waiting for a ZooKeeper quorum at " + c.connectString()
                + (c.embedded() ? " (start both sites and `sitepair witness --config " + pair.file() + "`)" : "");
    }

    /**
     * The pair's record (created for epoch 1 if this is the pair's first start), asked again until
     * a quorum answers: a site without one waits, saying so through {@code site}, and never exits for it.
     */
    static EpochRecord awaitRecord(Tiebreaker tiebreaker, PairConfig pair, StartingSite site)
            throws InterruptedException {
        while (true) {
            try {
                return initialize(tiebreaker, pair);
            } catch (NoQuorumException e) {
                site.waiting("no ZooKeeper quorum to read the pair's record; waiting (" + e.getMessage() + ")");
                Thread.sleep(NO_QUORUM_RETRY_MS);
            }
        }
    }

    /**
     * The site live now: as the quorum says, or the initial primary for a pair without
     * coordination. Throws (naming why) when the quorum cannot be read.
     */
    public static String liveSite(PairConfig pair) throws InterruptedException {
        if (pair.coordination() == null) {
            return pair.initialPrimary();
        }
        try (Tiebreaker tiebreaker = connect(pair, System.err, Duration.ofSeconds(10))) {
            return tiebreaker.current().liveSite();
        } catch (NoQuorumException e) {
            throw new OperatorError(e.getMessage(), e);
        }
    }

    /** The pair's record, created for epoch 1 with the initial primary live if this is the pair's first start. */
    private static EpochRecord initialize(Tiebreaker tiebreaker, PairConfig pair) throws NoQuorumException {
        return tiebreaker.initialize(new EpochRecord(1, pair.initialPrimary(), 0,
                Addresses.hostPort(pair.site(pair.initialPrimary()).service())));
    }
}
