package io.sitepair.ops.logging;

import java.util.logging.LogManager;

/**
 * java.util.logging's manager for sitepair's processes. The JDK's own resets every logger as soon
 * as the JVM begins to exit, dropping the handlers while the other shutdown hooks still run; but a
 * site stopped by SIGTERM powers off from such a hook, and what it logs then belongs in its log.
 * This one keeps the handlers until the end.
 */
public final class LastingLogManager extends LogManager {
    @Override
    public void reset() {
        if (!exiting()) {
            super.reset();
        }
    }

    /** Whether the JVM has begun to exit: it then refuses new shutdown hooks. */
    private static boolean exiting() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
