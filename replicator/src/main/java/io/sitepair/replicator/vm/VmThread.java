package io.sitepair.replicator.vm;

import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The thread a guest runs on. Wasm frames live on the Java stack, so the depth at which a runaway
 * guest overflows would otherwise depend on the caller's stack and JIT state; a dedicated thread
 * with a large fixed stack makes the guest's own fixed wasm stack (--stack-first) the limit that
 * is hit first, identically on both sites.
 */
public final class VmThread extends Thread {
    /** Far beyond what the guests' 64 KiB wasm stack can use, even interpreted. */
    public static final long STACK_BYTES = 512L << 20;

    private VmThread(Runnable body, String name) {
        super(null, body, name, STACK_BYTES);
    }

    /** Runs {@code body} on a fresh VM thread and waits for its result. */
    public static <T> T call(String name, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        VmThread thread = new VmThread(() -> {
            try {
                result.set(body.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, name);
        thread.start();
        thread.join();
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    /**
     * Threads for an event loop that runs the guest itself (network I/O and guest events on one
     * thread, no hand-offs). Each gets the same large fixed stack.
     */
    public static ThreadFactory factory(String name) {
        AtomicInteger count = new AtomicInteger();
        return body -> new VmThread(body, name + "-" + count.incrementAndGet());
    }

    static void requireCurrent() {
        if (!(Thread.currentThread() instanceof VmThread)) {
            throw new IllegalStateException("guest code runs only on a VmThread (see VmThread.call)");
        }
    }
}
