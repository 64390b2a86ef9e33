package io.sitepair.ops.site;

import io.sitepair.ops.site.http.SitePlane;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starts a site's HTTP plane on a thread of its own, while the site starts its quorum peer and
 * connects to the quorum: Micronaut's start (a second or more of class loading) then adds nothing
 * to the time before the site serves. The site waits for it before it takes a role, so a plane
 * that cannot serve (its address in use) still stops the site before anything is served.
 */
final class PlaneStart implements AutoCloseable {
    /** What starts the plane. */
    interface Starter {
        SitePlane start() throws IOException;
    }

    private final CompletableFuture<SitePlane> plane = new CompletableFuture<>();

    private PlaneStart(Starter starter, Runnable serving) {
        Thread.ofPlatform().name("sitepair-plane-start").daemon().start(() -> {
            try {
                plane.complete(starter.start());
                serving.run();
            } catch (Throwable e) {
                // Said now, not when the site next waits for it: that may be after the quorum forms.
                System.err.println("sitepair: " + e.getMessage());
                plane.completeExceptionally(e);
            }
        });
    }

    /** Starts the plane now; {@code serving} runs once it answers. */
    static PlaneStart begin(Starter starter, Runnable serving) {
        return new PlaneStart(starter, serving);
    }

    /** Waits until the plane serves; why it cannot, if it cannot. */
    SitePlane awaitServing() throws IOException, InterruptedException {
        try {
            return plane.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("the HTTP plane failed to start", e.getCause());
        }
    }

    /** Closes the plane, once started (a start under way is waited for: its port is then released). */
    @Override
    public void close() {
        try {
            plane.join().close();
        } catch (RuntimeException failedToStart) {
            // nothing to close; why it failed was reported by awaitServing
        }
    }
}
