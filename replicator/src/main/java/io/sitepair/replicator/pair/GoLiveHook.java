package io.sitepair.replicator.pair;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's go-live command (the analogue of the paper's MAC advertisement: move a virtual IP,
 * update DNS). It runs with {@code sh -c} after the site serves, so a slow or failing hook never
 * delays or stops the service; its output goes to this site's stderr and a failure is an alarm.
 */
final class GoLiveHook {
    private static final Logger LOG = LoggerFactory.getLogger(GoLiveHook.class);
    private static final long TIMEOUT_S = 60;

    private GoLiveHook() {}

    static void runAsync(String command, Map<String, String> env) {
        if (command == null) {
            return;
        }
        Thread.ofPlatform().daemon().name("sitepair-go-live-hook").start(() -> {
            try {
                // Both streams to this site's stderr: its stdout carries the final state line.
                ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(new java.io.File("/dev/stderr")));
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    LOG.warn("ALARM: go-live hook still running after {} s; killed: {}", TIMEOUT_S, command);
                } else if (process.exitValue() != 0) {
                    LOG.warn("ALARM: go-live hook exited with {}: {}", process.exitValue(), command);
                } else {
                    LOG.info("go-live hook done: {}", command);
                }
            } catch (Exception e) {
                LOG.warn("ALARM: go-live hook could not run ({}): {}", e.getMessage(), command);
            }
        });
    }
}
