package io.sitepair.replicator.vm;

import com.dylibso.chicory.runtime.Memory;
import io.sitepair.disk.DiskImage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The host side of the guest ABI. The deterministic half of each host call (argument checks,
 * connection and timer bookkeeping, local disk writes) is done here identically in every mode;
 * the world-facing half is delegated to the current {@link ExecutionMode}.
 *
 * <p>Host calls are accepted only while a handler runs: a guest that touches the world from
 * {@code _initialize} (a C constructor calling the clock, say) would do so unlogged.
 */
final class VmHost implements GuestAbi {
    private static final int MAX_CONSOLE_LINE = 4096;

    private final List<DiskImage> disks;
    private final HostState state = new HostState();
    private final BiConsumer<VmMode, String> console;
    private Consumer<DiskImage> flusher = DiskImage::flush;
    private io.sitepair.disk.WriteTracker tracker = io.sitepair.disk.WriteTracker.NONE;
    private io.sitepair.disk.WriteTracker stamps = io.sitepair.disk.WriteTracker.NONE;
    private Memory memory;
    private ExecutionMode mode;
    private boolean inHandler;

    private final boolean nic;

    VmHost(List<DiskImage> disks, BiConsumer<VmMode, String> console, boolean nic) {
        this.disks = List.copyOf(disks);
        this.console = console;
        this.nic = nic;
    }

    void attach(Memory memory) {
        this.memory = memory;
    }

    HostState state() {
        return state;
    }

    List<DiskImage> disks() {
        return disks;
    }

    ExecutionMode mode() {
        return mode;
    }

    void switchMode(ExecutionMode next) {
        this.mode = next;
    }

    /** How disk_flush makes writes durable (default: synchronously, before it returns). */
    void flushWith(Consumer<DiskImage> flusher) {
        this.flusher = flusher;
    }

    /** Who records every block written for good (the site's block map; default: nobody). */
    void stampWritesWith(io.sitepair.disk.WriteTracker stamps) {
        this.stamps = stamps;
    }

    /** Who is told of each block written while re-protection copies (default: nobody). */
    void trackWritesWith(io.sitepair.disk.WriteTracker tracker) {
        this.tracker = tracker;
    }

    void enterHandler() {
        inHandler = true;
    }

    void leaveHandler() {
        inHandler = false;
    }

    boolean inHandler() {
        return inHandler;
    }

    private void requireHandler(String call) {
        if (!inHandler) {
            throw new GuestFault("host call " + call + " outside an event handler (during _initialize?);"
                    + " touch the world only from sp_on_* handlers");
        }
    }

    // ---- outputs ----

    @Override
    public int send(int conn, int dataPtr, int length) {
        requireHandler("send");
        if (length < 0 || length > MAX_TRANSFER) {
            return E_INVAL;
        }
        if (!state.isOpen(conn)) {
            return E_NOCONN;
        }
        if (length > 0) {
            mode.send(conn, memory.readBytes(dataPtr, length));
        }
        return OK;
    }

    @Override
    public int close(int conn) {
        requireHandler("close");
        if (!state.remove(conn)) {
            return E_NOCONN;
        }
        mode.close(conn);
        return OK;
    }

    @Override
    public int nic_send(int framePtr, int length) {
        requireHandler("nic_send");
        if (!nic) {
            return E_NONIC;
        }
        if (length < MIN_FRAME || length > MAX_FRAME) {
            return E_INVAL;
        }
        mode.send(NIC_CONN, memory.readBytes(framePtr, length));
        return OK;
    }

    // ---- disks ----

    @Override
    public int disk_count() {
        requireHandler("disk_count");
        return disks.size();
    }

    @Override
    public long disk_blocks(int disk) {
        requireHandler("disk_blocks");
        return disk >= 0 && disk < disks.size() ? disks.get(disk).blockCount() : E_NODISK;
    }

    @Override
    public int disk_read(int disk, long block, int count, int bufPtr) {
        requireHandler("disk_read");
        int check = checkTransfer(disk, block, count);
        if (check != OK) {
            return check;
        }
        DiskImage image = disks.get(disk);
        memory.write(bufPtr, mode.diskRead(disk, block, count, () -> image.read(block, count)));
        return OK;
    }

    @Override
    public int disk_write(int disk, long block, int count, int bufPtr) {
        requireHandler("disk_write");
        int check = checkTransfer(disk, block, count);
        if (check != OK) {
            return check;
        }
        // Not logged: the backup performs the same write when it replays this handler.
        long position = mode.position();
        stamps.written(disk, block, count, position);
        tracker.written(disk, block, count, position);
        disks.get(disk).write(block, count, memory.readBytes(bufPtr, count * BLOCK_SIZE), 0);
        return OK;
    }

    @Override
    public int disk_flush(int disk) {
        requireHandler("disk_flush");
        if (disk < 0 || disk >= disks.size()) {
            return E_NODISK;
        }
        flusher.accept(disks.get(disk));
        return OK;
    }

    private int checkTransfer(int disk, long block, int count) {
        if (disk < 0 || disk >= disks.size()) {
            return E_NODISK;
        }
        if (count <= 0 || count > MAX_TRANSFER / BLOCK_SIZE) {
            return E_INVAL;
        }
        return disks.get(disk).inRange(block, count) ? OK : E_RANGE;
    }

    // ---- inputs ----

    @Override
    public long clock_now() {
        requireHandler("clock_now");
        return mode.clock();
    }

    @Override
    public void random(int bufPtr, int length) {
        requireHandler("random");
        if (length < 0 || length > MAX_TRANSFER) {
            throw new GuestFault("random: length " + length + " outside [0, " + MAX_TRANSFER + "]");
        }
        byte[] bytes = new byte[length];
        mode.random(bytes);
        memory.write(bufPtr, bytes);
    }

    // ---- timers ----

    @Override
    public int timer_set(long id, long deadlineNanos) {
        requireHandler("timer_set");
        state.armTimer(id, deadlineNanos);
        return OK;
    }

    @Override
    public int timer_cancel(long id) {
        requireHandler("timer_cancel");
        return state.cancelTimer(id) ? OK : E_NOTIMER;
    }

    // ---- diagnostics ----

    @Override
    public void console(int linePtr, int length) {
        int n = Math.max(0, Math.min(length, MAX_CONSOLE_LINE));
        console.accept(mode.kind(), new String(memory.readBytes(linePtr, n), StandardCharsets.UTF_8));
    }
}
