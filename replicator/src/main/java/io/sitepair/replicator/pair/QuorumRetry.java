package io.sitepair.replicator.pair;

import io.sitepair.tiebreaker.NoQuorumException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Asks the quorum a question until it answers, never deciding without it: while ZooKeeper has no
 * quorum the question is asked again every {@link #RETRY_MS} ms, with no thread parked in
 * between. In a site ({@link #SYSTEM}) each attempt runs on a virtual thread of its own, since
 * ZooKeeper's calls block; a simulation passes executors of its own, on its own clock.
 */
final class QuorumRetry {
    static final long RETRY_MS = 200;

    /** The site's: attempts on virtual threads, retries {@link #RETRY_MS} ms later on the system clock. */
    static final QuorumRetry SYSTEM = systemRetry();

    /** One attempt: the answer, or null to ask again later (the awaited change has not happened yet). */
    @FunctionalInterface
    interface Attempt<T> {
        T ask() throws NoQuorumException;
    }

    private final Executor attempts;
    private final Executor later;

    /** Runs each first attempt on {@code attempts}, and each retry on {@code later}, which waits {@link #RETRY_MS} ms. */
    QuorumRetry(Executor attempts, Executor later) {
        this.attempts = attempts;
        this.later = later;
    }

    private static QuorumRetry systemRetry() {
        Executor attempts = task -> Thread.ofVirtual().name("sitepair-quorum").start(task);
        return new QuorumRetry(attempts, CompletableFuture.delayedExecutor(RETRY_MS, TimeUnit.MILLISECONDS, attempts));
    }

    /**
     * The first answer of {@code attempt}; null once {@code abandon} says stop. {@code waiting}
     * hears each refusal for want of a quorum. Any other failure of an attempt fails the future.
     */
    <T> CompletableFuture<T> until(Attempt<T> attempt, BooleanSupplier abandon,
                                          Consumer<NoQuorumException> waiting) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        attempts.execute(() -> ask(attempt, abandon, waiting, answer));
        return answer;
    }

    private <T> void ask(Attempt<T> attempt, BooleanSupplier abandon, Consumer<NoQuorumException> waiting,
                                CompletableFuture<T> answer) {
        if (answer.isDone()) {
            return; // completed from outside: a timeout
        }
        if (abandon.getAsBoolean()) {
            answer.complete(null);
            return;
        }
        try {
            T result = attempt.ask();
            if (result != null) {
                answer.complete(result);
                return;
            }
        } catch (NoQuorumException e) {
            waiting.accept(e);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
            return;
        }
        later.execute(() -> ask(attempt, abandon, waiting, answer));
    }
}
