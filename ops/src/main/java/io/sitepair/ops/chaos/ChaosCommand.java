package io.sitepair.ops.chaos;

import io.sitepair.ops.lab.HostNetwork;
import io.sitepair.ops.lab.Scratch;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair bench chaos}: the Jepsen-style fault campaign. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Fault campaign on a pair whose sites and witness each run in their own network namespace"
                + " (root; ip and iptables needed): kill -9 and SIGSTOP of each node, partitions, a TCP-only stall,"
                + " flaps, disk faults, two at once and planned switchovers, chosen by the seed, under a workload"
                + " that records every operation.",
                "Each cycle checks: no acknowledged write lost, no value read that was never written, hot keys"
                        + " linearizable, counters between acknowledged and invoked, never two sites acknowledging"
                        + " at once, protected again in time, online verify finds no differing block, no site"
                        + " exited, no unknown stack trace in the logs. A clean power-off ends it: both sites must"
                        + " print the same state.",
                "Prints a table per fault kind; a failing cycle's history goes to DIR/failed with its seed.",
                "Exit codes: 0 no violation, 1 violations (or the campaign could not go on), 2 cannot run here."})
public final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seed", defaultValue = "1",
            description = "Chooses the faults and their order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cycles", defaultValue = "20",
            description = "Cycles of faults drawn at random (default ${DEFAULT-VALUE}).")
    int cycles;

    @Option(names = "--every-kind", description = "One cycle of each fault kind, in an order the seed chooses (CI).")
    boolean everyKind;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the lab and any failed cycle's history go"
            + " (default: a temporary directory, removed at the end unless a cycle failed).")
    Path dir;

    @Option(names = "--cycle-seconds", defaultValue = "3", paramLabel = "S",
            description = "How long each fault is held before it is healed (default ${DEFAULT-VALUE}).")
    int holdSeconds;

    @Option(names = "--protect-timeout", defaultValue = "90", paramLabel = "S",
            description = "Seconds after a heal within which the pair must be protected again"
                    + " (default ${DEFAULT-VALUE}).")
    int protectTimeout;

    @Option(names = "--keep", description = "Keep the lab directory (configuration, logs, data) at the end.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String missing = NetworkLab.missingPrerequisite();
        if (missing != null) {
            spec.commandLine().getErr().println("sitepair bench chaos: error: " + missing);
            return 2;
        }
        if (cycles < 1 || holdSeconds < 1 || protectTimeout < 10) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cycles and --cycle-seconds must be at least 1, --protect-timeout at least 10");
        }
        List<String> kinds = kinds();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-chaos");
        Path lab = work.resolve("lab"); // emptied by the run once it holds the machine's network
        String replay = "sitepair bench chaos --seed " + seed + (everyKind ? " --every-kind" : " --cycles " + cycles)
                + " --cycle-seconds " + holdSeconds;
        out.printf("bench chaos: seed %d, %d cycles (%s), faults held %d s, lab in %s%n", seed, kinds.size(),
                everyKind ? "every kind once" : "drawn at random", holdSeconds, lab);
        out.flush();
        CampaignRun run = new CampaignRun(lab, new Campaign.Settings(seed, kinds, Duration.ofSeconds(holdSeconds),
                Duration.ofSeconds(protectTimeout), new FailedCycles(work.resolve("failed"), seed, replay)), out);
        boolean passed;
        try {
            passed = run.execute();
        } catch (HostNetwork.Busy busy) {
            spec.commandLine().getErr().println("sitepair bench chaos: error: " + busy.getMessage());
            return 2;
        }
        if (passed && dir == null && !keep) {
            Scratch.deleteTree(work);
        } else {
            out.println("kept: " + work
                    + (passed ? "" : " (failed cycles' histories in " + work.resolve("failed") + ")"));
        }
        out.println(passed ? "RESULT: PASS" : "RESULT: FAIL (replay: " + replay + ")");
        out.flush();
        return passed ? 0 : 1;
    }

    /** The fault kind of each cycle, drawn from the seed. */
    private List<String> kinds() {
        Random random = new Random(seed);
        List<String> kinds = new ArrayList<>();
        if (everyKind) {
            kinds.addAll(Fault.KINDS);
            Collections.shuffle(kinds, random);
            // The switchover cycle ends with a switch back: its primary is a process that has switched
            // over, and cutting it off next is what must still fence it.
            kinds.remove("isolate-primary");
            kinds.add(kinds.indexOf("switchover") + 1, "isolate-primary");
        } else {
            for (int i = 0; i < cycles; i++) {
                kinds.add(Fault.KINDS.get(random.nextInt(Fault.KINDS.size())));
            }
        }
        return kinds;
    }
}
