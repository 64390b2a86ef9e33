package io.sitepair.ops.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;

class OneLineFormatterTest {
    private static final OneLineFormatter USUAL = new OneLineFormatter(new LogTriage(false), false);
    private static final OneLineFormatter DETAIL = new OneLineFormatter(new LogTriage(true), false);

    private static LogRecord record(Level level, String logger, String message, Throwable thrown) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(logger);
        record.setThrown(thrown);
        return record;
    }

    @Test
    void aPeersDeathIsOneInfoLineWithTheExceptionButNoTrace() {
        String text = USUAL.format(record(Level.SEVERE, "org.apache.zookeeper.server.quorum.LearnerHandler",
                "Unexpected exception in LearnerHandler: ", new EOFException()));
        assertEquals("zookeeper: INFO LearnerHandler: Unexpected exception in LearnerHandler (java.io.EOFException)"
                + System.lineSeparator(), text);
    }

    @Test
    void aWrappedConnectionLossIsExpectedToo() {
        var wrapped = new RuntimeException("background", new KeeperException.ConnectionLossException());
        String text = USUAL.format(record(Level.SEVERE, "org.apache.curator.framework.imps.CuratorFrameworkImpl",
                "Background exception was not retry-able or retry gave up", wrapped));
        assertTrue(text.startsWith("curator: INFO CuratorFrameworkImpl: Background exception was not retry-able or"
                + " retry gave up (java.lang.RuntimeException: background; cause: org.apache.zookeeper.KeeperException"
                + "$ConnectionLossException: KeeperErrorCode = ConnectionLoss)"), text);
        assertEquals(1, text.lines().count(), text);
    }

    @Test
    void aConnectionClassWarningDropsBelowWarnButItsErrorsStayErrors() {
        assertEquals("zookeeper: INFO LearnerHandler: ******* GOODBYE /127.0.0.1:1 ********" + System.lineSeparator(),
                USUAL.format(record(Level.WARNING, "org.apache.zookeeper.server.quorum.LearnerHandler",
                        "******* GOODBYE /127.0.0.1:1 ********", null)));
        assertTrue(USUAL.format(record(Level.SEVERE, "org.apache.zookeeper.server.quorum.LearnerHandler",
                "Unhandled scenario", null)).startsWith("zookeeper: ERROR LearnerHandler: Unhandled scenario"));
    }

    @Test
    void aBugKeepsItsStackTrace() {
        String text = USUAL.format(record(Level.WARNING, "org.apache.zookeeper.server.quorum.QuorumCnxManager",
                "Exception in thread", new NullPointerException("oops")));
        assertTrue(text.startsWith("zookeeper: INFO QuorumCnxManager: Exception in thread"
                + " (java.lang.NullPointerException: oops)"), text);
        assertTrue(text.contains("\tat io.sitepair.ops.logging.OneLineFormatterTest."), text);
    }

    @Test
    void zookeepersOwnFollowerRaceOnAClosedSocketIsOneLine() {
        var race = new NullPointerException("Cannot invoke \"java.net.Socket.setSoTimeout(int)\" because \"this.sock\" is null");
        race.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("org.apache.zookeeper.server.quorum.Learner", "syncWithLeader", "Learner.java", 736),
            new StackTraceElement("org.apache.zookeeper.server.quorum.Follower", "followLeader", "Follower.java", 108)});
        String text = USUAL.format(record(Level.WARNING, "org.apache.zookeeper.server.quorum.Follower",
                "Exception when following the leader", race));
        assertTrue(text.startsWith("zookeeper: INFO Follower: Exception when following the leader"
                + " (java.lang.NullPointerException: "), text);
        assertFalse(text.contains("\tat "), text);

        var elsewhere = new NullPointerException("oops");
        elsewhere.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("org.apache.zookeeper.server.quorum.Follower", "followLeader", "Follower.java", 108)});
        assertTrue(USUAL.format(record(Level.WARNING, "org.apache.zookeeper.server.quorum.Follower",
                "Exception when following the leader", elsewhere)).contains("\tat "));
    }

    @Test
    void zookeepersTlsClientBeforeAQuorumIsOneInfoLine() {
        var race = new NullPointerException("Cannot invoke \"org.apache.zookeeper.server.ZooKeeperServer.serverStats()\""
                + " because \"this.this$0.zkServer\" is null");
        race.setStackTrace(new StackTraceElement[] {new StackTraceElement(
                "org.apache.zookeeper.server.NettyServerCnxnFactory$CertificateVerifier", "operationComplete",
                "NettyServerCnxnFactory.java", 470)});
        String text = USUAL.format(record(Level.WARNING, "io.netty.util.concurrent.DefaultPromise",
                "An exception was thrown by CertificateVerifier.operationComplete()", race));
        assertTrue(text.startsWith("netty: INFO DefaultPromise: An exception was thrown by"), text);
        assertFalse(text.contains("\tat "), text);
    }

    @Test
    void aPlaintextClientAtATlsPortAndACancelledConnectAreOneLine() {
        var plaintext = new io.netty.handler.codec.DecoderException(
                new io.netty.handler.ssl.NotSslRecordException("not an SSL/TLS record: 0000002d"));
        String text = USUAL.format(record(Level.WARNING, "org.apache.zookeeper.server.NettyServerCnxnFactory",
                "Exception caught", plaintext));
        assertTrue(text.startsWith("zookeeper: INFO NettyServerCnxnFactory: Exception caught ("), text);
        assertFalse(text.contains("\tat "), text);
        String cancelled = USUAL.format(record(Level.INFO, "org.apache.zookeeper.ClientCnxnSocketNetty",
                "future isn't success.", new java.util.concurrent.CancellationException()));
        assertFalse(cancelled.contains("\tat "), cancelled);
        assertTrue(USUAL.format(record(Level.INFO, "io.sitepair.replicator.pair.PrimaryRole", "x",
                new java.util.concurrent.CancellationException())).contains("\tat "), "ours stays a bug");
    }

    @Test
    void aSevereCheckedFailureKeepsItsTraceAndAWarningOfOneIsOneLine() {
        assertTrue(USUAL.format(record(Level.SEVERE, "org.apache.zookeeper.server.persistence.FileTxnSnapLog",
                "cannot load", new IOException("disk"))).contains("\tat "));
        assertEquals(1, USUAL.format(record(Level.WARNING, "org.apache.zookeeper.server.ZKDatabase", "slow",
                new IOException("disk"))).lines().count());
    }

    @Test
    void detailKeepsLevelsAndEveryTrace() {
        String text = DETAIL.format(record(Level.WARNING, "org.apache.zookeeper.server.quorum.QuorumCnxManager",
                "Cannot open channel to 1", new ConnectException("Connection refused")));
        assertTrue(text.startsWith("zookeeper: WARN QuorumCnxManager: Cannot open channel to 1"), text);
        assertTrue(text.contains("\tat "), text);
    }

    @Test
    void sitepairsOwnLineIsItsMessageAfterTheSitepairTag() {
        assertEquals("sitepair: peer 'a' is heard again" + System.lineSeparator(),
                USUAL.format(record(Level.INFO, "io.sitepair.replicator.pair.PeerWatch", "peer 'a' is heard again", null)));
        assertEquals("sitepair: ALARM: go-live hook exited with 1: true" + System.lineSeparator(),
                USUAL.format(record(Level.WARNING, "io.sitepair.replicator.pair.GoLiveHook",
                        "ALARM: go-live hook exited with 1: true", null)));
    }

    @Test
    void aSitepairBugKeepsItsTraceAfterTheLine() {
        String text = USUAL.format(record(Level.SEVERE, "io.sitepair.tiebreaker.Tiebreaker",
                "BUG: a ZooKeeper connection listener failed on LOST; the others were still told",
                new IllegalStateException("oops")));
        assertTrue(text.startsWith("sitepair: BUG: a ZooKeeper connection listener failed on LOST; the others were"
                + " still told (java.lang.IllegalStateException: oops)" + System.lineSeparator()
                + "java.lang.IllegalStateException: oops"), text);
        assertTrue(text.contains("\tat io.sitepair.ops.logging.OneLineFormatterTest."), text);
    }

    @Test
    void aStreamNamedForWhatItCarriesIsItsMessageAsIs() {
        assertEquals("[guest, replaying] kv: fresh store" + System.lineSeparator(),
                USUAL.format(record(Level.INFO, "guest", "[guest, replaying] kv: fresh store", null)));
    }

    @Test
    void aDaemonsLineStartsWithTheRecordsTimeOfDayToTheMillisecond() {
        LogRecord record = record(Level.INFO, "io.sitepair.replicator.pair.PeerWatch", "peer 'a' is heard again", null);
        record.setInstant(java.time.LocalDateTime.of(2026, 1, 2, 3, 4, 5, 678_900_000)
                .atZone(java.time.ZoneId.systemDefault()).toInstant());
        assertEquals("03:04:05.678 sitepair: peer 'a' is heard again" + System.lineSeparator(),
                new OneLineFormatter(new LogTriage(false), true).format(record));
    }

    @Test
    void aMultiLineMessageIsOneLine() {
        assertEquals("netty: WARN DefaultChannelPipeline: first second" + System.lineSeparator(),
                USUAL.format(record(Level.WARNING, "io.netty.channel.DefaultChannelPipeline", "first\n  second", null)));
    }
}
