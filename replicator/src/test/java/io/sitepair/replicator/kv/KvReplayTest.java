package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.log.LogReader;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.Replayer;
import io.sitepair.replicator.vm.VmThread;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A recorded kv run replays to the same memory, disk and outputs: the guest is deterministic. */
class KvReplayTest {
    static final long DISK = 1L << 20; // small, so the workload compacts

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRecordedRunReplaysToTheSameState(boolean loggedReads) throws Exception {
        // A store with data on it already, so the recorded boot recovers records.
        Path primary = dir.resolve("primary.img");
        try (KvServer seed = KvServer.boot(primary, DISK)) {
            for (int i = 0; i < 50; i++) {
                assertEquals("+OK\r\n", seed.cmd("SET", "seed" + i, "v" + i, "PX", Integer.toString(1000 * (i + 1))));
            }
        }
        Path backup = dir.resolve("backup.img");
        Files.copy(primary, backup);

        Path log = dir.resolve("kv.log");
        KvServer kv = KvServer.record(primary, DISK, log, loggedReads);
        SplittableRandom r = new SplittableRandom(9);
        List<Integer> conns = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            conns.add(kv.open());
        }
        String value = "x".repeat(3000);
        for (int round = 0; round < 300; round++) {
            int conn = conns.get(r.nextInt(conns.size()));
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int n = 1 + r.nextInt(5); n > 0; n--) {
                String key = "k" + r.nextInt(40);
                switch (r.nextInt(6)) {
                    case 0 -> batch.writeBytes(Resp.command("SET", key, value + round));
                    case 1 -> batch.writeBytes(Resp.command("SET", key, "v", "PX", Integer.toString(1 + r.nextInt(300))));
                    case 2 -> batch.writeBytes(Resp.command("INCR", "counter"));
                    case 3 -> batch.writeBytes(Resp.command("APPEND", key, "tail"));
                    case 4 -> batch.writeBytes(Resp.command("DEL", key));
                    default -> batch.writeBytes(Resp.command("GET", key));
                }
            }
            kv.send(conn, batch.toByteArray());
            kv.take(conn);
            kv.advanceMillis(r.nextInt(40));
            if (round % 60 == 59) {
                kv.send(conn, KvServer.bytes("*x\r\n")); // a protocol error closes it
                conns.remove((Integer) conn);
                conns.add(kv.open());
            }
        }
        assertTrue(kv.infoLong("kv_compactions") > 0, "the workload compacted");
        assertTrue(kv.infoLong("expired_keys") > 0, "keys expired");
        byte[] recorded = kv.vm().stateHash();
        kv.close();

        byte[] replayed = VmThread.call("replay", () -> {
            try (DiskImage disk = DiskImage.open(backup); LogReader reader = LogReader.open(log)) {
                GuestVm vm = GuestVm.create(KvServer.module(), KvServer.options(new ArrayList<>()), List.of(disk));
                Replayer.Result result = new Replayer(vm, reader).run(null);
                assertNull(result.truncation());
                assertEquals(GuestVm.Status.RUNNING, vm.status());
                return vm.stateHash();
            }
        });
        assertArrayEquals(recorded, replayed);
        assertEquals(-1, Files.mismatch(primary, backup), "the replayed disk equals the recorded one");
    }
}
