package io.sitepair.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.chaos.HistoryChecks.LiveRecord;
import io.sitepair.ops.chaos.Operation.Kind;
import io.sitepair.ops.chaos.Operation.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HistoryChecksTest {
    private static final long MS = 1_000_000;

    private static Operation op(int process, Kind kind, String key, String argument, String result, long invoke,
                                long complete, Outcome outcome, String site) {
        return new Operation(process, kind, key, argument, result, invoke, complete, outcome, site);
    }

    private static Operation set(String key, String value, long invoke, long complete, Outcome outcome) {
        long end = outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : complete;
        return op(1, Kind.SET, key, value, null, invoke, end, outcome, outcome == Outcome.FAILED ? null : "a");
    }

    private static Operation get(String key, String value, long invoke, long complete) {
        return op(2, Kind.GET, key, null, value, invoke, complete, Outcome.OK, "a");
    }

    private static Operation incr(String result, long invoke, long complete, Outcome outcome) {
        long end = outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : complete;
        return op(3, Kind.INCR, "c", null, outcome == Outcome.OK ? result : null, invoke, end, outcome, "a");
    }

    private static List<Violation> check(List<Operation> history, Map<String, String> finalReads) {
        return HistoryChecks.check(history, finalReads, List.of(), Set.of("hot"), Set.of("c"));
    }

    private static List<String> names(List<Violation> violations) {
        return violations.stream().map(Violation::check).toList();
    }

    @Test
    void anAcknowledgedWriteMissingAtTheEndIsLost() {
        List<Operation> history = List.of(set("u1", "v1", 0, 10, Outcome.OK), set("u2", "v2", 0, 10, Outcome.OK),
                set("u3", "v3", 0, 10, Outcome.UNKNOWN), set("u4", "v4", 0, 10, Outcome.FAILED));
        Map<String, String> finalReads = new HashMap<>(Map.of("u1", "v1"));
        List<Violation> violations = check(history, finalReads);
        assertEquals(List.of("lost-write"), names(violations), violations.toString());
        assertTrue(violations.getFirst().detail().startsWith("key u2: final read nil"), violations.toString());
        assertTrue(violations.getFirst().detail().contains("p1 SET u2 \"v2\" OK at a"), violations.toString());

        finalReads.put("u2", "v2");
        finalReads.put("u3", "v3");
        assertEquals(List.of(), check(history, finalReads), "an UNKNOWN write may or may not survive");
    }

    @Test
    void aReadOfAValueNoApplicableWriteCarriedIsAPhantom() {
        List<Operation> history = List.of(
                set("u1", "v1", 0, 10, Outcome.UNKNOWN), get("u1", "v1", 20, 30),
                set("u2", "v2", 0, 10, Outcome.FAILED), get("u2", "v2", 20, 30),
                get("u3", "never", 20, 30),
                get("u4", "early", 20, 30), set("u4", "early", 40, 50, Outcome.OK));
        List<Violation> violations = check(history, Map.of("u1", "v1", "u4", "early"));
        assertEquals(List.of("phantom-read", "phantom-read", "phantom-read"), names(violations), violations.toString());
        assertTrue(violations.get(0).detail().contains("only a FAILED SET carried"), violations.toString());
        assertTrue(violations.get(1).detail().contains("no SET ever wrote"), violations.toString());
        assertTrue(violations.get(2).detail().contains("before any SET of that value was invoked"), violations.toString());
    }

    @Test
    void hotKeysAreCheckedForLinearizabilityFinalReadIncluded() {
        List<Operation> history = List.of(set("hot", "x", 0, 10, Outcome.OK), get("hot", "x", 20, 30),
                set("hot", "y", 40, 50, Outcome.OK));
        assertEquals(List.of(), check(history, Map.of("hot", "y")));

        List<Violation> lost = check(history, Map.of("hot", "x"));
        assertEquals(List.of("linearizability"), names(lost), lost.toString());
        assertTrue(lost.getFirst().detail().startsWith("key hot: not linearizable"), lost.toString());
        assertTrue(lost.getFirst().detail().contains("final read: GET hot -> \"x\""), lost.toString());

        List<Violation> stale = check(List.of(set("hot", "x", 0, 10, Outcome.OK), set("hot", "y", 20, 30, Outcome.OK),
                get("hot", "x", 40, 50)), Map.of("hot", "y"));
        assertEquals(List.of("linearizability"), names(stale), stale.toString());
    }

    @Test
    void countersStayWithinTheirAcknowledgedAndPossibleIncrements() {
        List<Operation> history = List.of(incr("1", 0, 10, Outcome.OK), incr("2", 20, 30, Outcome.OK),
                incr(null, 25, 0, Outcome.UNKNOWN), incr("4", 40, 50, Outcome.OK), incr(null, 60, 70, Outcome.FAILED));
        assertEquals(List.of(), check(history, Map.of("c", "3")));
        assertEquals(List.of(), check(history, Map.of("c", "4")));
        assertEquals(List.of("counter"), names(check(history, Map.of("c", "2"))), "fewer than acknowledged");
        assertEquals(List.of("counter"), names(check(history, Map.of("c", "5"))), "more than were sent");
        assertEquals(List.of("counter"), names(check(history, Map.of())), "nil is no INCR at all");

        List<Violation> tooHigh = check(List.of(incr("1", 0, 10, Outcome.OK), incr("3", 20, 30, Outcome.OK)), Map.of("c", "2"));
        assertEquals(List.of("counter"), names(tooHigh), tooHigh.toString());
        assertTrue(tooHigh.getFirst().detail().contains("INCR c -> 3 OK at a") && tooHigh.getFirst().detail()
                .contains("outside [2, 2]"), tooHigh.toString());

        List<Violation> repeated = check(List.of(incr("1", 0, 10, Outcome.OK), incr("1", 20, 30, Outcome.OK)), Map.of("c", "2"));
        assertEquals(List.of("counter", "counter"), names(repeated), "below its bound, and a value returned twice");
        assertTrue(repeated.get(1).detail().contains("two INCRs returned 1"), repeated.toString());

        List<Operation> concurrent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            concurrent.add(incr(String.valueOf(5 - i), i, 100, Outcome.OK));
        }
        assertEquals(List.of(), check(concurrent, Map.of("c", "5")), "concurrent INCRs may return in any order");
    }

    @Test
    void aSiteAcknowledgingWhileTheOtherIsLiveIsFlagged() {
        List<LiveRecord> records = List.of(new LiveRecord(2, "b", 100 * MS), new LiveRecord(1, "a", 0),
                new LiveRecord(3, "b", 150 * MS));
        Operation beforeTheChange = op(1, Kind.SET, "u1", "1", null, 10 * MS, 20 * MS, Outcome.OK, "a");
        Operation straddling = op(1, Kind.SET, "u2", "2", null, 90 * MS, 110 * MS, Outcome.OK, "a");
        Operation withinTolerance = op(1, Kind.SET, "u3", "3", null, 101 * MS, 102 * MS, Outcome.OK, "a");
        Operation refused = op(1, Kind.SET, "u4", "4", null, 110 * MS, 120 * MS, Outcome.FAILED, "a");
        Operation staleAcknowledgement = op(1, Kind.GET, "u5", null, null, 110 * MS, 160 * MS, Outcome.OK, "a");
        Operation earlyAcknowledgement = op(2, Kind.SET, "u6", "6", null, 50 * MS, 60 * MS, Outcome.OK, "b");
        Operation newLive = op(2, Kind.SET, "u7", "7", null, 110 * MS, 120 * MS, Outcome.OK, "b");
        List<Operation> history = List.of(beforeTheChange, straddling, withinTolerance, refused, staleAcknowledgement,
                earlyAcknowledgement, newLive);
        Map<String, String> finalReads = Map.of("u1", "1", "u2", "2", "u3", "3", "u6", "6", "u7", "7");

        List<Violation> violations = HistoryChecks.check(history, finalReads, records, Set.of(), Set.of());
        assertEquals(List.of("two-live-sites", "two-live-sites"), names(violations), violations.toString());
        assertTrue(violations.get(0).detail().startsWith("p1 GET u5 -> nil OK at a"), violations.toString());
        assertTrue(violations.get(0).detail().contains("while epoch 2"), violations.toString());
        assertTrue(violations.get(1).detail().startsWith("p2 SET u6 \"6\" OK at b"), violations.toString());
        assertTrue(violations.get(1).detail().contains("named site a live until"), violations.toString());

        assertEquals(List.of(), names(HistoryChecks.check(history, finalReads, records, Set.of(), Set.of(),
                java.time.Duration.ofMillis(60))), "a tolerance wider than the stretches flags nothing");
    }

    @Test
    void epochRecordsMustIncreaseAndNameOneSiteEach() {
        List<LiveRecord> records = List.of(new LiveRecord(1, "a", 0), new LiveRecord(3, "b", 100 * MS),
                new LiveRecord(2, "a", 200 * MS), new LiveRecord(2, "b", 300 * MS));
        List<Violation> violations = HistoryChecks.check(List.of(), Map.of(), records, Set.of(), Set.of());
        assertEquals(2, violations.size(), violations.toString());
        assertTrue(violations.get(0).detail().startsWith("epoch 2 (site a, written"), violations.toString());
        assertTrue(violations.get(1).detail().equals("epoch 2 names both site a and site b live"), violations.toString());
    }
}
