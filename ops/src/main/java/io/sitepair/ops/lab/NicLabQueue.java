package io.sitepair.ops.lab;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Waiting for this machine's one nic lab: a test or benchmark that finds another run holding it
 * ({@link HostNetwork.Busy}) tries again every {@link #RETRY} until it has waited {@code patience}.
 */
public final class NicLabQueue {
    static final Duration RETRY = Duration.ofSeconds(20);

    private NicLabQueue() {}

    /** {@link NicLab#create()}, retried while busy; {@code note} hears each wait. Throws the last Busy when out of patience. */
    public static NicLab create(Duration patience, Consumer<String> note) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return NicLab.create();
            } catch (HostNetwork.Busy busy) {
                if (System.nanoTime() + RETRY.toNanos() > deadline) {
                    throw busy;
                }
                note.accept("the nic lab is busy (" + busy.getMessage() + "); trying again in " + RETRY.toSeconds()
                        + " s");
                Thread.sleep(RETRY.toMillis());
            }
        }
    }
}
