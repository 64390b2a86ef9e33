package io.sitepair.replicator.resync;

import io.netty.channel.Channel;
import io.sitepair.disk.ChangedBlocks;
import io.sitepair.disk.DiskHistory;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import io.sitepair.replicator.channel.ChannelMessage;
import io.sitepair.replicator.channel.OutgoingCopy;
import io.sitepair.replicator.channel.PairIdentity;
import io.sitepair.replicator.status.ResyncPlanStatus;
import io.sitepair.replicator.status.ResyncStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resync of the returning backup, on the primary, over one connection: decides what to copy,
 * waits for an operator where it must, and runs the {@link CopySender}.
 *
 * <pre>
 *   ASKING ──(backup's blocks)──▶ PLANNED ──(auto, or approved)──▶ COPYING ──▶ DONE
 *      full copy: straight to PLANNED; split-brain or manual start: PLANNED waits for approval
 * </pre>
 *
 * <p>What to copy: with a shared history, every block either side wrote after the divergence
 * point; with none, everything; when the backup resumes an interrupted copy, the blocks it still
 * lacks plus every block this site wrote since that copy began. A split-brain (both sites served
 * on their own) copies only when an operator discards the backup's writes.
 *
 * <p>On the primary's event loop, except the scan of this site's block map, which runs on its own
 * thread so the guest is not paused by it: the guest's writes are tracked from the moment planning
 * begins, and every block written since is sent again at the end of the copy.
 */
final class ResyncSession implements OutgoingCopy.Session {
    private static final Logger LOG = LoggerFactory.getLogger(ResyncSession.class);

    enum Phase { ASKING, PLANNED, COPYING, DONE, ABORTED }

    private final PairIdentity me;
    private final long epoch;
    private final Channel channel;
    private final CopySource source;
    private final Pacer pacer;
    private final boolean manualStart;
    private final ChannelMessage.Welcome welcome;
    private final Consumer<CopySender.Outcome> done;
    private final List<BitSet> theirs = new ArrayList<>();
    private Phase phase = Phase.ASKING;
    private Stamp divergence;
    private Stamp resumedFrom;
    private String splitBrain;
    private ResyncPlan plan;
    private CopySender copy;
    private ChangedBlocks changed; // the guest's writes since planning began
    private Stamp begun; // this site's stamp when planning began: a resume re-sends what it wrote after

    ResyncSession(PairIdentity me, long epoch, Channel channel, CopySource source, ResyncPolicy policy,
                  ChannelMessage.Welcome welcome, Consumer<CopySender.Outcome> done) {
        this.me = me;
        this.epoch = epoch;
        this.channel = channel;
        this.source = source;
        this.pacer = new Pacer(policy.rateBytesPerSecond());
        this.manualStart = policy.manualStart();
        this.welcome = welcome;
        this.done = done;
    }

    /** Starts planning: tracks the guest's writes from here, then asks the backup for its side (not for a full copy). */
    void begin() throws IOException {
        DiskHistory mine = source.history();
        changed = new ChangedBlocks(source.disks().stream().map(DiskImage::blockCount).toList());
        source.trackWrites(changed);
        begun = new Stamp(epoch, mine.lastPosition());
        if (welcome.resume() != null && resumable(mine.lineage(), welcome.resume())) {
            resumedFrom = welcome.resume();
            say("resuming the interrupted copy begun at " + resumedFrom + "; asking which blocks it still lacks");
            channel.writeAndFlush(new ChannelMessage.ResyncFrom(resumedFrom.epoch(), resumedFrom.position(), true));
            return;
        }
        Lineage theirLineage = Lineage.of(welcome.lineage());
        DiskHistory.Plan shared = DiskHistory.plan(mine.lineage(), begun.position(), me.site(), theirLineage,
                welcome.lastPosition(), me.peer());
        divergence = shared.divergence();
        if (shared.splitBrain()) {
            splitBrain = ResyncPlan.splitBrainDetail(me.site(), mine.lineage(), me.peer(), theirLineage);
        }
        if (divergence == null) {
            say("no shared history: a full copy of disks and VM state");
            planInBackground();
            return;
        }
        say("histories part after " + divergence + "; asking which blocks it wrote since");
        channel.writeAndFlush(new ChannelMessage.ResyncFrom(divergence.epoch(), divergence.position(), false));
    }

    /** An interrupted copy can resume if it began in this site's history, not after where it is now. */
    private boolean resumable(Lineage mine, Stamp start) {
        boolean known = mine.entries().stream().anyMatch(e -> e.epoch() == start.epoch() && e.start() <= start.position());
        return known && !start.after(begun);
    }

    /** The backup's side, one disk at a time; returns why it is refused, or null. */
    @Override
    public String backupBlocks(ChannelMessage.WrittenBlocks written) {
        if (phase != Phase.ASKING || written.disk() != theirs.size()) {
            return "blocks of disk " + written.disk() + " where " + (phase == Phase.ASKING ? "disk " + theirs.size()
                    : "none") + " was due";
        }
        BitSet bits = BitSet.valueOf(written.bits());
        long blocks = source.disks().get(theirs.size()).blockCount();
        if (bits.length() > blocks) {
            bits.clear((int) blocks, bits.length());
        }
        theirs.add(bits);
        if (theirs.size() == source.disks().size()) {
            planInBackground();
        }
        return null;
    }

    /** Scans this site's block map off the loop, then goes on on the loop with the plan. */
    private void planInBackground() {
        Thread.ofVirtual().name("sitepair-resync-plan").start(() -> {
            ResyncPlan computed;
            try {
                computed = computePlan();
            } catch (IOException | RuntimeException e) {
                channel.eventLoop().execute(() -> {
                    if (phase == Phase.ASKING) {
                        warn("cannot read this site's block map: " + e.getMessage());
                        channel.writeAndFlush(new ChannelMessage.Refused("the primary cannot read its block map: "
                                + e.getMessage())).addListener(f -> channel.close());
                    }
                });
                return;
            }
            channel.eventLoop().execute(() -> {
                if (phase == Phase.ASKING) { // not aborted meanwhile
                    planned(computed);
                }
            });
        });
    }

    private void planned(ResyncPlan computed) {
        plan = computed;
        phase = Phase.PLANNED;
        say("plan: " + plan.kind() + ", " + plan.totalBlocks() + " blocks (" + plan.totalBytes() / 1024 + " KiB; "
                + java.util.Arrays.stream(plan.writtenHere()).sum() + (resumedFrom != null ? " written here since, "
                : " written here, ") + java.util.Arrays.stream(plan.writtenThere()).sum()
                + (resumedFrom != null ? " still pending there)" : " there)"));
        if (splitBrain != null) {
            warn("SPLIT-BRAIN: " + splitBrain + "; not resyncing until an operator discards one site's writes"
                    + " (sitepair resync --discard " + me.peer() + ")");
        } else if (manualStart && resumedFrom == null) { // a resumed copy was approved already
            say("waiting for an operator to start it (sitepair resync)");
        } else {
            start();
        }
    }

    /**
     * The blocks to copy: this site's side from its block map (writes during the scan are in
     * {@link #changed} in any case), the backup's as it said.
     */
    private ResyncPlan computePlan() throws IOException {
        List<BitSet> blocks = new ArrayList<>();
        int disks = source.disks().size();
        long[] here = new long[disks];
        long[] there = new long[disks];
        for (int d = 0; d < disks; d++) {
            long count = source.disks().get(d).blockCount();
            BitSet union;
            if (resumedFrom == null && divergence == null) {
                union = new BitSet((int) count);
                union.set(0, (int) count);
                here[d] = count;
            } else {
                union = source.history().writtenAfter(d, count, resumedFrom != null ? resumedFrom : divergence);
                here[d] = union.cardinality();
                there[d] = theirs.get(d).cardinality();
                union.or(theirs.get(d));
            }
            blocks.add(union);
        }
        return new ResyncPlan(me.site(), me.peer(), divergence, resumedFrom, splitBrain, blocks, here, there);
    }

    /**
     * An operator's go-ahead (and rate, 0: keep it): starts a waiting resync, or changes the rate of
     * a running one; {@code discard} names the site whose writes a split-brain resync throws away.
     * Returns what it did; throws why not.
     */
    @Override
    public String approve(long rate, String discard) {
        if (discard != null && splitBrain == null) {
            throw new IllegalStateException("there is no split-brain to resolve: --discard is only for one");
        }
        if (discard != null && !discard.equals(me.peer())) {
            throw new IllegalStateException("site '" + discard + "' is the live site and the resync's source; only"
                    + " the returning site '" + me.peer() + "' can be discarded. To keep '" + me.peer() + "''s writes"
                    + " instead, stop '" + discard + "' and start '" + me.peer() + "' as the primary.");
        }
        return switch (phase) {
            case ASKING -> throw new IllegalStateException("the resync is still being planned; try again in a moment");
            case COPYING -> {
                if (rate > 0) {
                    pacer.setRate(rate);
                }
                yield "resync running" + (rate > 0 ? "; rate limit now " + rate + " bytes/s" : "");
            }
            case DONE, ABORTED -> throw new IllegalStateException("the resync is over");
            case PLANNED -> {
                if (splitBrain != null && discard == null) {
                    throw new IllegalStateException("split-brain: " + splitBrain + ". Choose the site whose writes"
                            + " since " + divergence + " are discarded: --discard " + me.peer());
                }
                if (discard != null) {
                    say("an operator discards site '" + discard + "''s writes since " + divergence);
                }
                if (rate > 0) {
                    pacer.setRate(rate);
                }
                start();
                yield "resync started: " + plan.kind();
            }
        };
    }

    /**
     * Tells the backup the plan (begun where planning began), then copies it; the blocks written
     * since planning began (the plan may have waited for an operator) are sent again at its end.
     */
    private void start() {
        phase = Phase.COPYING;
        for (int d = 0; d < plan.blocks().size(); d++) {
            channel.write(new ChannelMessage.CopyPlan(d, begun.epoch(), begun.position(),
                    plan.blocks().get(d).toByteArray()), channel.voidPromise());
        }
        copy = new CopySender(channel, source, plan.kind(), plan.blocks(), changed, pacer, outcome -> {
            phase = Phase.DONE;
            done.accept(outcome);
        });
        say("copying " + plan.totalBlocks() + " blocks (" + plan.kind() + ")"
                + (pacer.rate() > 0 ? " at most at " + pacer.rate() + " bytes/s" : ""));
        copy.start();
    }

    @Override
    public void writable() {
        if (copy != null) {
            copy.pump();
        }
    }

    /**
     * The connection broke: no more copying, and (unless the copy finished) no more tracking.
     * Returns whether blocks were being copied.
     */
    @Override
    public boolean abort() {
        boolean copying = phase == Phase.COPYING;
        if (copy != null) {
            copy.abort();
        }
        if (changed != null && phase != Phase.DONE) {
            source.trackWrites(io.sitepair.disk.WriteTracker.NONE);
        }
        phase = phase == Phase.DONE ? phase : Phase.ABORTED;
        return copying;
    }

    /** "planning", "waiting for approval", "split-brain" or the copy's progress, for the primary's protection line. */
    @Override
    public String progress() {
        return switch (phase) {
            case ASKING -> "planning the resync";
            case PLANNED -> splitBrain != null ? "SPLIT-BRAIN, waiting for an operator (sitepair resync --discard)"
                    : "resync planned, waiting for an operator (sitepair resync)";
            case COPYING, DONE -> copy.progress();
            case ABORTED -> "resync aborted";
        };
    }

    /** The plan and, once copying, its figures. */
    @Override
    public ResyncStatus status() {
        ResyncStatus.Phase shown = switch (phase) {
            case ASKING -> ResyncStatus.Phase.PLANNING;
            case PLANNED -> splitBrain != null ? ResyncStatus.Phase.SPLIT_BRAIN : ResyncStatus.Phase.AWAITING_APPROVAL;
            case COPYING -> ResyncStatus.Phase.COPYING;
            case DONE -> ResyncStatus.Phase.DONE;
            case ABORTED -> ResyncStatus.Phase.ABORTED;
        };
        ResyncPlanStatus described = plan == null ? null : plan.describe();
        return copy != null ? copy.status(shown, described) : ResyncStatus.beforeCopy(shown, described, pacer.rate());
    }

    private void say(String what) {
        LOG.info("resync of site '{}': {}", me.peer(), what);
    }

    private void warn(String what) {
        LOG.warn("resync of site '{}': {}", me.peer(), what);
    }
}
