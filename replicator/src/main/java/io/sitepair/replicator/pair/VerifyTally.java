package io.sitepair.replicator.pair;

import io.sitepair.replicator.channel.ChannelMessage.VerifyReport;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.vm.Replayer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's half of online verify: adds up what the replayed disk checks of one verify found,
 * and at the last check reports it to the primary. Replay thread only, but for {@link #last()}.
 */
final class VerifyTally implements Replayer.DiskCheckListener {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyTally.class);

    private final Consumer<VerifyReport> report;
    private final List<Long> differing = new ArrayList<>();
    private long compared;
    private volatile String last = "";

    /** {@code report} sends the finished report to the primary. */
    VerifyTally(Consumer<VerifyReport> report) {
        this.report = report;
    }

    @Override
    public void checked(long position, LogRecord.DiskCheck check, long[] found) {
        compared += check.blocks();
        for (long block : found) {
            differing.add(VerifyReport.block(check.disk(), block));
        }
        if (check.last()) {
            long[] listed = differing.subList(0, Math.min(differing.size(), VerifyReport.MAX_REPORTED)).stream()
                    .mapToLong(Long::longValue).toArray();
            last = "at position " + position + ": " + compared + " blocks compared, " + differing.size() + " differ"
                    + (differing.isEmpty() ? "" : " (first: block " + differing.getFirst() + ")");
            LOG.info("verify {}", last);
            report.accept(new VerifyReport(position, compared, differing.size(), listed));
            differing.clear();
            compared = 0;
        }
    }

    /** The last verify's outcome in a line; empty before any. */
    String last() {
        return last;
    }
}
