package io.sitepair.ops.chaos;

import static io.sitepair.ops.chaos.Ops.failedSet;
import static io.sitepair.ops.chaos.Ops.get;
import static io.sitepair.ops.chaos.Ops.set;
import static io.sitepair.ops.chaos.Ops.unknownSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.chaos.RegisterChecker.Verdict.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegisterCheckerTest {
    private static Status status(Operation... ops) {
        return RegisterChecker.check(List.of(ops)).status();
    }

    @Test
    void anEmptyHistoryIsLinearizable() {
        assertEquals(Status.LINEARIZABLE, status());
    }

    @Test
    void theInitialValueIsNil() {
        assertEquals(Status.LINEARIZABLE, status(get(1, null, 0, 1), set(1, "x", 2, 3), get(2, "x", 4, 5)));
        assertEquals(Status.NOT_LINEARIZABLE, status(set(1, "x", 0, 1), get(2, null, 2, 3)));
        assertEquals(Status.NOT_LINEARIZABLE, status(get(1, "x", 0, 1)), "a read before any write");
    }

    @Test
    void aStaleReadAfterACompletedWriteIsNotLinearizable() {
        assertEquals(Status.LINEARIZABLE, status(set(1, "x", 0, 10), set(2, "y", 20, 30), get(3, "y", 40, 50)));
        assertEquals(Status.NOT_LINEARIZABLE, status(set(1, "x", 0, 10), set(2, "y", 20, 30), get(3, "x", 40, 50)));
        assertEquals(Status.LINEARIZABLE, status(set(1, "x", 0, 10), set(2, "y", 20, 45), get(3, "x", 40, 50)),
                "the read overlaps the second write, so it may come first");
    }

    @Test
    void operationsTouchingAtOneInstantCountAsConcurrent() {
        assertEquals(Status.LINEARIZABLE, status(set(1, "x", 0, 10), set(2, "y", 10, 20), get(3, "x", 20, 30)));
    }

    @Test
    void readsOfConcurrentWritesMustAgreeOnTheirOrder() {
        Operation writeX = set(1, "x", 0, 100);
        Operation writeY = set(2, "y", 0, 100);
        assertEquals(Status.LINEARIZABLE, status(writeX, writeY, get(3, "x", 10, 20), get(4, "y", 30, 40), get(3, "y", 50, 60)));
        assertEquals(Status.LINEARIZABLE, status(writeX, writeY, get(3, "y", 10, 20), get(4, "x", 30, 40), get(3, "x", 50, 60)));
        assertEquals(Status.NOT_LINEARIZABLE, status(writeX, writeY, get(3, "x", 10, 20), get(4, "y", 30, 40), get(3, "x", 50, 60)),
                "x, then y, then x again needs a second write of x");
        assertEquals(Status.NOT_LINEARIZABLE, status(writeX, writeY, get(3, "x", 110, 120), get(4, "y", 130, 140)),
                "once both writes completed the value no longer changes");
    }

    @Test
    void anUnknownWriteMayTakeEffectLateOrNever() {
        assertEquals(Status.LINEARIZABLE, status(set(1, "x", 0, 10), unknownSet(2, "y", 20), get(3, "y", 1_000, 1_010)),
                "the read can only be explained by the unknown write having been applied");
        assertEquals(Status.LINEARIZABLE, status(set(1, "x", 0, 10), unknownSet(2, "y", 20), get(3, "x", 1_000, 1_010),
                get(3, "y", 2_000, 2_010)), "it may take effect long after it was sent");
        assertEquals(Status.LINEARIZABLE, status(set(1, "x", 0, 10), unknownSet(2, "y", 20), get(3, "x", 1_000, 1_010)),
                "or never");
        assertEquals(Status.NOT_LINEARIZABLE, status(get(3, "y", 0, 10), unknownSet(2, "y", 20)),
                "but not before it was invoked");
        assertEquals(Status.LINEARIZABLE, status(unknownSet(2, "y", 0), get(3, "y", 10, 20), set(1, "z", 30, 40),
                get(3, "z", 50, 60), get(4, "z", 70, 80)), "read, then overwritten");
        assertEquals(Status.NOT_LINEARIZABLE, status(unknownSet(2, "y", 0), get(3, "y", 10, 20), set(1, "z", 30, 40),
                get(3, "z", 50, 60), get(4, "y", 70, 80)), "and it takes effect only once");
    }

    @Test
    void aFailedWriteWasNeverApplied() {
        assertEquals(Status.NOT_LINEARIZABLE, status(set(1, "x", 0, 10), failedSet(2, "y", 20, 30), get(3, "y", 40, 50)));
    }

    @Test
    void unknownReadsTellNothing() {
        Operation unknownRead = new Operation(3, Operation.Kind.GET, Ops.KEY, null, null, 40, Long.MAX_VALUE,
                Operation.Outcome.UNKNOWN, null);
        assertEquals(Status.LINEARIZABLE, status(set(1, "x", 0, 10), unknownRead));
    }

    @Test
    void theDetailNamesTheKeyAndOnlyTheWindowThatFails() {
        RegisterChecker.Verdict verdict = RegisterChecker.check(List.of(
                set(1, "a", 0, 1_000), get(2, "a", 2_000, 3_000),
                set(1, "x", 10_000, 11_000), set(2, "y", 20_000, 21_000), get(3, "x", 30_000, 31_000),
                set(1, "z", 40_000, 41_000), get(2, "z", 50_000, 51_000)));
        assertEquals(Status.NOT_LINEARIZABLE, verdict.status());
        String detail = verdict.detail();
        assertTrue(detail.startsWith("key k: not linearizable"), detail);
        assertTrue(detail.contains("2 ops"), detail);
        assertTrue(detail.contains("p2 SET k \"y\" OK at a"), detail);
        assertTrue(detail.contains("p3 GET k -> \"x\" OK at a"), detail);
        assertTrue(detail.contains("the value before it unknown"), detail);
        assertFalse(detail.contains("\"a\"") || detail.contains("\"z\""), "operations outside the window: " + detail);
    }

    @Test
    void aWindowThatNeedsTheInitialNilStartsAtTheBeginning() {
        RegisterChecker.Verdict verdict = RegisterChecker.check(List.of(set(1, "x", 0, 10), get(2, "never", 20, 30),
                set(1, "y", 40, 50)));
        assertEquals(Status.NOT_LINEARIZABLE, verdict.status());
        assertTrue(verdict.detail().contains("p2 GET k -> \"never\""), verdict.detail());
        assertFalse(verdict.detail().contains("\"y\""), "the write after the failing read: " + verdict.detail());
    }

    @Test
    void givesUpWithinItsBudget() {
        List<Operation> ops = new ArrayList<>();
        for (int process = 0; process < 12; process++) {
            ops.add(set(process, "v" + process, 0, 1_000));
        }
        ops.add(get(99, "nothing wrote this", 2_000, 3_000));
        RegisterChecker.Verdict verdict = RegisterChecker.check(ops, 100);
        assertEquals(Status.UNDECIDED, verdict.status());
        assertTrue(verdict.detail().contains("key k: undecided (search budget exhausted"), verdict.detail());
        assertEquals(Status.NOT_LINEARIZABLE, RegisterChecker.check(ops).status(), "decided with the default budget");
    }

    @Test
    void acceptsOnlyOneKeysSetsAndGets() {
        assertThrows(IllegalArgumentException.class, () -> RegisterChecker.check(List.of(set(1, "x", 0, 1),
                Ops.on("other", set(1, "x", 0, 1)))));
        assertThrows(IllegalArgumentException.class, () -> RegisterChecker.check(List.of(new Operation(1,
                Operation.Kind.INCR, "k", null, "1", 0, 1, Operation.Outcome.OK, "a"))));
    }

    @Test
    void aLongRandomHistoryOfARealRegisterIsLinearizable() {
        List<Operation> history = simulatedRegister(new Random(42), 8, 2_000);
        assertEquals(Status.LINEARIZABLE, RegisterChecker.check(history).status());
    }

    @Test
    void oneBogusReadInALongHistoryIsFoundAndShownInASmallWindow() {
        List<Operation> history = new ArrayList<>(simulatedRegister(new Random(7), 8, 2_000));
        int victim = 1_200;
        while (history.get(victim).kind() != Operation.Kind.GET || history.get(victim).outcome() != Operation.Outcome.OK) {
            victim++;
        }
        Operation read = history.get(victim);
        history.set(victim, get(read.process(), "bogus", read.invokeNanos(), read.completeNanos()));
        RegisterChecker.Verdict verdict = RegisterChecker.check(history);
        assertEquals(Status.NOT_LINEARIZABLE, verdict.status());
        assertTrue(verdict.detail().contains("GET k -> \"bogus\""), verdict.detail());
        assertTrue(verdict.detail().lines().count() < 30, verdict.detail());
    }

    /**
     * Processes issuing SETs (of unique values) and GETs one after another, each taking effect at a
     * random instant within its interval, applied in that order to a real register. One SET in 20
     * is left UNKNOWN (applied or not) and one in 20 FAILED (not applied).
     */
    static List<Operation> simulatedRegister(Random random, int processes, int count) {
        record Planned(int process, boolean write, String value, long invoke, long complete, long effect,
                       Operation.Outcome outcome) {}
        List<Planned> planned = new ArrayList<>();
        long[] clock = new long[processes];
        for (int i = 0; i < count; i++) {
            int process = random.nextInt(processes);
            long invoke = clock[process] + random.nextInt(50_000);
            long complete = invoke + 1 + random.nextInt(200_000);
            clock[process] = complete;
            boolean write = random.nextInt(3) == 0;
            int fate = random.nextInt(20);
            Operation.Outcome outcome = !write || fate > 1 ? Operation.Outcome.OK
                    : fate == 0 ? Operation.Outcome.UNKNOWN : Operation.Outcome.FAILED;
            boolean applied = outcome == Operation.Outcome.OK || (outcome == Operation.Outcome.UNKNOWN && random.nextBoolean());
            long effect = applied ? invoke + (long) (random.nextDouble() * (complete - invoke)) : Long.MAX_VALUE;
            planned.add(new Planned(process, write, write ? "v" + i : null, invoke, complete, effect, outcome));
        }
        List<Planned> inEffectOrder = new ArrayList<>(planned);
        inEffectOrder.sort(Comparator.comparingLong(Planned::effect));
        String register = null;
        java.util.Map<Planned, String> readValue = new java.util.IdentityHashMap<>();
        for (Planned op : inEffectOrder) {
            if (op.effect() == Long.MAX_VALUE) {
                break;
            }
            if (op.write()) {
                register = op.value();
            } else {
                readValue.put(op, register);
            }
        }
        List<Operation> history = new ArrayList<>();
        planned.sort(Comparator.comparingLong(Planned::invoke));
        for (Planned op : planned) {
            long complete = op.outcome() == Operation.Outcome.UNKNOWN ? Long.MAX_VALUE : op.complete();
            history.add(op.write()
                    ? new Operation(op.process(), Operation.Kind.SET, Ops.KEY, op.value(), null, op.invoke(), complete,
                            op.outcome(), "a")
                    : get(op.process(), readValue.get(op), op.invoke(), complete));
        }
        return history;
    }
}
