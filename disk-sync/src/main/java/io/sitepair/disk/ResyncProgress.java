package io.sitepair.disk;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A resync target's durable progress, so that a resync broken off (either site killed, the link
 * cut) resumes instead of starting over: the source site, the source's stamp when the copy began,
 * and per disk the blocks still pending. A block leaves the pending set only in a
 * {@link #persist() persisted} state written after the disk was flushed, so the file never calls a
 * block copied that is not on disk. On resuming, the source ships the pending blocks plus every
 * block it wrote after the start stamp (those copied earlier may have changed since).
 *
 * <p>File: {@code "sitepair-resync 1\n"}, source site (u16 length + UTF-8), start epoch and
 * position (i64), disk count (u16), per disk its block count (i64), bitmap length (i32) and
 * {@link BitSet} bytes; then a CRC32C of everything before it (i32). Replaced atomically.
 */
public final class ResyncProgress {
    private static final byte[] MAGIC = "sitepair-resync 1\n".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final String source;
    private final Stamp start;
    private final List<Long> diskBlocks;
    private final List<BitSet> pending;

    private ResyncProgress(Path file, String source, Stamp start, List<Long> diskBlocks, List<BitSet> pending) {
        this.file = file;
        this.source = source;
        this.start = start;
        this.diskBlocks = List.copyOf(diskBlocks);
        this.pending = pending;
    }

    /** A new resync from {@code source}, which began at {@code start} with {@code pending} to copy; durable on return. */
    public static ResyncProgress begin(Path file, String source, Stamp start, List<Long> diskBlocks,
                                       List<BitSet> pending) throws IOException {
        List<BitSet> copy = new ArrayList<>();
        pending.forEach(bits -> copy.add((BitSet) bits.clone()));
        ResyncProgress progress = new ResyncProgress(file, source, start, diskBlocks, copy);
        progress.persist();
        return progress;
    }

    /** The progress recorded in {@code file}, or null if there is none; a damaged file is an error naming it. */
    public static ResyncProgress open(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length < MAGIC.length + 4
                || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(file + ": not a sitepair resync progress file");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
            throw new IOException(file + ": checksum mismatch (the file is damaged)");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, MAGIC.length,
                bytes.length - 4 - MAGIC.length))) {
            byte[] name = new byte[in.readUnsignedShort()];
            in.readFully(name);
            Stamp start = new Stamp(in.readLong(), in.readLong());
            int disks = in.readUnsignedShort();
            List<Long> blocks = new ArrayList<>();
            List<BitSet> pending = new ArrayList<>();
            for (int d = 0; d < disks; d++) {
                blocks.add(in.readLong());
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw new IOException(file + ": disk " + d + "'s bitmap claims " + length + " bytes");
                }
                byte[] bits = new byte[length];
                in.readFully(bits);
                pending.add(BitSet.valueOf(bits));
            }
            return new ResyncProgress(file, new String(name, StandardCharsets.UTF_8), start, blocks, pending);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated", e);
        }
    }

    /** Forgets the progress (the resync completed); durable on return. */
    public static void clear(Path file) throws IOException {
        DurableFiles.delete(file);
    }

    public String source() {
        return source;
    }

    /** The source's stamp when the copy began: whatever it wrote after must be shipped again. */
    public Stamp start() {
        return start;
    }

    public List<Long> diskBlocks() {
        return diskBlocks;
    }

    /** The blocks of {@code disk} not yet copied (as last persisted or since marked); a copy. */
    public synchronized BitSet pending(int disk) {
        return (BitSet) pending.get(disk).clone();
    }

    public synchronized long pendingBlocks() {
        return pending.stream().mapToLong(BitSet::cardinality).sum();
    }

    /** Blocks that reached the disk; they leave the pending set at the next {@link #persist()}. */
    public synchronized void copied(int disk, long first, int count) {
        pending.get(disk).clear((int) first, (int) (first + count));
    }

    /** Writes the pending set durably. The caller flushes the disks first. */
    public synchronized void persist() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.write(MAGIC);
            byte[] name = source.getBytes(StandardCharsets.UTF_8);
            out.writeShort(name.length);
            out.write(name);
            out.writeLong(start.epoch());
            out.writeLong(start.position());
            out.writeShort(pending.size());
            for (int d = 0; d < pending.size(); d++) {
                out.writeLong(diskBlocks.get(d));
                byte[] bits = pending.get(d).toByteArray();
                out.writeInt(bits.length);
                out.write(bits);
            }
            CRC32C crc = new CRC32C();
            byte[] body = buffer.toByteArray();
            crc.update(body);
            out.writeInt((int) crc.getValue());
        }
        DurableFiles.replace(file, buffer.toByteArray());
    }
}
