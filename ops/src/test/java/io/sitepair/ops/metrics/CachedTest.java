package io.sitepair.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachedTest {
    @Test
    void makesTheValueAtMostOncePerIntervalWhateverTheNumberOfCallers() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        AtomicInteger made = new AtomicInteger();
        Cached<Integer> value = new Cached<>(made::incrementAndGet, Duration.ofSeconds(1), now::get);

        for (int viewer = 0; viewer < 50; viewer++) {
            assertEquals(1, value.get());
        }
        now.addAndGet(999_999_999L);
        assertEquals(1, value.get(), "still within the second");
        now.addAndGet(1);
        assertEquals(2, value.get(), "a second after the first was made");
        assertEquals(2, value.get());
        assertEquals(2, made.get());
    }
}
