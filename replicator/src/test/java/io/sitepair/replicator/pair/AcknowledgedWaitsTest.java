package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AcknowledgedWaitsTest {
    @Test
    void aWaitEndsWhenTheAcknowledgementsReachItsPositionAndNotBefore() {
        AcknowledgedWaits waits = new AcknowledgedWaits();
        CompletableFuture<Void> powerOff = waits.reach(10);
        CompletableFuture<Void> later = waits.reach(20);
        waits.acknowledged(9);
        assertFalse(powerOff.isDone());
        waits.acknowledged(15);
        assertTrue(powerOff.isDone());
        assertFalse(later.isDone());
        waits.acknowledged(12); // acknowledgements arrive out of order: they never go back
        assertTrue(waits.reach(15).isDone(), "a position already held is reached at once");
        waits.abandon();
        assertTrue(later.isDone(), "without a backup there is nothing left to wait for");
    }
}
