package io.sitepair.ops.chaos;

import io.sitepair.ops.logging.ProcessLogging;
import io.sitepair.tiebreaker.ZooKeeperClientTls;
import io.sitepair.tiebreaker.ZooKeeperTls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryForever;
import org.apache.zookeeper.data.Stat;

/**
 * Follows the pair's arbitration record ({@code /sitepair/pairs/<pair>/epoch}, world-readable)
 * from outside the pair: every epoch seen, with the time ZooKeeper wrote it (the znode's mtime),
 * so that writes acknowledged by a site can be set against when it held the epoch.
 */
final class LiveRecordWatcher implements AutoCloseable {
    private final CuratorFramework client;
    /** Null when the link to the quorum is plaintext. */
    private final ZooKeeperClientTls tls;
    private final String path;
    private final List<HistoryChecks.LiveRecord> records = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread poller;

    /** Reads the record at {@code connectString} as the holder of {@code identity} (null: in plaintext). */
    LiveRecordWatcher(String connectString, String pair, ZooKeeperTls identity) {
        // ZooKeeper's and Curator's reconnect chatter stays out of the campaign's output.
        ProcessLogging.quorumLibrariesAt(Level.SEVERE);
        this.path = "/sitepair/pairs/" + pair + "/epoch";
        this.tls = identity == null ? null : ZooKeeperClientTls.open(identity);
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder().connectString(connectString)
                .sessionTimeoutMs(4000).connectionTimeoutMs(1000).retryPolicy(new RetryForever(200));
        if (tls != null) {
            builder.zkClientConfig(tls.config());
        }
        this.client = builder.build();
        client.start();
        this.poller = Thread.ofPlatform().daemon().name("chaos-live-record").start(this::poll);
    }

    private void poll() {
        while (!stop.get()) {
            try {
                Stat stat = new Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(path);
                record(parse(data), stat.getMtime() * 1_000_000L);
            } catch (Exception notNow) {
                // no quorum member answers now, or the record is not created yet: try again
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Epoch and live site of the record's text form ({@code epoch N\nlive SITE\n...}). */
    private static String[] parse(byte[] data) {
        String epoch = null;
        String live = null;
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("epoch ")) {
                epoch = line.substring(6).trim();
            } else if (line.startsWith("live ")) {
                live = line.substring(5).trim();
            }
        }
        if (epoch == null || live == null) {
            throw new IllegalStateException("unreadable epoch record: " + new String(data, StandardCharsets.UTF_8));
        }
        return new String[] {epoch, live};
    }

    private synchronized void record(String[] record, long writtenNanos) {
        long epoch = Long.parseLong(record[0]);
        if (records.isEmpty() || records.getLast().epoch() < epoch) {
            records.add(new HistoryChecks.LiveRecord(epoch, record[1], writtenNanos));
        }
    }

    /** Every epoch seen so far, oldest first. */
    synchronized List<HistoryChecks.LiveRecord> records() {
        return List.copyOf(records);
    }

    /** The latest epoch's record, or null if none was read yet. */
    synchronized HistoryChecks.LiveRecord latest() {
        return records.isEmpty() ? null : records.getLast();
    }

    @Override
    public void close() {
        stop.set(true);
        poller.interrupt();
        try {
            poller.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
        if (tls != null) {
            tls.close();
        }
    }
}
