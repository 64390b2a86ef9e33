package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.log.LogHeader;
import io.sitepair.replicator.log.LogReader;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A fault halts the VM with the same error in LIVE, RECORD and REPLAY, and nothing runs after it. */
class GuestFaultTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "T, COMPILED, unreachable", "T, INTERPRETED, unreachable",
        // --stack-first: the overflowing stack pointer leaves memory below address 0 and traps
        "R, COMPILED, out of bounds memory access", "R, INTERPRETED, out of bounds memory access",
        "D, COMPILED, integer divide by zero", "D, INTERPRETED, integer divide by zero",
        "W, COMPILED, guest called WASI function fd_", "W, INTERPRETED, guest called WASI function fd_"})
    void faultsHaltTheVmIdenticallyInEveryMode(char command, VmOptions.Engine engine, String detail) throws Exception {
        VmOptions options = Guests.quiet(engine);
        List<LogRecord.Event> events = List.of(new LogRecord.Init(), new LogRecord.Opened(1),
                new LogRecord.Data(1, "echo".getBytes()), new LogRecord.Data(1, new byte[] {(byte) command}));

        String live = VmThread.call("t", () -> faultMessage(options, events, null));
        Path log = dir.resolve("f.log");
        String recorded = VmThread.call("t", () -> faultMessage(options, events, log));
        String replayed = VmThread.call("t", () -> {
            try (DiskImage disk = DiskImage.openOrCreate(dir.resolve("r.img"), 1 << 20);
                 LogReader reader = LogReader.open(log)) {
                GuestVm vm = GuestVm.create(Guests.faulty(), options, List.of(disk));
                GuestFault fault = assertThrows(GuestFault.class, () -> new Replayer(vm, reader).run(null));
                assertHalted(vm);
                return fault.getMessage();
            }
        });
        assertTrue(live.matches("guest (trapped|fault) in sp_on_data \\(event data conn=1 len=1 .*"), live);
        assertTrue(live.contains(detail), live);
        // Same handler, same event, same cause; only the log position differs (LIVE has none).
        assertEquals(recorded, replayed);
        assertEquals(live.replaceAll("log position \\d+", ""), recorded.replaceAll("log position \\d+", ""));
    }

    private String faultMessage(VmOptions options, List<LogRecord.Event> events, Path record) throws Exception {
        try (DiskImage disk = DiskImage.openOrCreate(dir.resolve(record == null ? "l.img" : "w.img"), 1 << 20)) {
            GuestVm vm = GuestVm.create(Guests.faulty(), options, List.of(disk));
            LogWriter writer = null;
            List<byte[]> outputs = new ArrayList<>();
            OutputSink sink = new OutputSink() {
                public void send(long position, int conn, byte[] data) { outputs.add(data); }
                public void close(long position, int conn) {}
            };
            if (record == null) {
                vm.startLive(RealInputs.system(), sink);
            } else {
                writer = LogWriter.create(record, new LogHeader(vm.module().hash(), OfflineRun.CPU_ARCH,
                        List.of(disk.blockCount()), false, 1), System::nanoTime);
                vm.startRecording(RealInputs.system(), sink, writer, false);
            }
            try {
                for (int i = 0; i < events.size() - 1; i++) {
                    vm.deliver(events.get(i));
                }
                assertEquals("echo", new String(outputs.get(0)), "the guest works before the fault");
                GuestFault fault = assertThrows(GuestFault.class, () -> vm.deliver(events.getLast()));
                assertHalted(vm);
                return fault.getMessage();
            } finally {
                if (writer != null) {
                    writer.close();
                }
            }
        }
    }

    private static void assertHalted(GuestVm vm) {
        assertEquals(GuestVm.Status.HALTED, vm.status());
        IllegalStateException after = assertThrows(IllegalStateException.class,
                () -> vm.deliver(new LogRecord.Opened(vm.hostState().nextConnectionId())));
        assertTrue(after.getMessage().startsWith("the VM has halted"), after.getMessage());
    }
}
