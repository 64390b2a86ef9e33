package io.sitepair.ops.command;

import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.Units;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.Coordination;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.ResyncPlanStatus;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.ResyncSummary;
import io.sitepair.replicator.status.SiteStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair resync}: shows, approves, limits and follows the resync of a returning site. */
@Command(name = "resync", mixinStandardHelpOptions = true,
        description = {"Show the plan for resyncing the returning site from the live one (direction, divergence"
                + " point, blocks and bytes per disk, estimated time at the rate limit), then start it (when the"
                + " pair's resync start is manual, or after a split-brain) and follow it with a progress bar, rate"
                + " and ETA, ending with a summary.",
                "The plan is made when the returning site connects (`sitepair up` on it); with `resync: {start:"
                        + " auto}` (the default) it starts by itself and this command follows it.",
                "Exit codes: 0 resynced (or nothing to do, or --dry-run), 1 refused or failed."})
public final class ResyncCommand implements Callable<Integer> {
    private static final double MIB = 1024.0 * 1024.0;

    @Mixin
    ConfigOption config;

    @Mixin
    ClientCertificateOption certificate;

    @Option(names = "--dry-run", description = "Show the plan and ship nothing; ends with \"plan: N blocks, M bytes\".")
    boolean dryRun;

    @Option(names = "--rate", paramLabel = "RATE", description = "Limit the resync to RATE on the wire (40M/s,"
            + " 500mbit), overriding the configuration's resync rate.")
    String rate;

    @Option(names = "--discard", paramLabel = "SITE", description = "After a split-brain: throw away the writes SITE"
            + " (the returning site) made since the histories parted, and resync it from the live site.")
    String discard;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for the returning site to connect and the plan to be made (default: 30s).")
    String waitFor;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PairConfig pair = config.load();
        long rateLimit;
        Duration wait;
        try {
            rateLimit = rate == null ? 0 : Units.bytesPerSecond(rate);
        } catch (IllegalArgumentException e) {
            return error("--rate " + e.getMessage());
        }
        try {
            wait = Units.duration(waitFor);
        } catch (IllegalArgumentException e) {
            return error("--wait " + e.getMessage());
        }
        if (discard != null) {
            pair.site(discard); // an unknown name fails here, naming the valid ones
        }
        AdminClient admin = certificate.client(pair);
        String live;
        try {
            live = Coordination.liveSite(pair);
        } catch (IllegalStateException e) {
            return error("cannot read which site is live: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        SiteStatus status = await(admin, live, wait, s -> planned(s) != null || s.pairProtected());
        if (status instanceof NoAnswer none) {
            return error("site " + live + " is live but does not answer: " + none.error());
        }
        ResyncStatus resync = planned(status);
        if (resync == null) {
            if (status.pairProtected()) {
                out.println("site " + live + " is live and protected: nothing to resync");
                out.println("plan: 0 blocks, 0 bytes");
                return 0;
            }
            return error("no resync planned after " + waitFor + ": site " + live + " is " + status.protection()
                    + "; start the returning site (sitepair up --config " + config.file() + " --site "
                    + pair.peerOf(live).name() + ")");
        }
        ResyncPlanStatus plan = resync.plan();
        printPlan(out, plan, rateLimit > 0 ? rateLimit : resync.rateLimitBytesS());
        if (dryRun) {
            if (resync.phase() == ResyncStatus.Phase.SPLIT_BRAIN) {
                out.println("refusing without an operator's decision: --discard " + pair.peerOf(live).name()
                        + " throws away that site's writes since the divergence");
            }
            out.println("plan: " + plan.blocks() + " blocks, " + plan.bytes() + " bytes");
            return 0;
        }
        long lastResyncBefore = lastResyncPosition(status);
        if (resync.phase() != ResyncStatus.Phase.COPYING || rateLimit > 0 || discard != null) {
            String operation = "resync" + query(rateLimit, discard);
            AdminAnswer response = admin.post(live, operation, Duration.ofSeconds(30));
            if (!response.ok()) {
                return error("site " + live + " refused: " + response.text());
            }
            out.println(response.text());
        } else {
            out.println("resync running (it started by itself: the pair's resync start is auto)");
        }
        out.flush();
        return follow(admin, live, out, lastResyncBefore, wait);
    }

    /** The live site's status once {@code until} holds of it, or it does not answer, or {@code wait} passed. */
    private static SiteStatus await(AdminClient admin, String live, Duration wait, Predicate<SiteStatus> until)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            SiteStatus status = admin.status(live);
            if (status instanceof NoAnswer || until.test(status) || System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(100);
        }
    }

    private static void printPlan(PrintWriter out, ResyncPlanStatus plan, long limit) {
        out.println("resync " + plan.direction() + ": " + plan.kind());
        out.println("  divergence point: " + plan.divergence());
        if (plan.splitBrain() != null) {
            out.println("  SPLIT-BRAIN: " + plan.splitBrain());
        }
        String source = plan.direction().source();
        String target = plan.direction().target();
        for (ResyncPlanStatus.Disk disk : plan.disks()) {
            out.printf("  disk %s: %d blocks, %.1f MiB (written since: %d on %s, %d on %s)%n", disk.disk(),
                    disk.blocks(), disk.bytes() / MIB, disk.writtenOn(source), source, disk.writtenOn(target), target);
        }
        long bytes = plan.bytes();
        out.printf("  total: %d blocks, %.1f MiB; %s%n", plan.blocks(), bytes / MIB, limit > 0
                ? String.format("rate limit %s on the wire: at most %s (less as blocks compress)", rate(limit),
                        eta(bytes / (double) limit))
                : "no rate limit: as fast as the link takes it");
    }

