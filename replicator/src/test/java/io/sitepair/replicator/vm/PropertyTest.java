package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Record/replay equivalence for many workloads: the seed varies the event mix, sizes and count,
 * both engines, and checksummed versus logged disk reads.
 */
class PropertyTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void replayEqualsRecordForAnySeed(long seed) throws Exception {
        VmOptions.Engine engine = seed % 3 == 0 ? VmOptions.Engine.INTERPRETED : VmOptions.Engine.COMPILED;
        boolean loggedReads = seed % 2 == 0;
        long events = 300 + seed * 397 % 2500;
        long diskSize = (1 + seed % 4) << 20;
        OfflineRun run = new OfflineRun(Guests.stress(), Guests.quiet(engine));
        Path log = dir.resolve("s.log");
        OfflineRun.Outcome recorded = run.synthetic(List.of(dir.resolve("a.img")), diskSize,
                new OfflineRun.Workload(seed, events, log, loggedReads), null);
        OfflineRun.Outcome replayed = run.replay(List.of(dir.resolve("b.img")), log, null, null);
        assertEquals(events, replayed.events());
        assertArrayEquals(recorded.stateHash(), replayed.stateHash(), "seed " + seed);
        assertEquals(-1, Files.mismatch(dir.resolve("a.img"), dir.resolve("b.img")));
    }
}
