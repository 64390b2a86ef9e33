package io.sitepair.replicator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputGateTest {
    @Test
    void outputsWaitForTheirFlushAndLeaveInTheOrderTheyWereMade() {
        OutputGate gate = new OutputGate();
        List<String> sent = new ArrayList<>();
        gate.offer(0, () -> sent.add("a"));          // no flush needed: leaves at once
        gate.offer(2, () -> sent.add("b"));          // after flush 2
        gate.offer(0, () -> sent.add("c"));          // needs nothing, but must not overtake b
        gate.offer(3, () -> sent.add("d"));
        assertEquals(List.of("a"), sent);
        gate.flushedThrough(1);
        assertEquals(List.of("a"), sent);
        gate.flushedThrough(2);
        assertEquals(List.of("a", "b", "c"), sent);
        assertEquals(1, gate.heldCount());
        gate.flushedThrough(5);
        assertEquals(List.of("a", "b", "c", "d"), sent);
        gate.offer(4, () -> sent.add("e"));          // already durable
        assertEquals(5, sent.size());
    }
}
