package io.sitepair.replicator.resync;

import io.sitepair.compression.BlockCodec;
import io.sitepair.compression.CorruptFrameException;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.Stamp;
import io.sitepair.replicator.channel.BlockRuns;
import io.sitepair.replicator.channel.ChannelMessage;
import io.sitepair.replicator.channel.IncomingCopy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One primary's copy as the backup receives it over one connection: answers which blocks this
 * site wrote (or still lacks), checks the plan and records it, writes copied blocks and zero runs
 * at once, and gathers the VM state until the copy is done. Anything malformed refuses the primary.
 */
final class CopyIntake implements IncomingCopy.Session {
    private static final Logger LOG = LoggerFactory.getLogger(CopyIntake.class);

    private final String primary;
    private final List<Long> diskBlocks;
    private final CopyTarget target;
    private final BlockCodec codec;
    private final IncomingCopy.Link link;
    private final List<BitSet> plan = new ArrayList<>();
    private ByteArrayOutputStream copiedState;
    private boolean copying;

    CopyIntake(String primary, List<Long> diskBlocks, CopyTarget target, BlockCodec codec, IncomingCopy.Link link) {
        this.primary = primary;
        this.diskBlocks = diskBlocks;
        this.target = target;
        this.codec = codec;
        this.link = link;
    }

    @Override
    public boolean handle(ChannelMessage message) {
        switch (message) {
            case ChannelMessage.ResyncFrom from -> tellWritten(from);
            case ChannelMessage.CopyPlan part when !copying -> plan(part);
            case ChannelMessage.CopyBlocks blocks when copying -> blocks(blocks);
            case ChannelMessage.ZeroBlocks zeros when copying -> zeros(zeros);
            case ChannelMessage.CopyState chunk when copying -> state(chunk);
            case ChannelMessage.CopyDone done when copying -> done(done);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The blocks this site wrote after the divergence point, or those its interrupted copy still lacks, per disk. */
    private void tellWritten(ChannelMessage.ResyncFrom from) {
        if (!target.acceptsCopy()) {
            link.refuse("this backup already replays from position " + link.received() + "; it cannot be resynced");
            return;
        }
        Stamp point = new Stamp(from.epoch(), from.position());
        try {
            for (int d = 0; d < diskBlocks.size(); d++) {
                BitSet written = from.pending() ? target.pending(d)
                        : target.history().writtenAfter(d, diskBlocks.get(d), point);
                link.write(new ChannelMessage.WrittenBlocks(d, written.toByteArray()));
            }
            link.flush();
        } catch (IOException | IllegalStateException e) {
            link.refuse("cannot read this site's block map: " + e.getMessage());
        }
    }

    /** What the copy will send, disk by disk; recorded before the first block. */
    private void plan(ChannelMessage.CopyPlan part) {
        if (!target.acceptsCopy()) {
            link.refuse("this backup already replays from position " + link.received() + "; it cannot take a copy");
            return;
        }
        if (part.disk() != plan.size() || part.disk() >= diskBlocks.size()) {
            link.refuse("copy plan for disk " + part.disk() + " where disk " + plan.size() + " was due");
            return;
        }
        BitSet bits = BitSet.valueOf(part.bits());
        if (bits.length() > diskBlocks.get(part.disk())) {
            link.refuse("copy plan for disk " + part.disk() + " names block " + (bits.length() - 1) + " of a disk of "
                    + diskBlocks.get(part.disk()) + " blocks");
            return;
        }
        plan.add(bits);
        if (plan.size() < diskBlocks.size()) {
            return;
        }
        try {
            link.after(target.plan(primary, new Stamp(part.epoch(), part.position()), List.copyOf(plan)),
                    "cannot begin the copy", () -> copying = true);
        } catch (IOException | RuntimeException e) {
            link.refuse("cannot begin the copy: " + e.getMessage());
        }
    }

    private void zeros(ChannelMessage.ZeroBlocks zeros) {
        BlockRuns runs = zeros.runs();
        try {
            for (int r = 0; r < runs.size(); r++) {
                target.zeros(zeros.disk(), runs.firsts()[r], runs.counts()[r]);
            }
        } catch (IndexOutOfBoundsException e) {
            link.refuse("bad zero runs (disk " + zeros.disk() + "): " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            link.refuse("cannot write copied blocks: " + e.getMessage());
        }
    }

    /** Runs of the primary's blocks, each written at once to this site's disk. */
    private void blocks(ChannelMessage.CopyBlocks blocks) {
        BlockRuns runs = blocks.runs();
        try {
            byte[] data = codec.decode(blocks.frame(), 0, blocks.frame().length);
            if (data.length != runs.total() * DiskImage.BLOCK_SIZE) {
                throw new CorruptFrameException("copied runs of " + runs.total() + " blocks of disk " + blocks.disk()
                        + " hold " + data.length + " bytes");
            }
            int offset = 0;
            for (int r = 0; r < runs.size(); r++) {
                target.blocks(blocks.disk(), runs.firsts()[r], runs.counts()[r], data, offset);
                offset += runs.counts()[r] * DiskImage.BLOCK_SIZE;
            }
        } catch (CorruptFrameException | IndexOutOfBoundsException e) {
            link.refuse("bad copy frame (disk " + blocks.disk() + ", block " + runs.firsts()[0] + "): "
                    + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            link.refuse("cannot write copied blocks: " + e.getMessage());
        }
    }

    private void state(ChannelMessage.CopyState chunk) {
        try {
            byte[] data = codec.decode(chunk.frame(), 0, chunk.frame().length);
            if (copiedState == null) {
                copiedState = new ByteArrayOutputStream(1 << 20);
            }
            copiedState.writeBytes(data);
        } catch (CorruptFrameException e) {
            link.refuse("bad VM state frame: " + e.getMessage());
        }
    }

    private void done(ChannelMessage.CopyDone done) {
        byte[] state = copiedState == null ? new byte[0] : copiedState.toByteArray();
        copiedState = null;
        if (state.length != done.stateBytes()) {
            link.refuse("the copied VM state has " + state.length + " bytes, the primary sent " + done.stateBytes());
            return;
        }
        try {
            link.after(target.done(done.position(), done.events(), state, done.stateHash(), done.lineage()),
                    "cannot complete the copy", () -> {
                        copying = false;
                        LOG.info("copy from site '{}' complete at position {}; streaming from position {}",
                                primary, done.position(), done.position() + 1);
                        link.copied();
                    });
        } catch (IOException | RuntimeException e) {
            link.refuse("cannot complete the copy: " + e.getMessage());
        }
    }
}
