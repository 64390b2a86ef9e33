package io.sitepair.replicator.service;

import io.netty.channel.EventLoop;
import io.sitepair.replicator.nic.FrameLink;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual NIC's receive path: a thread of its own reads frames off the link (a TAP read
 * blocks, which the guest's event loop must never do) and hands them to the loop in batches,
 * where the {@link GuestDriver} delivers each as an event. At most {@value #MAX_PENDING} frames
 * wait for the loop; past that the reader stops reading and the kernel's queue drops, which TCP
 * recovers from as from any congested link.
 */
final class NicService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NicService.class);
    private static final int MAX_PENDING = 512;
    private static final int BATCH = 64;
    private static final Duration WAIT = Duration.ofMillis(100);

    private final FrameLink link;
    private final EventLoop loop;
    private final GuestDriver driver;
    private final Semaphore room = new Semaphore(MAX_PENDING);
    private final Thread reader;
    private volatile boolean running = true;
    private volatile boolean paused;

    private NicService(FrameLink link, EventLoop loop, GuestDriver driver) {
        this.link = link;
        this.loop = loop;
        this.driver = driver;
        this.reader = Thread.ofPlatform().name("sitepair-nic-rx").daemon().unstarted(this::read);
    }

    /** Starts reading {@code link}, which is up. */
    static NicService start(FrameLink link, EventLoop loop, GuestDriver driver) {
        NicService service = new NicService(link, loop, driver);
        service.reader.start();
        return service;
    }

    /** Paused, nothing more is read (frames already handed over are still delivered). */
    void paused(boolean paused) {
        this.paused = paused;
    }

    /** Whether the reader still reads: false once the link failed (or the service closed). */
    boolean reading() {
        return reader.isAlive();
    }

    private void read() {
        try {
            while (running) {
                if (paused) {
                    Thread.sleep(5);
                    continue;
                }
                List<byte[]> batch = nextBatch();
                if (!batch.isEmpty()) {
                    loop.execute(() -> {
                        try {
                            driver.frames(batch);
                        } finally {
                            room.release(batch.size());
                        }
                    });
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (running) {
                LOG.error("the virtual NIC ({}) failed: {}; the guest receives no more frames", link.describe(),
                        e.getMessage());
            }
        }
    }

    /** Waits for one frame, then takes what else is ready, within the room the loop has. */
    private List<byte[]> nextBatch() throws IOException, InterruptedException {
        List<byte[]> batch = new ArrayList<>();
        room.acquire();
        byte[] frame = link.receive(WAIT);
        while (frame != null) {
            batch.add(frame);
            if (batch.size() == BATCH || !room.tryAcquire()) {
                return batch;
            }
            frame = link.receive(Duration.ZERO);
        }
        room.release(); // taken for the frame that did not come
        return batch;
    }

    /** Stops reading and closes the link, which takes the device away. */
    @Override
    public void close() {
        running = false;
        reader.interrupt();
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
    }
}
