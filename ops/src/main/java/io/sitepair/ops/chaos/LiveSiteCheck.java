package io.sitepair.ops.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * [two-live-sites] Never two sites acknowledging at once: no operation acknowledged by site X may
 * lie, from invocation to completion, wholly inside a time when the latest epoch record (by the
 * time it was written) names another site Y live. Records must also name one site per epoch, with
 * epochs increasing in time.
 *
 * <p>Why a flagged operation is a real fault, not an artefact of what the client saw: the request
 * was sent after its invocation, so after Y's record was written, and the reply came before the
 * next record. Every reply is an output, and under the Output Rule X, had it been Y's primary,
 * could release it only once Y acknowledged the log entry that produced it; that entry records
 * the request, so it was logged after Y's record, and Y stops acknowledging before it writes its
 * claim. Had X been serving alone, under its own earlier record, it fences its outputs as soon as
 * its ZooKeeper session is in doubt, and Y can only have claimed the epoch after X's session was
 * lost or given up. Either way X had no right to that output. An operation that straddles a
 * record may have been answered just before the change, so it is not flagged; nor is one before
 * the first record. The record times come from the ZooKeeper server's clock and the operation
 * times from the clients' clock on the same machine; the tolerance absorbs their granularity.
 */
final class LiveSiteCheck {
    private LiveSiteCheck() {
    }

    /** A stretch of time during which the records name one site live: [start, end). */
    private record Reign(String site, long startNanos, long endNanos, HistoryChecks.LiveRecord record) {}

    static List<Violation> check(List<Operation> history, List<HistoryChecks.LiveRecord> liveRecords,
                                 long toleranceNanos) {
        List<HistoryChecks.LiveRecord> records = liveRecords.stream().distinct()
                .sorted(Comparator.comparingLong(HistoryChecks.LiveRecord::writtenNanos)
                        .thenComparingLong(HistoryChecks.LiveRecord::epoch))
                .toList();
        List<Violation> violations = new ArrayList<>(epochOrder(records));
        List<Reign> reigns = reigns(records);
        for (Operation op : history) {
            if (op.outcome() != Operation.Outcome.OK || op.site() == null) {
                continue;
            }
            for (Reign reign : reigns) {
                boolean inside = op.invokeNanos() >= reign.startNanos() + toleranceNanos
                        && op.completeNanos() <= saturatedMinus(reign.endNanos(), toleranceNanos);
                if (inside && !reign.site().equals(op.site())) {
                    violations.add(new Violation("two-live-sites", op.describeWithTimes() + " was acknowledged by site "
                            + op.site() + " while epoch " + reign.record().epoch() + " (written "
                            + Operation.time(reign.startNanos()) + ") named site " + reign.site() + " live"
                            + (reign.endNanos() == Long.MAX_VALUE ? "" : " until " + Operation.time(reign.endNanos()))));
                    break;
                }
            }
        }
        return violations;
    }

    /** Consecutive records naming the same site make one reign, which begins at the first of them. */
    private static List<Reign> reigns(List<HistoryChecks.LiveRecord> records) {
        List<Reign> reigns = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            HistoryChecks.LiveRecord first = records.get(i);
            while (i + 1 < records.size() && Objects.equals(records.get(i + 1).liveSite(), first.liveSite())) {
                i++;
            }
            long end = i + 1 < records.size() ? records.get(i + 1).writtenNanos() : Long.MAX_VALUE;
            if (first.liveSite() != null) {
                reigns.add(new Reign(first.liveSite(), first.writtenNanos(), end, first));
            }
        }
        return reigns;
    }

    private static List<Violation> epochOrder(List<HistoryChecks.LiveRecord> records) {
        List<Violation> violations = new ArrayList<>();
        for (int i = 1; i < records.size(); i++) {
            HistoryChecks.LiveRecord before = records.get(i - 1);
            HistoryChecks.LiveRecord after = records.get(i);
            if (after.epoch() == before.epoch() && !Objects.equals(after.liveSite(), before.liveSite())) {
                violations.add(new Violation("two-live-sites", "epoch " + after.epoch() + " names both site "
                        + before.liveSite() + " and site " + after.liveSite() + " live"));
            } else if (after.epoch() < before.epoch()) {
                violations.add(new Violation("two-live-sites", "epoch " + after.epoch() + " (site " + after.liveSite()
                        + ", written " + Operation.time(after.writtenNanos()) + ") was written after epoch "
                        + before.epoch() + " (site " + before.liveSite() + ", written "
                        + Operation.time(before.writtenNanos()) + ")"));
            }
        }
        return violations;
    }

    private static long saturatedMinus(long nanos, long minus) {
        return nanos == Long.MAX_VALUE ? nanos : nanos - minus;
    }
}
