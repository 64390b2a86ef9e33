package io.sitepair.ops.logging;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLException;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.KeeperException;

/**
 * What a pair's processes log whenever a peer dies, pauses or is cut off: the failures sitepair is
 * built to survive, and which the sites report in their own words. ZooKeeper, Curator and Netty
 * log them at WARN or SEVERE, often with a stack trace that tells nothing (the code path is always
 * the same socket read), so they are shown as one line below WARN. Anything else keeps its level
 * and, if it is a bug, its trace.
 */
public final class ExpectedNoise {
    private ExpectedNoise() {}

    /**
     * The classes that keep ZooKeeper's and Curator's connections: between the quorum peers
     * (election, follower to leader), and from clients to a peer. Their warnings narrate a
     * connection ending and being retried ("Connection broken for id 1", "GOODBYE", "Interrupting
     * SendWorker", "Close of session"), which a peer's failure always causes, and QuorumPeer's the
     * election that follows ("PeerState set to LOOKING"). Their errors stay errors.
     */
    private static final Set<String> CONNECTION_LOGGERS = Set.of(
            "org.apache.zookeeper.server.quorum.QuorumPeer",
            "org.apache.zookeeper.server.quorum.QuorumCnxManager",
            "org.apache.zookeeper.server.quorum.Learner",
            "org.apache.zookeeper.server.quorum.Follower",
            "org.apache.zookeeper.server.quorum.Observer",
            "org.apache.zookeeper.server.quorum.LearnerHandler",
            "org.apache.zookeeper.server.ServerCnxnFactory",
            "org.apache.zookeeper.server.NIOServerCnxnFactory",
            "org.apache.zookeeper.server.NIOServerCnxn",
            "org.apache.zookeeper.server.NettyServerCnxn",
            "org.apache.zookeeper.ClientCnxn",
            "org.apache.zookeeper.ClientCnxnSocketNIO",
            "org.apache.zookeeper.ClientCnxnSocketNetty",
            "org.apache.curator.ConnectionState",
            "org.apache.curator.framework.state.ConnectionStateManager");

    /** Whether a warning from {@code loggerName} is connection noise (see {@link #CONNECTION_LOGGERS}). */
    public static boolean isConnectionLogger(String loggerName) {
        return loggerName != null && CONNECTION_LOGGERS.contains(loggerName);
    }

    /** The exceptions of a peer or network fault; subclasses count too. */
    private static final List<Class<? extends Throwable>> TYPES = List.of(
            // A peer killed or stopped: its kernel closes its sockets, a read ends early.
            EOFException.class,
            // Connection reset, broken pipe, and its subclasses ConnectException (a peer not yet or
            // no longer listening) and NoRouteToHostException (a peer's network cut).
            SocketException.class,
            // A paused or partitioned peer: ZooKeeper's sync and read timeouts.
            SocketTimeoutException.class,
            // Our own side closing a connection while a read or write on it was in flight.
            ClosedChannelException.class,
            // A TLS peer refused, or refusing us: no certificate, the wrong one, a plaintext client
            // (Netty's NotSslRecordException), an alert. The ends that decide say why in their own words.
            SSLException.class,
            // A ZooKeeper client's view of the above (Curator's CuratorConnectionLossException is one);
            // the sites report it themselves ("outputs held: ZooKeeper connection suspended").
            KeeperException.ConnectionLossException.class,
            KeeperException.SessionExpiredException.class,
            KeeperException.OperationTimeoutException.class);

    /** ZooKeeper's own private exception classes for the same events, by name since they are not public. */
    private static final Set<String> NAMES = Set.of(
            "org.apache.zookeeper.ClientCnxn$EndOfStreamException", // the server closed the client's socket
            "org.apache.zookeeper.ClientCnxn$SessionTimeoutException", // no answer from the server in time
            "org.apache.zookeeper.ClientCnxn$SessionExpiredException",
            "org.apache.zookeeper.ClientCnxn$ConnectionTimeoutException",
            "org.apache.zookeeper.server.ServerCnxn$EndOfStreamException", // a client went away
            "org.apache.zookeeper.server.ServerCnxn$CloseRequestException");

    /**
     * ZooKeeper's own races on a reference another of its threads cleared, by the class whose code
     * throws the NullPointerException. Each ends the one connection it happens on, which ZooKeeper
     * then retries, as it would for the network fault that set it off; each is a bug, but
     * ZooKeeper's, and its trace tells an operator nothing the line does not.
     */
    private static final Set<String> ZOOKEEPER_RACES = Set.of(
            // ZOOKEEPER-4409, ZOOKEEPER-4541: a failed write to the leader clears the learner's
            // socket while the follower thread still syncs on it (a peer paused and resumed).
            "org.apache.zookeeper.server.quorum.Learner",
            // ZOOKEEPER-3988: a TLS client connecting to a peer that serves no quorum at the moment
            // (still electing, or just left one): the handshake's listener counts on a server.
            "org.apache.zookeeper.server.NettyServerCnxnFactory$CertificateVerifier",
            "org.apache.zookeeper.server.NettyServerCnxnFactory$CnxnChannelHandler");

    /** Whether {@code thrown} is one of ZooKeeper's races of {@link #ZOOKEEPER_RACES}. */
    public static boolean isZooKeeperRace(Throwable thrown) {
        if (!(thrown instanceof NullPointerException)) {
            return false;
        }
        StackTraceElement[] frames = thrown.getStackTrace();
        return frames.length > 0 && ZOOKEEPER_RACES.contains(frames[0].getClassName());
    }

    /** How far down a chain of causes to look (a chain can be circular). */
    private static final int MAX_CAUSES = 16;

    /**
     * Whether {@code thrown}, logged by {@code loggerName}, is a connection class giving up its own
     * attempt: ZooKeeper's Netty client cancels a connect that outlived its connection timeout (a
     * member down or cut off) and logs the cancelled future.
     */
    public static boolean isCancelledConnect(String loggerName, Throwable thrown) {
        return thrown instanceof CancellationException && isConnectionLogger(loggerName);
    }

    /** Whether {@code thrown}, or one of its causes, is a peer or network fault of the list above. */
    public static boolean isExpectedFault(Throwable thrown) {
        Throwable t = thrown;
        for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
            if (NAMES.contains(t.getClass().getName())) {
                return true;
            }
            for (Class<? extends Throwable> type : TYPES) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }
}
