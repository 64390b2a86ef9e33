package io.sitepair.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupFlusherTest {
    @TempDir
    Path dir;

    @Test
    void everyTicketBecomesDurableInOrderAndFsyncsAreShared() throws Exception {
        List<Long> durable = new CopyOnWriteArrayList<>();
        try (DiskImage disk = DiskImage.openOrCreate(dir.resolve("d.img"), 1 << 20)) {
            GroupFlusher flusher = new GroupFlusher("flush-test", durable::add);
            long last = 0;
            // Holding the flusher's monitor keeps its thread from starting another fsync, so these
            // requests pile up behind at most the one in progress, as they would under load.
            synchronized (flusher) {
                for (int i = 0; i < 500; i++) {
                    disk.write(i % 256, 1, new byte[DiskImage.BLOCK_SIZE], 0);
                    long ticket = flusher.request(disk);
                    assertEquals(last + 1, ticket);
                    last = ticket;
                }
            }
            flusher.close();
            assertEquals(500, flusher.durable(), "close drains every request");
            for (int i = 1; i < durable.size(); i++) {
                assertTrue(durable.get(i) > durable.get(i - 1), "monotonic: " + durable);
            }
            assertTrue(durable.size() <= 2, "requests made during an fsync share the next one: " + durable);
        }
    }
}
