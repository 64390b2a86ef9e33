package io.sitepair.ops.drill;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import io.sitepair.ops.drill.report.Readable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The configured check ({@code drills.check}), run by {@code /bin/sh -c} against the recovered
 * service, which its environment names: {@code SITEPAIR_DRILL_HOST} and {@code _PORT}, and the
 * pair, site and epoch. Exit 0 means healthy; a check that outlives {@link #TIMEOUT} is killed
 * and has failed.
 */
final class DrillCheck {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int KEPT_OUTPUT = 4000;

    private DrillCheck() {}

    /** Runs the check, if one is configured, as a step of {@code run}; returns whether it passed (true if none). */
    static boolean run(DrillRun run, InetSocketAddress service, String site, long epoch) {
        String command = run.drills().check();
        if (command == null) {
            run.objective("check", "none configured", Double.NaN, "not run", Verdict.NOT_MEASURED);
            return true;
        }
        long began = run.nanos();
        DrillReport.Check result = execute(command, Map.of("SITEPAIR_DRILL_HOST", service.getHostString(),
                "SITEPAIR_DRILL_PORT", String.valueOf(service.getPort()), "SITEPAIR_PAIR", run.pair().pair(),
                "SITEPAIR_SITE", site, "SITEPAIR_EPOCH", String.valueOf(epoch)), run.pair().file().getParent());
        run.check(result);
        double tookMs = (run.nanos() - began) / 1e6;
        boolean passed = result.exit() == 0;
        String words = (passed ? "passed" : "FAILED, exit " + result.exit()) + " in " + Readable.duration(tookMs);
        run.objective("check", "exit 0", tookMs, words, passed ? Verdict.MET : Verdict.MISSED);
        if (passed) {
            run.step("check passed", command + " against site " + site + " at " + Addresses.format(service));
        } else {
            run.problem("the check " + command + " failed against site " + site + " (exit " + result.exit() + "): "
                    + lastLine(result.output()));
            run.stepAt("check failed", run.elapsedMs(), command + " exited " + result.exit(), true);
        }
        return passed;
    }

    /** Runs {@code command} in {@code dir} with {@code environment} added; its exit -1 when it was killed. */
    static DrillReport.Check execute(String command, Map<String, String> environment, java.nio.file.Path dir) {
        long began = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true)
                .directory(dir.toFile());
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            StringBuilder output = new StringBuilder();
            Thread reader = Thread.ofPlatform().daemon().start(() -> keep(process.getInputStream(), output));
            boolean ended = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            reader.join(2000);
            String text;
            synchronized (output) {
                text = output.toString();
            }
            if (!ended) {
                text += "\n(killed: still running after " + TIMEOUT.toSeconds() + " s)";
            }
            return new DrillReport.Check(command, ended ? process.exitValue() : -1, (System.nanoTime() - began) / 1e6,
                    text.strip());
        } catch (IOException e) {
            return new DrillReport.Check(command, 127, (System.nanoTime() - began) / 1e6,
                    "could not be started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DrillReport.Check(command, -1, (System.nanoTime() - began) / 1e6, "interrupted");
        }
    }

    /** Reads all of {@code in}, keeping its last {@link #KEPT_OUTPUT} characters. */
    private static void keep(InputStream in, StringBuilder output) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (output) {
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    if (output.length() > KEPT_OUTPUT) {
                        output.delete(0, output.length() - KEPT_OUTPUT);
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone: what was read is kept
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }
}
