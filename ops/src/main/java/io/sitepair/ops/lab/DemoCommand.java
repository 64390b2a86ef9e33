package io.sitepair.ops.lab;

import io.sitepair.ops.config.Guests;
import io.sitepair.replicator.log.EntryFrame;
import io.sitepair.replicator.log.LogReader;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.LogUnreadable;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.VmOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair demo replay}: the record/replay demonstration of one VM. Records the stress
 * guest, replays the log on fresh disks from the start and from a mid-way snapshot, and shows
 * that a damaged log is refused, ending in a summary.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Record the stress guest, replay it from the start and from a snapshot, damage the log,"
                + " and print a summary. Exits non-zero if any check fails.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Work directory, kept afterwards (default: a temporary one, removed at the end).")
    Path dir;

    @Option(names = "--events", defaultValue = "100000", description = "Events to record (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--seed", defaultValue = "7", description = "Workload seed (default ${DEFAULT-VALUE}).")
    long seed;

    private PrintWriter out;
    private final List<String> summary = new ArrayList<>();
    private boolean failed;

    @Override
    public Integer call() throws Exception {
        if (events < 10) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--events must be at least 10");
        }
        out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-demo");
        GuestModule stress = Guests.load("stress");
        OfflineRun run = new OfflineRun(stress, VmOptions.defaults().withConsole((m, l) -> {}));
        Path log = work.resolve("s.log");
        Path snap = work.resolve("half.snap");
        long half = events / 2;

        step(1, "record the stress guest: " + events + " events, seed " + seed + ", snapshot at " + half + " -> primary.img, s.log");
        OfflineRun.Outcome recorded = run.withProgress(new Progress("  record", events, System.err)).synthetic(
                List.of(Scratch.fresh(work, "primary.img")), 64L << 20,
                new OfflineRun.Workload(seed, events, log, false), new OfflineRun.SnapshotRequest(half, snap));
        String state = hex(recorded.stateHash());
        out.printf("  %d events, %d log entries, %,d bytes of log, %,.0f events/s%n  state %s%n", recorded.events(),
                recorded.lastPosition(), Files.size(log), rate(recorded), state);
        summary.add(String.format("%-9s %6d events  state %s  (%d log entries)", "record", recorded.events(),
                abbreviate(state), recorded.lastPosition()));

        step(2, "replay the whole log on a fresh disk -> backup.img");
        OfflineRun.Outcome replayed = run.withProgress(new Progress("  replay", 0, System.err))
                .replay(List.of(Scratch.fresh(work, "backup.img")), log, null, null);
        check("replay", replayed, 0, state, work.resolve("primary.img"), work.resolve("backup.img"));

        step(3, "restore the snapshot taken at event " + half + " and replay the rest -> restored.img");
        OfflineRun.Outcome restored = run.replay(List.of(Scratch.fresh(work, "restored.img")), log, snap, null);
        check("snapshot", restored, half, state, work.resolve("primary.img"), work.resolve("restored.img"));

        step(4, "flip one byte in the middle of a copy of the log; replay must refuse it");
        Path corrupt = work.resolve("corrupt.log");
        Files.copy(log, corrupt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        flipByte(corrupt, Files.size(corrupt) / 2);
        try {
            run.replay(List.of(Scratch.fresh(work, "scratch.img")), corrupt, null, null);
            fail("corrupt", "replay accepted a corrupted log");
        } catch (LogUnreadable e) {
            out.println("  refused: " + e.getMessage());
            summary.add(String.format("%-9s refused: %s", "corrupt", e.getMessage()));
        }

        step(5, "cut a copy of the log short; replay must say where it ends and how far it got");
        Path torn = work.resolve("torn.log");
        Files.copy(log, torn, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        tearInsideAnEntry(torn, Files.size(torn) * 3 / 4);
        OfflineRun.Outcome cut = run.replay(List.of(Scratch.fresh(work, "scratch.img")), torn, null, null);
        if (cut.truncation() == null) {
            fail("truncate", "replay did not notice the torn tail");
        } else {
            String what = cut.truncation().getMessage() + "; replayed " + cut.events() + " complete events";
            out.println("  " + what);
            summary.add(String.format("%-9s %s", "truncate", what));
        }
        for (String scratch : List.of("scratch.img", "corrupt.log", "torn.log")) {
            Files.deleteIfExists(work.resolve(scratch));
        }

        out.println();
        out.println("summary:");
        summary.forEach(line -> out.println("  " + line));
        out.println(failed ? "RESULT: FAIL" : "RESULT: PASS: replay reproduced the recorded state and disks exactly;"
                + " damaged logs were refused");
        if (dir == null) {
            Scratch.deleteTree(work);
        } else {
            out.println("files kept in " + work + ": primary.img backup.img restored.img s.log half.snap");
        }
        out.flush();
        return failed ? 1 : 0;
    }

    /** Compares a replay with the recording; {@code fromEvents} is where it started (a snapshot's count). */
    private void check(String label, OfflineRun.Outcome outcome, long fromEvents, String expectedState, Path expectedDisk,
                       Path disk) throws IOException {
        String state = outcome.stateHash() == null ? "none" : hex(outcome.stateHash());
        boolean sameState = state.equals(expectedState);
        boolean sameDisk = Files.mismatch(expectedDisk, disk) < 0;
        double rate = (outcome.events() - fromEvents) / (outcome.elapsedNanos() / 1e9);
        out.printf("  %d events replayed, %,.0f events/s%n  state %s (%s), disk %s%n", outcome.events() - fromEvents,
                rate, state, sameState ? "same as recorded" : "DIFFERENT", sameDisk ? "byte-identical" : "DIFFERENT");
        String line = String.format("%-9s %6d events  state %s  %s, disk %s", label, outcome.events(), abbreviate(state),
                sameState ? "same" : "DIFFERENT", sameDisk ? "byte-identical" : "DIFFERENT");
        if (sameState && sameDisk) {
            summary.add(line);
        } else {
            fail(label, line);
        }
    }

    private void fail(String label, String why) {
        failed = true;
        summary.add(String.format("%-9s FAILED: %s", label, why));
        out.println("  FAILED: " + why);
    }

    private void step(int n, String what) {
        out.printf("%n== %d/5 %s%n", n, what);
        out.flush();
    }

    /** Cuts the log a few bytes into the first entry that starts at or after {@code offset}. */
    public static void tearInsideAnEntry(Path log, long offset) throws IOException {
        long cut;
        try (LogReader reader = LogReader.open(log)) {
            while (reader.offset() < offset && reader.next() != null) {
                // skip whole entries
            }
            cut = reader.offset() + EntryFrame.HEADER_SIZE / 2;
        }
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, offset);
        }
    }

    private static double rate(OfflineRun.Outcome o) {
        return o.events() / (o.elapsedNanos() / 1e9);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static String abbreviate(String hex) {
        return hex.length() > 16 ? hex.substring(0, 16) + "…" : hex;
    }
}
