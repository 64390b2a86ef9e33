package io.sitepair.ops.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FailoverTimelineTest {
    @Test
    void readsThePhasesOfAFailoverAndOfASwitchover() {
        assertEquals(new FailoverTimeline("live in epoch 3 from position 41: detection 1000 ms (failure timeout), replay"
                        + " 12 ms, arbitration 35 ms", 3L, 41L, false, 1000L, 12L, 35L),
                FailoverTimeline.of("live in epoch 3 from position 41: detection 1000 ms (failure timeout), replay 12"
                        + " ms, arbitration 35 ms"));
        FailoverTimeline switchover = FailoverTimeline.of("live in epoch 4 from position 90 by a planned switchover:"
                + " arbitration 7 ms");
        assertEquals(true, switchover.planned());
        assertEquals(7L, switchover.arbitrationMs());
        assertNull(switchover.detectionMs());
    }

    @Test
    void aFailoverUnderWayHasItsWordsAndNoPhases() {
        FailoverTimeline underWay = FailoverTimeline.of("replayed to position 41; claiming epoch 3");
        assertEquals("replayed to position 41; claiming epoch 3", underWay.text());
        assertNull(underWay.arbitrationMs());
        assertNull(FailoverTimeline.of(null));
    }
}
