package io.sitepair.ops.bench;

import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReports;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.Scratch;
import io.sitepair.replicator.status.SiteStatus;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import redis.clients.jedis.Jedis;

/**
 * {@code sitepair bench drill}: test drills on a one-machine lab, as an operator runs them
 * ({@code sitepair drill} in its own JVM, under its built-in writer), for the time to serve the
 * clone and what cloning costs production: the replay held while the backup copies, and the
 * Output Rule's latency during the drill against the same span before it.
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = "Test drills on a one-machine lab: the clone's time to serve and the Output Rule's latency"
                + " before and during each drill.")
final class DrillBench implements Callable<Integer> {
    private static final Pattern METHOD = Pattern.compile("disks (reflink|sparse copy)");
    private static final Pattern REPORT = Pattern.compile("^report: (\\S+)/report\\.html", Pattern.MULTILINE);
    private static final int FILL_VALUE = 64 * 1024;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--disk-size", defaultValue = "64M", description = "The guest's disk (default ${DEFAULT-VALUE}).")
    String diskSize;

    @Option(names = "--fill", defaultValue = "0", paramLabel = "MIB",
            description = "MiB of values (64 KiB each, incompressible) written before the drills (default"
                    + " ${DEFAULT-VALUE}), so the disks have data to copy.")
    int fillMiB;

    @Option(names = "--runs", defaultValue = "3", description = "Test drills (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--dir", paramLabel = "DIR", description = "Lab directory, kept (default: a temporary one).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || fillMiB < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--runs must be at least 1, --fill at least 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-drill-bench");
        List<double[]> rows = new ArrayList<>(); // serve, replay held, MiB copied, hold mean before, during
        try (LocalPair lab = new LocalPair(work, yaml -> yaml.replace("size: 64M", "size: " + diskSize))) {
            lab.startWitness();
            lab.start("b");
            lab.start("a");
            lab.await("a", 120, SiteStatus::pairProtected);
            fill(lab, out);
            out.printf("bench drill: %d test drills, disk %s (%d MiB written), lab in %s%n", runs, diskSize, fillMiB,
                    work);
            out.printf("%4s %8s %10s %16s %12s %8s %22s %22s%n", "run", "outcome", "serve ms", "replay held ms",
                    "copy", "MiB", "hold mean before ms", "hold mean during ms");
            out.flush();
            for (int run = 1; run <= runs; run++) {
                LocalPair.Cli drill = lab.cli(Duration.ofMinutes(10), "drill", "--kind", "test");
                Matcher report = REPORT.matcher(drill.out());
                if (drill.exit() > 1 || !report.find()) { // 1: an objective missed, which is a figure too
                    spec.commandLine().getErr().printf("bench drill: run %d: exit %d%n%s%n", run, drill.exit(),
                            drill.text());
                    return 1;
                }
                DrillReport r = DrillReports.read(Path.of(report.group(1)).resolve(DrillReports.JSON));
                double[] row = {figure(r, "time to serve the clone"), figure(r, "replay held while cloning"),
                    figure(r, "disk copies") / (1 << 20), figure(r, "Output Rule latency before the drill, mean"),
                    figure(r, "Output Rule latency during the drill, mean")};
                rows.add(row);
                out.printf("%4d %8s %10.0f %16.0f %12s %8.1f %22.2f %22.2f%n", run, r.outcome(), row[0], row[1],
                        method(r), row[2], row[3], row[4]);
                out.flush();
            }
        } finally {
            if (dir == null) {
                Scratch.deleteTree(work);
            }
        }
        out.printf("median: time to serve %.0f ms, replay held %.0f ms, Output Rule mean %.2f ms before, %.2f ms"
                + " during%n", median(rows, 0), median(rows, 1), median(rows, 3), median(rows, 4));
        out.flush();
        return 0;
    }

    /** Writes {@code --fill} MiB of incompressible values to the primary, so the disks hold that much. */
    private void fill(LocalPair lab, PrintWriter out) {
        if (fillMiB == 0) {
            return;
        }
        Random random = new Random(17);
        byte[] value = new byte[FILL_VALUE];
        long began = System.nanoTime();
        try (Jedis client = new Jedis(lab.service("a").getHostString(), lab.service("a").getPort(), 30_000)) {
            for (int i = 0; i < fillMiB * (1 << 20) / FILL_VALUE; i++) {
                random.nextBytes(value);
                client.set(("fill:" + i).getBytes(StandardCharsets.UTF_8), value);
            }
        }
        out.printf("filled %d MiB in %.1f s%n", fillMiB, (System.nanoTime() - began) / 1e9);
    }

    private static String method(DrillReport report) {
        return report.timeline().stream().map(step -> METHOD.matcher(step.detail())).filter(Matcher::find)
                .map(m -> m.group(1)).findFirst().orElse("?");
    }

    private static double figure(DrillReport report, String name) {
        return report.figures().stream().filter(f -> f.name().equals(name)).mapToDouble(DrillReport.Figure::value)
                .findFirst().orElse(Double.NaN);
    }

    private static double median(List<double[]> rows, int column) {
        double[] values = rows.stream().mapToDouble(row -> row[column]).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }
}
