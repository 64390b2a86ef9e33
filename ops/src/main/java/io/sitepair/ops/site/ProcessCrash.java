package io.sitepair.ops.site;

import java.time.Duration;

/**
 * The {@code crash} drill: the site's process halts as if its machine lost power. {@link
 * Runtime#halt} runs no shutdown hook: the logging channel, the ZooKeeper session and the disks
 * are dropped, not closed, and the peer finds out only by the failure timeout.
 */
public final class ProcessCrash {
    /** The exit status a shell reports for a process killed by SIGKILL: a supervisor sees a failure. */
    public static final int EXIT_STATUS = 137;
    /**
     * Time for the answer saying so to leave: the admin API writes it on its event loop as soon as
     * the request's handler returns, well within this, which is short against any failure timeout.
     */
    static final Duration ANSWER_TIME = Duration.ofMillis(100);

    private ProcessCrash() {}

    /** Halts this process once the answer to the request has had time to leave. */
    public static void haltSoon() {
        Thread.ofPlatform().daemon().name("sitepair-crash").start(() -> {
            try {
                Thread.sleep(ANSWER_TIME);
            } catch (InterruptedException e) {
                // halting all the same
            }
            Runtime.getRuntime().halt(EXIT_STATUS);
        });
    }
}
