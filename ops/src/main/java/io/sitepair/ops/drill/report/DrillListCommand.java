package io.sitepair.ops.drill.report;

import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.ops.drill.report.DrillReport.Objective;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sitepair drill list}: the drills on record, oldest first, for people or scripts. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the drills recorded in the reports directory, newest last: when each started (UTC),"
                + " its kind, its outcome, the RTO it measured and its report's directory. A report that cannot be"
                + " read is listed with why.",
                "--json prints the same as a JSON array."})
public final class DrillListCommand implements Callable<Integer> {
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final String NONE = "-";

    @Option(names = "--config", paramLabel = "FILE",
            description = "The site-pair configuration: its drills.reports is the reports directory.")
    Path config;

    @Option(names = "--reports", paramLabel = "DIR", description = "The reports directory, instead of the"
            + " configuration's.")
    Path reports;

    @Option(names = "--json", description = "A JSON array, oldest first: {\"date\", \"kind\", \"outcome\", \"rto\","
            + " \"rto_ms\", \"report\", \"unreadable\"}.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** One listed drill; for a report that cannot be read, its date if its directory's name tells, path and why. */
    record Listed(Instant date, String kind, String outcome, String rto, Double rtoMs, String report,
                  String unreadable) {
        static Listed of(DrillHistory.Entry entry) {
            DrillReport report = entry.report();
            if (report == null) {
                return new Listed(entry.started(), null, null, null, null, entry.directory().toString(),
                        entry.unreadable());
            }
            Objective rto = report.objectives().stream().filter(o -> o.name().equals("RTO")).findFirst().orElse(null);
            return new Listed(report.started(), report.kind(), report.outcome().name(),
                    rto == null ? null : briefly(rto), rto == null ? null : rto.measuredMs(),
                    entry.directory().toString(), null);
        }
    }

    @Override
    public Integer call() throws Exception {
        Path directory = reportsDirectory();
        List<Listed> drills = DrillHistory.of(directory).stream().map(Listed::of).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(ReportJson.write(drills));
        } else if (drills.isEmpty()) {
            out.println("No drills yet: no reports in " + directory.toAbsolutePath());
        } else {
            out.print(table(drills));
        }
        out.flush();
        return 0;
    }

    /** The reports directory: {@code --reports}, else the configuration's. */
    private Path reportsDirectory() {
        if (reports != null) {
            return reports;
        }
        if (config == null) {
            throw new ParameterException(spec.commandLine(), "where are the reports? Give --config FILE (its"
                    + " drills.reports) or --reports DIR");
        }
        return PairConfigParser.load(config).drills().reports();
    }

    /** The RTO's figure alone ({@code 1.73 s}): the report says how it was measured. */
    private static String briefly(Objective rto) {
        double ms = rto.measuredMs();
        return Double.isNaN(ms) ? rto.measured() : Readable.duration(ms);
    }

    static String table(List<Listed> drills) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"DATE (UTC)", "KIND", "OUTCOME", "RTO", "REPORT"});
        for (Listed drill : drills) {
            rows.add(new String[] {drill.date() == null ? NONE : DATE.format(drill.date()), orNone(drill.kind()),
                    drill.unreadable() != null ? "UNREADABLE" : drill.outcome(), orNone(drill.rto()),
                    drill.report()});
        }
        int[] widths = new int[rows.getFirst().length - 1]; // the last column is not padded
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int i = 0; i < widths.length; i++) {
                out.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            out.append(row[widths.length]).append('\n');
            String unreadable = r == 0 ? null : drills.get(r - 1).unreadable();
            if (unreadable != null) {
                out.append("  ").append(unreadable).append('\n');
            }
        }
        return out.toString();
    }

    private static String orNone(String value) {
        return value == null ? NONE : value;
    }
}
