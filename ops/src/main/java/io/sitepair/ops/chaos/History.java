package io.sitepair.ops.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The operations of a cycle, recorded by many client threads at once.
 *
 * <p>An operation is stamped with the clock when it is invoked and again when it completes. Its
 * place in {@link #operations()} is its invocation order, which is also the order of invocation
 * times as long as the clock does not step back. An operation still in flight when a snapshot is
 * taken appears in it as {@link Operation.Outcome#UNKNOWN}: the client has not learnt its outcome.
 */
public final class History {
    /** Completes one invoked operation; exactly one of the methods may be called, once. */
    public interface Pending {
        /** Acknowledged with this result by the site named at invocation. */
        void ok(String result);

        /** Acknowledged with this result by {@code site}, the site whose address answered. */
        void ok(String result, String site);

        /** Definitely not applied (e.g. the connection was refused before the request was sent). */
        void failed();

        /** The client cannot know whether it was applied (e.g. a timeout after sending). */
        void unknown();
    }

    private final InstantSource clock;
    private final List<Recorded> recorded = new ArrayList<>();

    public History(InstantSource clock) {
        this.clock = clock;
    }

    public Pending invoke(int process, Operation.Kind kind, String key, String argument, String site) {
        synchronized (recorded) {
            // The clock is read under the lock so that invocation order and invocation times agree.
            Recorded operation = new Recorded(process, kind, key, argument, site, nanos(clock.instant()));
            recorded.add(operation);
            return operation;
        }
    }

    /** A snapshot in invocation order; operations still in flight are UNKNOWN. */
    public List<Operation> operations() {
        synchronized (recorded) {
            List<Operation> snapshot = new ArrayList<>(recorded.size());
            for (Recorded operation : recorded) {
                snapshot.add(operation.snapshot());
            }
            return snapshot;
        }
    }

    /** Writes the snapshot as tab-separated lines with a header; {@link #read} reads it back. */
    public void write(Path file) throws IOException {
        HistoryFile.write(operations(), file);
    }

    /**
     * Reads a history written by {@link #write}.
     *
     * @throws IOException naming the file, the line and what is wrong with it, for malformed input
     */
    public static List<Operation> read(Path file) throws IOException {
        return HistoryFile.read(file);
    }

    static long nanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    /** One operation; its completion is guarded by the history's lock. */
    private final class Recorded implements Pending {
        private final int process;
        private final Operation.Kind kind;
        private final String key;
        private final String argument;
        private final long invokeNanos;
        private String site;
        private String result;
        private Operation.Outcome outcome; // null while in flight
        private long completeNanos = Long.MAX_VALUE;

        Recorded(int process, Operation.Kind kind, String key, String argument, String site, long invokeNanos) {
            this.process = process;
            this.kind = kind;
            this.key = key;
            this.argument = argument;
            this.site = site;
            this.invokeNanos = invokeNanos;
            snapshot(); // rejects a malformed invocation at once, in the caller's thread
        }

        @Override
        public void ok(String result) {
            complete(Operation.Outcome.OK, result, site);
        }

        @Override
        public void ok(String result, String site) {
            complete(Operation.Outcome.OK, result, site);
        }

        @Override
        public void failed() {
            complete(Operation.Outcome.FAILED, null, site);
        }

        @Override
        public void unknown() {
            complete(Operation.Outcome.UNKNOWN, null, site);
        }

        private void complete(Operation.Outcome outcome, String result, String site) {
            synchronized (recorded) {
                if (this.outcome != null) {
                    throw new IllegalStateException("already completed as " + this.outcome + ": " + snapshot().describe());
                }
                this.outcome = outcome;
                this.result = result;
                this.site = site;
                if (outcome != Operation.Outcome.UNKNOWN) {
                    // A wall clock may step back; an operation still cannot end before it began.
                    completeNanos = Math.max(invokeNanos, nanos(clock.instant()));
                }
            }
        }

        Operation snapshot() {
            Operation.Outcome seen = outcome == null ? Operation.Outcome.UNKNOWN : outcome;
            return new Operation(process, kind, key, argument, result, invokeNanos, completeNanos, seen, site);
        }
    }
}
