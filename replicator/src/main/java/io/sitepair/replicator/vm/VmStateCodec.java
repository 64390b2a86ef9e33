package io.sitepair.replicator.vm;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import io.sitepair.disk.DiskImage;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The VM state between events, as bytes: linear memory, globals, tables and {@link HostState}.
 * One encoding serves snapshots and the state hash, so whatever a snapshot restores is exactly
 * what the hash covers.
 */
final class VmStateCodec {
    /** Memory is written in chunks of one wasm page; all-zero chunks are skipped. */
    private static final int CHUNK = Memory.PAGE_SIZE;
    private static final int END = -1;

    private VmStateCodec() {}

    static void write(GuestVm vm, DataOutput out) throws IOException {
        Instance instance = vm.instance();
        Memory memory = instance.memory();
        int pages = memory.pages();
        out.writeInt(pages);
        for (int chunk = 0; chunk < pages; chunk++) {
            byte[] bytes = memory.readBytes(chunk * CHUNK, CHUNK);
            if (!isZero(bytes)) {
                out.writeInt(chunk);
                out.write(bytes);
            }
        }
        out.writeInt(END);

        out.writeInt(instance.globalCount());
        for (int i = 0; i < instance.globalCount(); i++) {
            GlobalInstance global = instance.global(i);
            out.writeLong(global.getValueLow());
            out.writeLong(global.getValueHigh());
        }

        out.writeInt(instance.tableCount());
        for (int i = 0; i < instance.tableCount(); i++) {
            TableInstance table = instance.table(i);
            out.writeInt(table.size());
            for (int j = 0; j < table.size(); j++) {
                out.writeInt(table.ref(j));
            }
        }
        vm.hostState().write(out);
    }

    static void read(GuestVm vm, DataInput in) throws IOException {
        Instance instance = vm.instance();
        Memory memory = instance.memory();
        int pages = in.readInt();
        if (pages < memory.pages() || memory.grow(pages - memory.pages()) < 0) {
            throw new IOException("snapshot memory of " + pages + " pages does not fit this VM (has "
                    + memory.pages() + ", max " + memory.maximumPages() + ")");
        }
        memory.fill((byte) 0, 0, pages * CHUNK);
        byte[] bytes = new byte[CHUNK];
        for (int chunk = in.readInt(); chunk != END; chunk = in.readInt()) {
            if (chunk < 0 || chunk >= pages) {
                throw new IOException("snapshot memory chunk " + chunk + " outside " + pages + " pages");
            }
            in.readFully(bytes);
            memory.write(chunk * CHUNK, bytes);
        }

        int globals = in.readInt();
        if (globals != instance.globalCount()) {
            throw new IOException("snapshot has " + globals + " globals, the module " + instance.globalCount());
        }
        for (int i = 0; i < globals; i++) {
            GlobalInstance global = instance.global(i);
            global.setValueLow(in.readLong());
            global.setValueHigh(in.readLong());
        }

        int tables = in.readInt();
        if (tables != instance.tableCount()) {
            throw new IOException("snapshot has " + tables + " tables, the module " + instance.tableCount());
        }
        for (int i = 0; i < tables; i++) {
            TableInstance table = instance.table(i);
            int size = in.readInt();
            if (size > table.size() && table.grow(size - table.size(), -1, instance) < 0) {
                throw new IOException("cannot grow table " + i + " to " + size);
            }
            for (int j = 0; j < size; j++) {
                table.setRef(j, in.readInt(), instance);
            }
        }
        vm.hostState().read(in);
    }

    static byte[] hash(GuestVm vm) {
        MessageDigest digest = sha256();
        try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), digest))) {
            out.writeUTF("sitepair-state-v1");
            write(vm, out);
            out.writeInt(vm.disks().size());
            for (DiskImage disk : vm.disks()) {
                out.writeLong(disk.blockCount());
                out.flush();
                disk.digest(digest);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest.digest();
    }

    static byte[] hashVm(GuestVm vm) {
        MessageDigest digest = sha256();
        try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), digest))) {
            out.writeUTF("sitepair-vm-state-v1");
            write(vm, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest.digest();
    }

    static boolean isZero(byte[] bytes) {
        return Arrays.mismatch(bytes, ZERO_CHUNK) < 0;
    }

    private static final byte[] ZERO_CHUNK = new byte[CHUNK];

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
