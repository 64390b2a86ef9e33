package io.sitepair.ops.site;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.CoordinationConfig.EnsembleTls;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsConfig;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.QuorumProbe;
import io.sitepair.tiebreaker.Tiebreaker;
import io.sitepair.tiebreaker.ZooKeeperTls;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * Connecting a site or a command to the pair's ZooKeeper quorum, saying what it waits for, with the
 * TLS identity of whoever runs: a site its own certificate, a command the operator's. Over TLS only
 * the two sites' certificates may change the pair's records; in plaintext, the pair's secret.
 */
public final class Coordination {
    private static final long NO_QUORUM_RETRY_MS = 500;

    private Coordination() {}

    /** {@link #connect(PairConfig, TlsFiles, PrintStream, Duration)} as the configuration's operator. */
    public static Tiebreaker connect(PairConfig pair, PrintStream progress, Duration giveUpAfter) throws InterruptedException {
        return connect(pair, operator(pair), progress, giveUpAfter);
    }

    /**
     * Connects with {@code identity}'s certificate (null when the link to the quorum uses none, see
     * {@link #usesPairCertificates}), waiting (and printing why, every few seconds) until a quorum
     * member answers.
     */
    public static Tiebreaker connect(PairConfig pair, TlsFiles identity, PrintStream progress, Duration giveUpAfter)
            throws InterruptedException {
        Tiebreaker tiebreaker = connect(pair, identity);
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

    /** Site {@code name}'s connection: it waits for a quorum member as long as it takes, saying so through {@code site}. */
    static Tiebreaker connect(PairConfig pair, String name, StartingSite site) throws InterruptedException {
        Tiebreaker tiebreaker = connect(pair, usesPairCertificates(pair) ? pair.tls().files(name) : null);
        while (!tiebreaker.awaitConnected(Duration.ofSeconds(1))) {
            site.waiting(waitingFor(pair));
        }
        return tiebreaker;
    }

    private static Tiebreaker connect(PairConfig pair, TlsFiles identity) {
        CoordinationConfig c = pair.coordination();
        ZooKeeperTls tls = linkTls(pair, identity);
        if (tls == null) {
            return Tiebreaker.connect(c.connectString(), pair.pair(), pair.secret(), c.sessionTimeout());
        }
        List<String> writers = c.tls() instanceof EnsembleTls.OwnCertificate
                // The ensemble's CA knows nothing of the pair's sites: its one client certificate writes.
                ? List.of(PemFiles.readCertificates(tls.certificate()).getFirst().getSubjectX500Principal().getName())
                : pair.siteNames().stream().map(site -> PairPrincipal.site(pair.pair(), site).subject()).toList();
        return Tiebreaker.connect(c.connectString(), pair.pair(), pair.secret(), tls, writers, c.sessionTimeout());
    }

    /** Which quorum members serve, asked with {@code identity}'s certificate as for {@link #connect}. */
    public static QuorumProbe.Report probe(PairConfig pair, TlsFiles identity, Duration timeout) {
        return QuorumProbe.probe(pair.coordination().members(), timeout, linkTls(pair, identity));
    }

    /** The client TLS of the link to the quorum; null in plaintext. */
    private static ZooKeeperTls linkTls(PairConfig pair, TlsFiles identity) {
        return switch (pair.coordination().tls()) {
            case EnsembleTls.OwnCertificate(TlsFiles files) -> zooKeeperTls(files);
            case EnsembleTls.PairCertificates p when pair.tls().on() -> {
                if (identity == null) {
                    throw new IllegalArgumentException("the link to the quorum is TLS with the pair's certificates,"
                            + " and no certificate was given");
                }
                yield zooKeeperTls(identity);
            }
            default -> null;
        };
    }

    /** Whether whoever connects to the quorum presents its own certificate of the pair (else none, or the ensemble's). */
    public static boolean usesPairCertificates(PairConfig pair) {
        return pair.coordination().tls().equals(EnsembleTls.PAIR) && pair.tls().on();
    }

    /** The configuration's operator certificate, if the link to the quorum needs one. */
    private static TlsFiles operator(PairConfig pair) {
        return usesPairCertificates(pair) ? pair.tls().files(TlsConfig.OPERATOR) : null;
    }

    /**
     * The TLS of {@code holder}'s embedded quorum peer (a site or the witness): the pair's
     * certificates, or null when the pair's TLS is off.
     */
    public static ZooKeeperTls peerTls(PairConfig pair, String holder) {
        return pair.tls().on() ? zooKeeperTls(pair.tls().files(holder)) : null;
    }

    private static ZooKeeperTls zooKeeperTls(TlsFiles files) {
        return new ZooKeeperTls(files.ca(), files.certificate(), files.key());
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
