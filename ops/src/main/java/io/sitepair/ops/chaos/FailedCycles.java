package io.sitepair.ops.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a failing cycle's history goes ({@code <dir>/cycle-N-seed-S.tsv}), with a note of its
 * fault, its violations and the command that replays the campaign ({@code .txt}).
 */
record FailedCycles(Path dir, long seed, String replayCommand) {
    void keep(CycleResult result, History history) throws IOException {
        Files.createDirectories(dir);
        String name = "cycle-" + result.cycle() + "-seed-" + seed;
        history.write(dir.resolve(name + ".tsv"));
        List<String> text = new ArrayList<>(List.of("cycle " + result.cycle() + " of seed " + seed + ": "
                + result.kind() + ": " + result.fault(), "replay: " + replayCommand, "violations:"));
        result.violations().forEach(v -> text.add("  " + v.check() + ": " + v.detail()));
        Files.write(dir.resolve(name + ".txt"), text);
    }
}
