package io.sitepair.replicator.vm;

import io.sitepair.disk.DiskImage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * A VM captured between two events: its state (see {@link VmStateCodec}), the log position it
 * had reached, and the contents of its disks, so a site can start from it and replay the rest of
 * the log.
 *
 * <pre>
 *   magic "SPSNAP\r\n", u16 version, 32-byte guest hash, u64 log position, u64 events delivered,
 *   VM state, u16 disks, per disk: u64 blocks then (u64 block, 4096 bytes)* for non-zero blocks
 *   ending with -1, and a CRC32C of everything before it.
 * </pre>
 */
public final class Snapshot {
    private static final byte[] MAGIC = {'S', 'P', 'S', 'N', 'A', 'P', '\r', '\n'};
    private static final int VERSION = 1;

    /** What a snapshot file says about itself. */
    public record Info(long position, long eventsDelivered) {}

    private Snapshot() {}

    /** Writes the VM's snapshot; the VM must be between events. */
    public static Info write(GuestVm vm, Path file) throws IOException {
        VmThread.requireCurrent();
        if (vm.status() != GuestVm.Status.RUNNING) {
            throw new IllegalStateException("cannot snapshot a halted VM");
        }
        Info info = new Info(vm.position(), vm.eventsDelivered());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20)) {
            CheckedOutputStream checked = new CheckedOutputStream(raw, new CRC32C());
            DataOutputStream out = new DataOutputStream(checked);
            out.write(MAGIC);
            out.writeShort(VERSION);
            out.write(vm.module().hash());
            out.writeLong(info.position());
            out.writeLong(info.eventsDelivered());
            VmStateCodec.write(vm, out);
            out.writeShort(vm.disks().size());
            for (DiskImage disk : vm.disks()) {
                out.writeLong(disk.blockCount());
                disk.forEachBlockRun((first, data, length) -> {
                    for (int offset = 0; offset < length; offset += DiskImage.BLOCK_SIZE) {
                        if (!DiskImage.isZeroBlock(data, offset)) {
                            out.writeLong(first + offset / DiskImage.BLOCK_SIZE);
                            out.write(data, offset, DiskImage.BLOCK_SIZE);
                        }
                    }
                });
                out.writeLong(-1);
            }
            out.flush();
            new DataOutputStream(raw).writeInt((int) checked.getChecksum().getValue());
        }
        // Only a complete snapshot ever carries the final name.
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return info;
    }

    /**
     * Restores a snapshot into a new VM whose disks are {@code disks} (same geometry; their
     * contents are overwritten with the snapshot's). The VM still needs a mode.
     */
    public static GuestVm restore(Path file, GuestModule module, VmOptions options, List<DiskImage> disks)
            throws IOException {
        VmThread.requireCurrent();
        verifyChecksum(file); // before anything is written to a disk
        GuestVm vm = GuestVm.forRestore(module, options, disks);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            DataInputStream in = new DataInputStream(raw); // checksum verified above
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw new IOException(file + ": not a sitepair snapshot");
            }
            int version = in.readUnsignedShort();
            if (version != VERSION) {
                throw new IOException(file + ": snapshot version " + version + " is not supported");
            }
            byte[] hash = in.readNBytes(32);
            if (!Arrays.equals(hash, module.hash())) {
                throw new IOException(file + ": snapshot of guest module " + HexFormat.of().formatHex(hash)
                        + ", not of " + module.name() + " (" + module.hashHex() + ")");
            }
            long position = in.readLong();
            long events = in.readLong();
            VmStateCodec.read(vm, in);
            int diskCount = in.readUnsignedShort();
            if (diskCount != disks.size()) {
                throw new IOException(file + ": snapshot has " + diskCount + " disks, " + disks.size() + " given");
            }
            for (int d = 0; d < diskCount; d++) {
                restoreDisk(file, d, in, disks.get(d));
            }
            vm.restoreCounters(events);
            vm.restoredAt(position);
            return vm;
        } catch (EOFException e) {
            throw new IOException(file + ": snapshot is truncated", e);
        }
    }

    /** Reads one disk's blocks and writes the image, zeroing every block the snapshot omits. */
    private static void restoreDisk(Path file, int index, DataInputStream in, DiskImage disk) throws IOException {
        long blocks = in.readLong();
        if (blocks != disk.blockCount()) {
            throw new IOException(file + ": disk " + index + " has " + blocks + " blocks in the snapshot, "
                    + disk.blockCount() + " here (" + disk.path() + ")");
        }
        byte[] zero = new byte[DiskImage.BLOCK_SIZE];
        byte[] data = new byte[DiskImage.BLOCK_SIZE];
        long next = 0;
        for (long block = in.readLong(); block != -1; block = in.readLong()) {
            if (block < next || block >= blocks) {
                throw new IOException(file + ": disk " + index + " block " + block + " out of order or range");
            }
            for (; next < block; next++) {
                disk.write(next, 1, zero, 0);
            }
            in.readFully(data);
            disk.write(block, 1, data, 0);
            next = block + 1;
        }
        for (; next < blocks; next++) {
            disk.write(next, 1, zero, 0);
        }
        disk.flush();
    }

    private static void verifyChecksum(Path file) throws IOException {
        long size = Files.size(file);
        if (size < MAGIC.length + 4) {
            throw new IOException(file + ": snapshot is truncated");
        }
        CRC32C crc = new CRC32C();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            byte[] buffer = new byte[1 << 16];
            long left = size - 4;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(file + ": snapshot is truncated");
                }
                crc.update(buffer, 0, n);
                left -= n;
            }
            if (new DataInputStream(in).readInt() != (int) crc.getValue()) {
                throw new IOException(file + ": snapshot is corrupt (checksum mismatch)");
            }
        }
    }

    /**
     * The VM's state alone (memory, globals, tables, host state), for shipping to a site whose
     * disks are copied separately; the VM must be between events.
     */
    public static byte[] captureState(GuestVm vm) throws IOException {
        VmThread.requireCurrent();
        if (vm.status() != GuestVm.Status.RUNNING) {
            throw new IllegalStateException("cannot capture a halted VM");
        }
        // Sized for the whole memory at once: grown by doubling, a large guest's state is copied
        // over and over, and holds twice its size, while the caller (a backup's replay) waits.
        long memory = (long) vm.instance().memory().pages() * com.dylibso.chicory.runtime.Memory.PAGE_SIZE;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                memory + (1 << 20)));
        DataOutputStream out = new DataOutputStream(bytes);
        VmStateCodec.write(vm, out);
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * A VM with the state {@link #captureState} took at log position {@code position} after
     * {@code events} events, over {@code disks} (which must already hold the disks of that moment).
     * The VM still needs a mode.
     */
    public static GuestVm restoreState(GuestModule module, VmOptions options, List<DiskImage> disks, byte[] state,
                                       long position, long events) throws IOException {
        VmThread.requireCurrent();
        GuestVm vm = GuestVm.forRestore(module, options, disks);
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(state));
        try {
            VmStateCodec.read(vm, in);
        } catch (EOFException e) {
            throw new IOException("the VM state is truncated", e);
        }
        if (in.available() > 0) {
            throw new IOException("the VM state has " + in.available() + " bytes after its end");
        }
        vm.restoreCounters(events);
        vm.restoredAt(position);
        return vm;
    }

    /** Reads only the header fields. */
    public static Info info(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw new IOException(file + ": not a sitepair snapshot");
            }
            in.readUnsignedShort();
            in.readNBytes(32);
            return new Info(in.readLong(), in.readLong());
        }
    }
}
