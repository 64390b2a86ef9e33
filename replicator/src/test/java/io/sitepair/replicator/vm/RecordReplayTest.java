package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.guests.ShippedGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordReplayTest {
    static final long DISK = 8L << 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(VmOptions.Engine.class)
    void replayReachesTheRecordedStateOverManyEvents(VmOptions.Engine engine) throws Exception {
        GuestModule stress = GuestModule.of("stress", ShippedGuest.load("stress"));
        VmOptions options = VmOptions.defaults().withEngine(engine).withConsole((m, l) -> {});
        OfflineRun run = new OfflineRun(stress, options);
        long events = engine == VmOptions.Engine.COMPILED ? 100_000 : 100_000;
        OfflineRun.Outcome recorded = run.synthetic(List.of(dir.resolve("a.img")), DISK,
                new OfflineRun.Workload(7, events, dir.resolve("s.log"), false), null);
        OfflineRun.Outcome replayed = run.replay(List.of(dir.resolve("b.img")), dir.resolve("s.log"), null, null);

        assertEquals(events, recorded.events());
        assertTrue(recorded.outputs() > events / 2, "the stress guest answers most events");
        assertEquals(recorded.events(), replayed.events());
        assertEquals(recorded.lastPosition(), replayed.lastPosition());
        assertNull(replayed.truncation());
        assertEquals(HexFormat.of().formatHex(recorded.stateHash()), HexFormat.of().formatHex(replayed.stateHash()));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.img")), Files.readAllBytes(dir.resolve("b.img")));
        System.out.printf("%s: %d events, %d entries, record %.0f ev/s, replay %.0f ev/s%n", engine, events,
                recorded.lastPosition(), events / (recorded.elapsedNanos() / 1e9), events / (replayed.elapsedNanos() / 1e9));
    }

    @Test
    void aNicModeRunOfFramesFromSyntheticClientsReplaysToTheRecordedState() throws Exception {
        GuestModule stress = Guests.stress();
        assumeTrue(stress.nicCapable(), "the shipped stress guest has no TCP/IP stack yet");
        VmOptions options = Guests.quiet(VmOptions.Engine.COMPILED).withNic(true);
        OfflineRun run = new OfflineRun(stress, options);
        long events = 100_000;
        OfflineRun.Outcome recorded = run.synthetic(List.of(dir.resolve("a.img")), DISK,
                new OfflineRun.Workload(7, events, dir.resolve("n.log"), false), null);
        OfflineRun.Outcome replayed = run.replay(List.of(dir.resolve("b.img")), dir.resolve("n.log"), null, null);

        assertEquals(events, recorded.events());
        assertTrue(recorded.outputs() > events / 4, "the guest's stack answers: " + recorded.outputs() + " frames");
        assertEquals(recorded.events(), replayed.events());
        assertEquals(recorded.lastPosition(), replayed.lastPosition());
        assertNull(replayed.truncation());
        assertEquals(HexFormat.of().formatHex(recorded.stateHash()), HexFormat.of().formatHex(replayed.stateHash()));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.img")), Files.readAllBytes(dir.resolve("b.img")));
        System.out.printf("nic: %d events, %d entries, %d frames out, record %.0f ev/s, replay %.0f ev/s%n", events,
                recorded.lastPosition(), recorded.outputs(), events / (recorded.elapsedNanos() / 1e9),
                events / (replayed.elapsedNanos() / 1e9));
    }
}
