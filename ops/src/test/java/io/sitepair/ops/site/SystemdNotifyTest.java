package io.sitepair.ops.site;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifyTest {
    private static final long PID = 4242;

    @Test
    void withoutNotifySocketItIsOff() {
        SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("WATCHDOG_USEC", "1000000"), PID);
        assertFalse(notify.enabled());
        notify.ready("serving"); // nothing to send to, and nothing thrown
        notify.status("primary");
    }

    @Test
    void tellsSystemdThatItIsReadyAndWhatItDoes(@TempDir Path dir) throws Throwable {
        String path = dir.resolve("notify").toString();
        try (Receiver systemd = new Receiver(path)) {
            SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path), PID);
            assertTrue(notify.enabled());
            notify.ready("site a serves status");
            assertEquals("READY=1\nSTATUS=site a serves status", systemd.next());
            notify.status("primary in epoch 3");
            assertEquals("STATUS=primary in epoch 3", systemd.next());
        }
    }

    @Test
    void reachesAnAbstractSocketName() throws Throwable {
        String name = "@sitepair-test-" + UUID.randomUUID();
        try (Receiver systemd = new Receiver(name)) {
            SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", name), PID).status("starting");
            assertEquals("STATUS=starting", systemd.next());
        }
    }

    @Test
    void pingsTheWatchdogAtHalfItsTimeoutOnceReady(@TempDir Path dir) throws Throwable {
        String path = dir.resolve("notify").toString();
        try (Receiver systemd = new Receiver(path)) {
            SystemdNotify notify = SystemdNotify.fromEnvironment(
                    Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "200000", "WATCHDOG_PID", Long.toString(PID)), PID);
            assertEquals(Duration.ofMillis(100), notify.watchdogInterval());
            notify.ready("serving");
            assertEquals("READY=1\nSTATUS=serving", systemd.next());
            assertEquals("WATCHDOG=1", systemd.next());
            assertEquals("WATCHDOG=1", systemd.next());
        }
    }

    @Test
    void aWatchdogMeantForAnotherProcessIsNotPinged() {
        Map<String, String> env = Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "200000",
                "WATCHDOG_PID", "1");
        assertNull(SystemdNotify.fromEnvironment(env, PID).watchdogInterval());
    }

    @Test
    void refusesASocketThatIsNeitherAPathNorAnAbstractName() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> SystemdNotify.socketAddress(arena, "vsock:2:1234"));
            assertThrows(IllegalArgumentException.class, () -> SystemdNotify.socketAddress(arena, "/" + "x".repeat(108)));
            assertEquals(2 + 8, SystemdNotify.socketAddress(arena, "@systemd").byteSize()); // no NUL after the name
            assertEquals(2 + 9, SystemdNotify.socketAddress(arena, "/run/n/x").byteSize()); // a path ends in NUL
        }
    }

    /** systemd's end: a bound Unix datagram socket, through libc as the JDK has none. */
    private static final class Receiver implements AutoCloseable {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        private static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        private static final int MSG_DONTWAIT = 0x40;

        private final Arena arena = Arena.ofConfined();
        private final int fd;

        Receiver(String socket) throws Throwable {
            fd = (int) SOCKET.invokeExact(1, 2, 0); // AF_UNIX, SOCK_DGRAM
            MemorySegment address = SystemdNotify.socketAddress(arena, socket);
            int bound = (int) BIND.invokeExact(fd, address, (int) address.byteSize());
            assertEquals(0, bound, "bind " + socket);
        }

        /** The next datagram, waiting up to 5 s. */
        String next() throws Throwable {
            MemorySegment buffer = arena.allocate(4096);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                long n = (long) RECV.invokeExact(fd, buffer, buffer.byteSize(), MSG_DONTWAIT);
                if (n >= 0) {
                    return new String(buffer.asSlice(0, n).toArray(JAVA_BYTE),
                            StandardCharsets.UTF_8);
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no notification within 5 s");
        }

        @Override
        public void close() {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable e) {
                throw new AssertionError(e);
            } finally {
                arena.close();
            }
        }

        private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
        }
    }
}
