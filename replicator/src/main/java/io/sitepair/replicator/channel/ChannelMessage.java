package io.sitepair.replicator.channel;

import static io.sitepair.replicator.channel.Wire.readBytes;
import static io.sitepair.replicator.channel.Wire.readLineage;
import static io.sitepair.replicator.channel.Wire.readLongs;
import static io.sitepair.replicator.channel.Wire.readStamp;
import static io.sitepair.replicator.channel.Wire.readString;
import static io.sitepair.replicator.channel.Wire.rest;
import static io.sitepair.replicator.channel.Wire.writeBytes;
import static io.sitepair.replicator.channel.Wire.writeLineage;
import static io.sitepair.replicator.channel.Wire.writeStamp;
import static io.sitepair.replicator.channel.Wire.writeString;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Every message of the logging channel (TCP, between the two sites), and its encoding. Each
 * travels as {@code u32 length, u8 type, body} (big-endian; strings are u16 length + UTF-8; the
 * type codes are in {@link MessageType}).
 *
 * <p>Handshake: the primary dials and sends {@link Hello}; the backup checks it and answers
 * {@link Welcome} (proving it knows the pair's secret) or {@link Refused}; the primary checks that
 * and answers {@link Proof} (its own proof) or {@link Refused}. Then the primary streams
 * {@link Entries} from the backup's received position on, and the backup answers each with an
 * {@link Ack}, and again whenever its replay advances.
 *
 * <p>Re-protection: when the backup cannot continue from what it holds (it asks with
 * {@link Welcome#wantsCopy}, or the primary no longer has the entries it needs), the primary
 * first sends its disks as {@link CopyBlocks}, then its VM state as {@link CopyState} chunks and
 * {@link CopyDone}, and streams entries from the copy's position on. When the two sites' lineages
 * share a history, the copy is incremental: the primary asks {@link ResyncFrom} the divergence
 * point, the backup answers {@link WrittenBlocks} per disk, and only blocks either side wrote
 * since are copied. Before the first block, {@link CopyPlan} tells the backup every block the copy
 * will send, so it can record its progress durably; a backup that was interrupted offers to resume
 * ({@link Welcome#resume}), and the primary then asks for its pending blocks instead
 * ({@link ResyncFrom#pending}). Runs of zero blocks travel as {@link ZeroBlocks}.
 */
public sealed interface ChannelMessage {
    /** Bumped on any incompatible change; both ends must speak the same. */
    int PROTOCOL_VERSION = 4;
    /** Larger messages are refused as malformed before anything is allocated for them. */
    int MAX_MESSAGE = 32 << 20;

    /** Writes the body; each record's static {@code read} reads it back ({@link MessageType} maps codes to both). */
    void writeBody(ByteBuf out);

    /** What the primary is and what it will stream: the backup refuses any mismatch. */
    record Hello(int protocol, String pair, String site, long epoch, byte[] guestHash, String arch,
                 List<Long> diskBlocks, boolean loggedReads, long streamId, byte[] nonce) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeInt(protocol);
            writeString(out, pair);
            writeString(out, site);
            out.writeLong(epoch);
            writeBytes(out, guestHash);
            writeString(out, arch);
            out.writeShort(diskBlocks.size());
            diskBlocks.forEach(out::writeLong);
            out.writeBoolean(loggedReads);
            out.writeLong(streamId);
            writeBytes(out, nonce);
        }
        static Hello read(ByteBuf in) {
            return new Hello(in.readInt(), readString(in), readString(in), in.readLong(), readBytes(in),
                    readString(in), readLongs(in), in.readBoolean(), in.readLong(), readBytes(in));
        }
    }

    /**
     * The backup accepts: it replays {@code streamId} (0: nothing yet) and holds every entry up to
     * {@code received}; {@code wantsCopy}: its disks are marked inconsistent and it needs a full
     * copy; {@code resume}: an interrupted copy it can resume, begun at this stamp of the primary
     * (null: none); {@code mac} proves it knows the secret (over the Hello and these fields).
     */
    record Welcome(String site, long epoch, long streamId, long received, boolean wantsCopy,
                   List<io.sitepair.disk.Lineage.Entry> lineage, long lastPosition, io.sitepair.disk.Stamp resume,
                   byte[] nonce, byte[] mac)
            implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            writeUnsigned(out);
            writeBytes(out, mac);
        }
        /** The fields the MAC covers. */
        void writeUnsigned(ByteBuf out) {
            writeString(out, site);
            out.writeLong(epoch);
            out.writeLong(streamId);
            out.writeLong(received);
            out.writeBoolean(wantsCopy);
            writeLineage(out, lineage);
            out.writeLong(lastPosition);
            writeStamp(out, resume);
            writeBytes(out, nonce);
        }

        static Welcome read(ByteBuf in) {
            return new Welcome(readString(in), in.readLong(), in.readLong(), in.readLong(), in.readBoolean(),
                    readLineage(in), in.readLong(), readStamp(in), readBytes(in), readBytes(in));
        }

        /** The same Welcome without its MAC, as the MAC is computed over. */
        Welcome unsigned() {
            return new Welcome(site, epoch, streamId, received, wantsCopy, lineage, lastPosition, resume, nonce,
                    new byte[0]);
        }
    }

    /** The primary's proof that it knows the secret (over Hello and Welcome). */
    record Proof(byte[] mac) implements ChannelMessage {
        public void writeBody(ByteBuf out) { writeBytes(out, mac); }
        static Proof read(ByteBuf in) { return new Proof(readBytes(in)); }
    }

    /** The sender will not talk to this peer, and says why; it closes the connection next. */
    record Refused(String reason) implements ChannelMessage {
        public void writeBody(ByteBuf out) { writeString(out, reason); }
        static Refused read(ByteBuf in) { return new Refused(readString(in)); }
    }

    /**
     * Log entries {@code first..last}, consecutive, framed as in a log file, the whole batch
     * compressed into one {@link io.sitepair.compression.BlockCodec} frame.
     */
    record Entries(long first, long last, byte[] frame) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeLong(first).writeLong(last);
            out.writeBytes(frame);
        }
        static Entries read(ByteBuf in) { return new Entries(in.readLong(), in.readLong(), rest(in)); }
    }

    /** The backup holds every entry up to {@code received} and has replayed up to {@code replayed}. */
    record Ack(long epoch, long received, long replayed) implements ChannelMessage {
        public void writeBody(ByteBuf out) { out.writeLong(epoch).writeLong(received).writeLong(replayed); }
        static Ack read(ByteBuf in) { return new Ack(in.readLong(), in.readLong(), in.readLong()); }
    }

    /**
     * The backup stopped replaying at {@code position}, because its replay diverged or it failed
     * (a disk I/O error), as {@code reason} says; it cannot protect this primary.
     */
    record Diverged(long position, String reason) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeLong(position);
            writeString(out, reason);
        }
        static Diverged read(ByteBuf in) { return new Diverged(in.readLong(), readString(in)); }
    }

    /**
     * Re-protection: the blocks of {@code runs} of disk {@code disk} as the primary holds them, one
     * run after the other, compressed into one {@link io.sitepair.compression.BlockCodec} frame.
     */
    record CopyBlocks(int disk, BlockRuns runs, byte[] frame) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeShort(disk);
            runs.write(out);
            out.writeBytes(frame);
        }
        static CopyBlocks read(ByteBuf in) {
            return new CopyBlocks(in.readUnsignedShort(), BlockRuns.read(in), rest(in));
        }
    }

    /** Re-protection: the next chunk of the primary's VM state, compressed into one frame. */
    record CopyState(byte[] frame) implements ChannelMessage {
        public void writeBody(ByteBuf out) { out.writeBytes(frame); }
        static CopyState read(ByteBuf in) { return new CopyState(rest(in)); }
    }

    /**
     * Re-protection is complete: the disks sent are the primary's at log position {@code position},
     * the {@code stateBytes} of VM state sent are its state there (after {@code events} events;
     * {@code stateHash} is its SHA-256 state hash), whose history is {@code lineage} (the backup
     * adopts it), and entries follow from {@code position + 1}.
     */
    record CopyDone(long position, long events, long stateBytes, byte[] stateHash,
                    List<io.sitepair.disk.Lineage.Entry> lineage) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeLong(position).writeLong(events).writeLong(stateBytes);
            writeBytes(out, stateHash);
            writeLineage(out, lineage);
        }
        static CopyDone read(ByteBuf in) {
            return new CopyDone(in.readLong(), in.readLong(), in.readLong(), readBytes(in), readLineage(in));
        }
    }

    /**
     * Re-protection: the backup is to name the blocks it wrote after this stamp (the divergence
     * point), or with {@code pending} the blocks its interrupted copy begun at this stamp still lacks.
     */
    record ResyncFrom(long epoch, long position, boolean pending) implements ChannelMessage {
        public void writeBody(ByteBuf out) { out.writeLong(epoch).writeLong(position).writeBoolean(pending); }
        static ResyncFrom read(ByteBuf in) { return new ResyncFrom(in.readLong(), in.readLong(), in.readBoolean()); }
    }

    /**
     * The backup wrote these blocks of {@code disk} after the divergence point, or its interrupted
     * copy still lacks them ({@link java.util.BitSet} bytes).
     */
    record WrittenBlocks(int disk, byte[] bits) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeShort(disk);
            out.writeBytes(bits);
        }
        static WrittenBlocks read(ByteBuf in) { return new WrittenBlocks(in.readUnsignedShort(), rest(in)); }
    }

    /**
     * Online verify: the backup compared {@code compared} blocks at {@code position} against the
     * primary's checksums; {@code differing} lists the blocks that differ (at most
     * {@link #MAX_REPORTED} of {@code total}), each disk and block in one number ({@link #block(int, long)}),
     * so that numbers in a row are blocks in a row of one disk.
     */
    record VerifyReport(long position, long compared, long total, long[] differing) implements ChannelMessage {
        public static final int MAX_REPORTED = 100_000;
        private static final long BLOCK_MASK = (1L << 48) - 1;

        /** Block {@code block} of disk {@code disk} as one number of {@link #differing}. */
        public static long block(int disk, long block) {
            return ((long) disk << 48) | block;
        }

        /** The disk of a number of {@link #differing}. */
        public static int diskOf(long reported) {
            return (int) (reported >>> 48);
        }

        /** The block (on its disk) of a number of {@link #differing}. */
        public static long blockOf(long reported) {
            return reported & BLOCK_MASK;
        }

        public void writeBody(ByteBuf out) {
            out.writeLong(position).writeLong(compared).writeLong(total).writeInt(differing.length);
            for (long block : differing) {
                out.writeLong(block);
            }
        }

        static VerifyReport read(ByteBuf in) {
            long position = in.readLong();
            long compared = in.readLong();
            long total = in.readLong();
            int listed = in.readInt();
            if (listed < 0 || listed * 8L > in.readableBytes()) {
                throw new MalformedMessage("a verify report claims " + listed + " blocks, only "
                        + in.readableBytes() + " bytes remain");
            }
            long[] blocks = new long[listed];
            for (int i = 0; i < listed; i++) {
                blocks[i] = in.readLong();
            }
            return new VerifyReport(position, compared, total, blocks);
        }
    }

    /**
     * Re-protection: the copy about to begin will send these blocks of {@code disk}
     * ({@link java.util.BitSet} bytes); it begins with the primary at stamp {@code epoch},
     * {@code position}. The backup records them as pending, durably, so a broken copy resumes.
     */
    record CopyPlan(int disk, long epoch, long position, byte[] bits) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeShort(disk).writeLong(epoch).writeLong(position);
            out.writeBytes(bits);
        }
        static CopyPlan read(ByteBuf in) {
            return new CopyPlan(in.readUnsignedShort(), in.readLong(), in.readLong(), rest(in));
        }
    }

    /** Re-protection: the blocks of {@code runs} of {@code disk} are all zeros on the primary. */
    record ZeroBlocks(int disk, BlockRuns runs) implements ChannelMessage {
        public void writeBody(ByteBuf out) {
            out.writeShort(disk);
            runs.write(out);
        }
        static ZeroBlocks read(ByteBuf in) { return new ZeroBlocks(in.readUnsignedShort(), BlockRuns.read(in)); }
    }

    /** A message that does not decode; the connection is dropped with this message. */
    final class MalformedMessage extends RuntimeException {
        public MalformedMessage(String message) {
            super(message);
        }
    }
}
