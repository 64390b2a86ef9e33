package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.log.LogRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guest memory growth stops at the host's cap (or the module's, if lower): malloc fails, no OOM. */
class MemoryCapTest {
    @TempDir
    Path dir;

    int blocksAllocatedUnder(long capBytes) throws Exception {
        VmOptions options = new VmOptions(VmOptions.Engine.COMPILED, capBytes, (m, l) -> {});
        List<String> replies = new ArrayList<>();
        VmThread.call("t", () -> {
            try (DiskImage disk = DiskImage.openOrCreate(dir.resolve(capBytes + ".img"), 1 << 20)) {
                GuestVm vm = GuestVm.create(Guests.faulty(), options, List.of(disk));
                vm.startLive(RealInputs.system(), new OutputSink() {
                    public void send(long position, int conn, byte[] data) { replies.add(new String(data)); }
                    public void close(long position, int conn) {}
                });
                vm.deliver(new LogRecord.Init());
                vm.deliver(new LogRecord.Opened(1));
                vm.deliver(new LogRecord.Data(1, "M".getBytes()));
                return null;
            }
        });
        return Integer.parseInt(replies.getFirst());
    }

    @Test
    void theHostCapBoundsGuestMemory() throws Exception {
        int small = blocksAllocatedUnder(4L << 20);
        int large = blocksAllocatedUnder(1L << 30); // above the module's own 64 MiB: the module's cap rules
        assertTrue(small > 0 && small < 64, "4 MiB holds fewer than 64 blocks of 64 KiB: " + small);
        assertTrue(large > 900 && large < 1024, "64 MiB module cap: " + large);
        assertEquals(small, blocksAllocatedUnder(4L << 20), "deterministic");
    }
}