    /** Prints progress once a second until the pair is protected again; then the summary. */
    private int follow(AdminClient admin, String live, PrintWriter out, long lastResyncBefore, Duration stall)
            throws InterruptedException {
        boolean tty = System.console() != null;
        long lastMoved = System.nanoTime();
        long lastCopied = -1;
        while (true) {
            Thread.sleep(tty ? 250 : 1000);
            SiteStatus status = admin.status(live);
            if (status instanceof NoAnswer none) {
                out.println();
                return error("site " + live + " stopped answering during the resync: " + none.error());
            }
            ResyncStatus resync = status instanceof PrimaryStatus serving ? serving.resync() : null;
            ResyncSummary last = lastResync(status);
            if (resync == null && last != null && last.position() != lastResyncBefore) {
                if (tty) {
                    out.println();
                }
                printSummary(out, last);
                // The backup acknowledges the copy's position just after: wait for it, briefly.
                status = await(admin, live, Duration.ofSeconds(10), SiteStatus::pairProtected);
                out.println("site " + live + ": " + status.protection());
                return status.pairProtected() ? 0 : 1;
            }
            long copied = resync == null ? lastCopied : resync.copiedBlocks();
            if (copied != lastCopied) {
                lastMoved = System.nanoTime();
                lastCopied = copied;
            } else if (System.nanoTime() - lastMoved > stall.toNanos()) {
                out.println();
                return error("the resync has not moved for " + waitFor + ": site " + live + " is "
                        + status.protection() + "; it resumes when the sites reconnect");
            }
            if (resync != null && resync.phase() == ResyncStatus.Phase.COPYING) {
                out.print(progressLine(resync) + (tty ? "\r" : "\n"));
                out.flush();
            }
        }
    }

    /** {@code [#########...........]  45%  120.0/260.0 MiB  95.2 MiB/s  ETA 2s}. */
    static String progressLine(ResyncStatus copying) {
        long total = Math.max(1, copying.plan().blocks());
        int percent = (int) Math.min(100, copying.copiedBlocks() * 100 / total);
        int filled = percent / 5;
        long eta = copying.etaS();
        return String.format("[%s%s] %3d%%  %.1f/%.1f MiB  %s  ETA %s", "#".repeat(filled),
                ".".repeat(20 - filled), percent, copying.copiedBytes() / MIB, copying.plan().bytes() / MIB,
                rate(copying.rateBytesS()), eta < 0 ? "?" : eta((double) eta));
    }

    /** {@code 12.5 MiB/s}, or {@code 64 KiB/s} below one MiB. */
    static String rate(long bytesPerSecond) {
        return bytesPerSecond >= MIB ? String.format("%.1f MiB/s", bytesPerSecond / MIB)
                : bytesPerSecond / 1024 + " KiB/s";
    }

    private static void printSummary(PrintWriter out, ResyncSummary done) {
        double seconds = done.tookMs() / 1000.0;
        long data = done.dataBytes();
        out.printf("resync complete: %s; %d blocks planned, %d zero blocks sent as ranges, %d written during the"
                        + " copy sent again; %.1f MiB of data, %.1f MiB on the wire, in %.1f s (%.1f MiB/s); the guest"
                        + " paused %s ms%n", done.kind(), done.plannedBlocks(), done.zeroBlocks(), done.resentBlocks(),
                data / MIB, done.wireBytes() / MIB, seconds, seconds > 0 ? data / MIB / seconds : 0, done.pauseMs());
    }

    /** The live site's resync once its plan is made; null before, or if none. */
    private static ResyncStatus planned(SiteStatus status) {
        return status instanceof PrimaryStatus serving && serving.resync() != null && serving.resync().plan() != null
                ? serving.resync() : null;
    }

    private static ResyncSummary lastResync(SiteStatus status) {
        return status instanceof PrimaryStatus serving ? serving.lastResync() : null;
    }

    private static long lastResyncPosition(SiteStatus status) {
        ResyncSummary last = lastResync(status);
        return last == null ? -1 : last.position();
    }

    private static String query(long rate, String discard) {
        StringBuilder q = new StringBuilder();
        if (rate > 0) {
            q.append("rate=").append(rate);
        }
        if (discard != null) {
            q.append(q.isEmpty() ? "" : "&").append("discard=").append(discard);
        }
        return q.isEmpty() ? "" : "?" + q;
    }

    static String eta(double seconds) {
        long s = Math.round(Math.ceil(seconds));
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" + String.format("%02d", s % 60) + "s"
                : s / 3600 + "h" + String.format("%02d", s % 3600 / 60) + "m";
    }

    private int error(String message) {
        spec.commandLine().getErr().println("sitepair resync: error: " + message);
        return 1;
    }
}
