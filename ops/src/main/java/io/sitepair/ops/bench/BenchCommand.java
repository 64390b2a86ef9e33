package io.sitepair.ops.bench;

import io.sitepair.ops.chaos.ChaosCommand;
import io.sitepair.ops.config.Guests;
import io.sitepair.ops.lab.Scratch;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.VmOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair bench vm}: events per second LIVE, RECORD and REPLAY, side by side in one run. */
@Command(name = "bench", description = "Benchmarks that print their figures.", subcommands = {BenchCommand.Vm.class,
        KvBench.class, PairBench.class, NicBench.class, FailoverBench.class, ResyncBench.class, DrillBench.class, ChaosCommand.class})
public final class BenchCommand {

    @Command(name = "vm", mixinStandardHelpOptions = true,
            description = "Stress guest events/s in LIVE, RECORD and REPLAY, interleaved round by round so the"
                    + " ratios are fair on a noisy machine.")
    static final class Vm implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--events", defaultValue = "100000", description = "Events per run (default ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--rounds", defaultValue = "5", description = "Rounds of LIVE, RECORD, REPLAY (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--seed", defaultValue = "7")
        long seed;

        @Option(names = "--guest", defaultValue = "stress")
        String guest;

        @Option(names = "--interpreter", description = "Measure the interpreter instead of the compiler.")
        boolean interpreter;

        @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory (default: a temporary one).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            if (events < 2 || rounds < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--events must be >= 2 and --rounds >= 1");
            }
            GuestModule module = Guests.load(guest);
            VmOptions options = VmOptions.defaults().withConsole((m, l) -> {})
                    .withEngine(interpreter ? VmOptions.Engine.INTERPRETED : VmOptions.Engine.COMPILED);
            Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-bench");
            OfflineRun run = new OfflineRun(module, options);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("bench vm: guest %s, %s, %d events per run, %d rounds, seed %d, %d cores%n", guest,
                    options.engine(), events, rounds, seed, Runtime.getRuntime().availableProcessors());
            List<double[]> rates = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                Path log = work.resolve("bench.log");
                double live = rate(run.synthetic(List.of(Scratch.fresh(work, "live.img")), 64L << 20,
                        new OfflineRun.Workload(seed, events, null, false), null));
                double record = rate(run.synthetic(List.of(Scratch.fresh(work, "record.img")), 64L << 20,
                        new OfflineRun.Workload(seed, events, log, false), null));
                double replay = rate(run.replay(List.of(Scratch.fresh(work, "replay.img")), log, null, null));
                out.printf("round %d: LIVE %,.0f  RECORD %,.0f  REPLAY %,.0f events/s  (log %,d bytes)%n", round, live,
                        record, replay, Files.size(log));
                out.flush();
                rates.add(new double[] {live, record, replay});
            }
            double live = median(rates, 0);
            double record = median(rates, 1);
            double replay = median(rates, 2);
            out.printf("median events/s: LIVE %,.0f  RECORD %,.0f  REPLAY %,.0f%n", live, record, replay);
            out.printf("ratios: RECORD/LIVE %.2f  REPLAY/LIVE %.2f  REPLAY/RECORD %.2f%n", record / live,
                    replay / live, replay / record);
            out.flush();
            if (dir == null) {
                Scratch.deleteTree(work);
            }
            return 0;
        }

        private static double rate(OfflineRun.Outcome o) {
            return o.events() / (o.elapsedNanos() / 1e9);
        }

        private static double median(List<double[]> rows, int column) {
            return Scratch.median(rows.stream().mapToDouble(r -> r[column]).toArray());
        }
    }
}
