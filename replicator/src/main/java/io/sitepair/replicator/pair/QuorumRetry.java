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
 * between. Each attempt runs on a virtual thread of its own, since ZooKeeper's calls block.
 */
final class QuorumRetry {
    static final long RETRY_MS = 200;

    /** One attempt: the answer, or null to ask again later (the awaited change has not happened yet). */
    @FunctionalInterface
    interface Attempt<T> {
        T ask() throws NoQuorumException;
    }

    private static final Executor ATTEMPTS = task -> Thread.ofVirtual().name("sitepair-quorum").start(task);
    private static final Executor LATER = CompletableFuture.delayedExecutor(RETRY_MS, TimeUnit.MILLISECONDS, ATTEMPTS);

    private QuorumRetry() {}

    /**
     * The first answer of {@code attempt}; null once {@code abandon} says stop. {@code waiting}
     * hears each refusal for want of a quorum. Any other failure of an attempt fails the future.
     */
    static <T> CompletableFuture<T> until(Attempt<T> attempt, BooleanSupplier abandon,
                                          Consumer<NoQuorumException> waiting) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        ATTEMPTS.execute(() -> ask(attempt, abandon, waiting, answer));
        return answer;
    }

    private static <T> void ask(Attempt<T> attempt, BooleanSupplier abandon, Consumer<NoQuorumException> waiting,
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
        LATER.execute(() -> ask(attempt, abandon, waiting, answer));
    }
}
