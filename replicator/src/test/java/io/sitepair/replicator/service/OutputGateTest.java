package io.sitepair.replicator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.metrics.SiteMeters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutputGateTest {
    @Test
    void outputsWaitForTheirFlushAndLeaveInTheOrderTheyWereMade() {
        OutputGate gate = new OutputGate(false);
        List<String> sent = new ArrayList<>();
        gate.offer(0, 1, () -> sent.add("a"));          // no flush needed: leaves at once
        gate.offer(2, 2, () -> sent.add("b"));          // after flush 2
        gate.offer(0, 3, () -> sent.add("c"));          // needs nothing, but must not overtake b
        gate.offer(3, 4, () -> sent.add("d"));
        assertEquals(List.of("a"), sent);
        gate.flushedThrough(1);
        assertEquals(List.of("a"), sent);
        gate.flushedThrough(2);
        assertEquals(List.of("a", "b", "c"), sent);
        assertEquals(1, gate.heldCount());
        gate.flushedThrough(5);
        assertEquals(List.of("a", "b", "c", "d"), sent);
        gate.offer(4, 5, () -> sent.add("e"));          // already durable
        assertEquals(5, sent.size());
    }

    @Test
    void eachReleasedOutputTellsTheMetersHowLongItWaitedAndOneThatDidNotWaitZero() {
        long[] now = {1_000};
        List<Long> held = new ArrayList<>();
        OutputGate gate = new OutputGate(true, new SiteMeters() {
            @Override
            public void outputReleased(long heldNanos) {
                held.add(heldNanos);
            }
        }, () -> now[0]);
        gate.offer(0, 10, () -> {});
        now[0] = 1_400;
        gate.offer(0, 20, () -> {});
        now[0] = 2_000;
        gate.acknowledgedThrough(20);
        assertEquals(List.of(1_000L, 600L), held, "from when each was offered to the acknowledgement");
        gate.dropOutputRule();
        gate.offer(0, 30, () -> {});
        assertEquals(List.of(1_000L, 600L, 0L), held);
    }

    @Test
    void underTheOutputRuleAnOutputWaitsForTheAcknowledgementOfItsPosition() {
        OutputGate gate = new OutputGate(true);
        List<String> sent = new ArrayList<>();
        gate.offer(0, 10, () -> sent.add("x"));
        gate.offer(0, 20, () -> sent.add("y"));
        assertEquals(List.of(), sent, "durable locally is not enough");
        gate.acknowledgedThrough(9);
        assertEquals(List.of(), sent);
        gate.acknowledgedThrough(15);
        assertEquals(List.of("x"), sent);
        gate.acknowledgedThrough(12); // a late, reordered acknowledgement moves nothing back
        gate.offer(0, 14, () -> sent.add("late")); // must not overtake y
        assertEquals(List.of("x"), sent);
        gate.acknowledgedThrough(20);
        assertEquals(List.of("x", "y", "late"), sent);
    }

    /** Re-protection: outputs made alone leave as before; later outputs wait for the new backup. */
    @Test
    void resumingTheOutputRuleHoldsOnlyOutputsMadeFromThen() {
        OutputGate gate = new OutputGate(false);
        List<String> sent = new ArrayList<>();
        gate.offer(4, 30, () -> sent.add("alone"));   // made alone; its flush is still running
        gate.resumeOutputRule();                        // the state at 40 is being copied to a backup
        gate.offer(0, 41, () -> sent.add("protected"));
        assertEquals(List.of(), sent);
        gate.flushedThrough(4);
        assertEquals(List.of("alone"), sent, "made alone: no acknowledgement needed");
        gate.acknowledgedThrough(40);
        assertEquals(List.of("alone"), sent, "41 is beyond the copy: it waits for the backup");
        gate.acknowledgedThrough(41);
        assertEquals(List.of("alone", "protected"), sent);
        assertTrue(gate.outputRule());
    }

    /**
     * A protected primary whose backup restarted and must be copied: its outputs waiting for the
     * old backup wait for the new one to hold the copy, not merely for the copy to be captured.
     */
    @Test
    void outputsMadeUnderTheRuleWaitForTheCopyToBeAcknowledged() {
        OutputGate gate = new OutputGate(true);
        List<String> sent = new ArrayList<>();
        gate.offer(0, 30, () -> sent.add("protected"));
        gate.resumeOutputRule();                        // the state at 40 is captured for the new backup
        assertEquals(List.of(), sent, "no backup holds 30 yet");
        gate.acknowledgedThrough(40);                   // the new backup holds the copy
        assertEquals(List.of("protected"), sent);
    }

    @Test
    void droppingTheOutputRuleReleasesWhatOnlyWaitedForTheBackup() {
        OutputGate gate = new OutputGate(true);
        List<String> sent = new ArrayList<>();
        gate.offer(0, 5, () -> sent.add("a"));
        gate.offer(7, 6, () -> sent.add("b"));
        gate.dropOutputRule();
        assertEquals(List.of("a"), sent, "b still waits for its flush");
        gate.flushedThrough(7);
        assertEquals(List.of("a", "b"), sent);
    }

    @Test
    void whileFencedNothingLeavesEvenWithoutTheOutputRule() {
        OutputGate gate = new OutputGate(true);
        List<String> sent = new ArrayList<>();
        gate.dropOutputRule(); // a site serving alone
        gate.fence(true); // its ZooKeeper session is in doubt
        gate.offer(0, 5, () -> sent.add("a"));
        gate.flushedThrough(10);
        gate.acknowledgedThrough(10);
        assertEquals(List.of(), sent);
        gate.offer(0, 6, () -> sent.add("b"));
        assertEquals(2, gate.heldCount());
        gate.fence(false); // the epoch was re-confirmed
        assertEquals(List.of("a", "b"), sent);
    }

    /**
     * The Output Rule as a property: outputs are made at increasing log positions while
     * acknowledgements and flush completions arrive late, duplicated and out of order (as a
     * channel with random delays and reconnects would deliver them). At every release the
     * output's position is acknowledged and its flush durable; in the end, once everything is
     * acknowledged, every output has left, in the order it was made.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void noOutputLeavesBeforeTheBackupHoldsItsEntry(long seed) {
        Random random = new Random(seed);
        OutputGate gate = new OutputGate(true);
        long[] acked = {0};
        long[] durable = {0};
        List<Long> released = new ArrayList<>();
        List<Long> inFlightAcks = new ArrayList<>();
        List<Long> inFlightFlushes = new ArrayList<>();
        long position = 0;
        long ticket = 0;
        int made = 0;
        for (int step = 0; step < 5_000; step++) {
            switch (random.nextInt(6)) {
                case 0, 1 -> { // the guest makes an output (entries in between are other records)
                    position += 1 + random.nextInt(3);
                    if (random.nextInt(4) == 0) {
                        inFlightFlushes.add(++ticket);
                    }
                    long p = position;
                    long t = ticket;
                    made++;
                    gate.offer(t, p, () -> {
                        assertTrue(p <= acked[0], "output of position " + p + " released with " + acked[0] + " acknowledged");
                        assertTrue(t <= durable[0], "output after flush " + t + " released with " + durable[0] + " durable");
                        released.add(p);
                    });
                    inFlightAcks.add(position); // the backup will acknowledge this position, some time
                }
                case 2, 3 -> deliverOne(random, inFlightAcks, a -> {
                    acked[0] = Math.max(acked[0], a);
                    gate.acknowledgedThrough(a);
                });
                case 4 -> deliverOne(random, inFlightFlushes, f -> {
                    durable[0] = Math.max(durable[0], f);
                    gate.flushedThrough(f);
                });
                default -> { // a duplicate of an old acknowledgement (a resend after reconnect)
                    long old = random.nextLong(acked[0] + 1);
                    gate.acknowledgedThrough(old);
                }
            }
        }
        while (!inFlightAcks.isEmpty() || !inFlightFlushes.isEmpty()) {
            deliverOne(random, inFlightAcks, a -> {
                acked[0] = Math.max(acked[0], a);
                gate.acknowledgedThrough(a);
            });
            deliverOne(random, inFlightFlushes, f -> {
                durable[0] = Math.max(durable[0], f);
                gate.flushedThrough(f);
            });
        }
        assertEquals(made, released.size());
        for (int i = 1; i < released.size(); i++) {
            assertTrue(released.get(i - 1) < released.get(i), "released out of order");
        }
        assertEquals(0, gate.heldCount());
    }

    /** Delivers a random one of the messages in flight (reordering), if any. */
    private static void deliverOne(Random random, List<Long> inFlight, java.util.function.LongConsumer deliver) {
        if (!inFlight.isEmpty()) {
            deliver.accept(inFlight.remove(random.nextInt(inFlight.size())));
        }
    }
}
