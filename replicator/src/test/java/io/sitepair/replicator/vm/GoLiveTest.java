package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogReader;
import io.sitepair.replicator.log.LogRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replaying VM switches to LIVE at the end of its log, even in the middle of a handler. */
class GoLiveTest {
    @TempDir
    Path dir;

    record Output(int conn, byte[] data) {}

    @Test
    void goingLiveMidHandlerProducesExactlyTheOutputThePrimaryLogged() throws Exception {
        Path log = dir.resolve("s.log");
        OfflineRun run = new OfflineRun(Guests.stress(), Guests.quiet(VmOptions.Engine.COMPILED));
        run.synthetic(List.of(dir.resolve("a.img")), 2 << 20, new OfflineRun.Workload(9, 2000, log, false), null);
        List<LogEntry> entries = LogSurgery.entries(log);

        // Cut the log just before an output whose handler has already begun: the backup must
        // finish that handler live and send what the primary had computed.
        int cut = entries.size() / 2;
        while (!(entries.get(cut).record() instanceof LogRecord.Sent) || entries.get(cut - 1).record() instanceof LogRecord.Event) {
            cut++;
        }
        LogRecord.Sent expected = (LogRecord.Sent) entries.get(cut).record();
        long keep = entries.get(cut - 1).position();
        long eventsBeforeCut = entries.stream().filter(e -> e.position() <= keep && e.record() instanceof LogRecord.Event).count();
        Path prefix = dir.resolve("prefix.log");
        LogSurgery.rewrite(log, prefix, e -> e.position() <= keep ? List.of(e.record()) : List.of());

        List<Output> live = new ArrayList<>();
        OutputSink sink = new OutputSink() {
            public void send(long position, int conn, byte[] data) { live.add(new Output(conn, data)); }
            public void close(long position, int conn) {}
        };
        VmThread.call("t", () -> {
            try (DiskImage disk = DiskImage.openOrCreate(dir.resolve("b.img"), 2 << 20); LogReader reader = LogReader.open(prefix)) {
                GuestVm vm = GuestVm.create(Guests.stress(), Guests.quiet(VmOptions.Engine.COMPILED), List.of(disk));
                Replayer replayer = new Replayer(vm, reader);
                vm.goLiveAtEndOfLog(RealInputs.system(), sink);
                replayer.run(null);

                assertEquals(VmMode.LIVE, vm.mode());
                assertEquals(GuestVm.Status.RUNNING, vm.status());
                assertEquals(eventsBeforeCut, vm.eventsDelivered(), "the cut handler ran to completion");
                assertFalse(live.isEmpty(), "outputs after the switch are released");
                Output first = live.getFirst();
                assertEquals(expected.conn(), first.conn());
                assertEquals(expected.length(), first.data().length);
                assertEquals(expected.crc(), crc(first.data()));

                // And it keeps running live: new events, new outputs.
                int before = live.size();
                int conn = vm.hostState().nextConnectionId();
                vm.deliver(new LogRecord.Opened(conn));
                vm.deliver(new LogRecord.Data(conn, "xyz".getBytes()));
                assertTrue(live.size() > before);
                return null;
            }
        });
    }

    @Test
    void withoutGoLiveTheEndOfTheLogInsideAHandlerHaltsTheVm() throws Exception {
        Path log = dir.resolve("s.log");
        OfflineRun run = new OfflineRun(Guests.stress(), Guests.quiet(VmOptions.Engine.COMPILED));
        run.synthetic(List.of(dir.resolve("a.img")), 2 << 20, new OfflineRun.Workload(9, 300, log, false), null);
        List<LogEntry> entries = LogSurgery.entries(log);
        // Keep a host-call entry that another host-call entry follows: the log then ends mid-handler.
        int cut = entries.size() / 2;
        while (entries.get(cut).record() instanceof LogRecord.Event || entries.get(cut + 1).record() instanceof LogRecord.Event) {
            cut++;
        }
        long keep = entries.get(cut).position();
        Path prefix = dir.resolve("prefix.log");
        LogSurgery.rewrite(log, prefix, e -> e.position() <= keep ? List.of(e.record()) : List.of());
        LogUnreadable e = assertThrows(LogUnreadable.class, () -> run.replay(List.of(dir.resolve("b.img")), prefix, null, null));
        assertTrue(e.getMessage().startsWith("the log ends at position " + keep + " inside a handler"), e.getMessage());
    }

    private static int crc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }
}
