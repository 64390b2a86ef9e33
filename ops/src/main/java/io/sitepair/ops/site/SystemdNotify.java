package io.sitepair.ops.site;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.sitepair.replicator.linux.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Tells systemd how a daemon started by a {@code Type=notify} unit is doing (the sd_notify
 * protocol): {@code READY=1} once it serves, {@code STATUS=} lines that {@code systemctl status}
 * shows, and {@code WATCHDOG=1} at half the unit's {@code WatchdogSec}. Without
 * {@code NOTIFY_SOCKET} in the environment (not started by systemd) it does nothing.
 *
 * <p>The notification socket is a Unix datagram socket, which the JDK's channels do not offer
 * (their Unix domain sockets are stream sockets), so the datagram goes through libc's
 * {@code socket}/{@code sendto} with the foreign function API. It leaves from the JVM itself, the
 * unit's main process, so the unit needs no {@code NotifyAccess=all} and no helper process.
 */
public final class SystemdNotify {
    /** This process's notifier, from its environment. */
    public static final SystemdNotify PROCESS = fromEnvironment(System.getenv(), ProcessHandle.current().pid());

    // Linux's values (systemd runs only there).
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"), MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path"));
    private static final VarHandle SUN_FAMILY = SOCKADDR_UN.varHandle(MemoryLayout.PathElement.groupElement("sun_family"));
    private static final long SUN_PATH = SOCKADDR_UN.byteOffset(MemoryLayout.PathElement.groupElement("sun_path"));

    private final String socket;
    private final Duration watchdogInterval;
    private boolean failed;

    private SystemdNotify(String socket, Duration watchdogInterval) {
        this.socket = socket;
        this.watchdogInterval = watchdogInterval;
    }

    /**
     * The notifier that {@code env} asks for: none without {@code NOTIFY_SOCKET}; watchdog pings
     * only when {@code WATCHDOG_USEC} is set and {@code WATCHDOG_PID}, if set, is {@code pid}.
     */
    static SystemdNotify fromEnvironment(Map<String, String> env, long pid) {
        String socket = env.get("NOTIFY_SOCKET");
        String usec = env.get("WATCHDOG_USEC");
        String watchdogPid = env.get("WATCHDOG_PID");
        Duration interval = null;
        if (usec != null && (watchdogPid == null || watchdogPid.equals(Long.toString(pid)))) {
            try {
                interval = Duration.ofNanos(Long.parseLong(usec) * 1000 / 2);
            } catch (NumberFormatException e) {
                System.err.println("sitepair: WATCHDOG_USEC=" + usec + " is not a number of microseconds;"
                        + " no watchdog pings");
            }
        }
        return new SystemdNotify(socket == null || socket.isEmpty() ? null : socket, interval);
    }

    /** Whether a service manager listens. */
    boolean enabled() {
        return socket != null;
    }

    /** How often {@link #ready} pings the watchdog; null when the unit has none. */
    Duration watchdogInterval() {
        return watchdogInterval;
    }

    /** The daemon serves: systemd finishes starting the unit, and the watchdog pings begin. */
    public void ready(String status) {
        if (!enabled()) {
            return;
        }
        send("READY=1\nSTATUS=" + status);
        if (watchdogInterval != null) {
            // Proves the JVM still runs its threads (not frozen, not thrashing in GC), not that the site is sane.
            Thread.ofPlatform().daemon().name("sitepair-systemd-watchdog").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(watchdogInterval);
                        send("WATCHDOG=1");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** A line for {@code systemctl status}: what the daemon does now. */
    public void status(String status) {
        if (enabled()) {
            send("STATUS=" + status);
        }
    }

    /** Sends one notification; a failure is said once and otherwise ignored: the daemon serves on. */
    synchronized void send(String message) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = socketAddress(arena, socket);
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int fd = (int) Calls.SOCKET.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IllegalStateException("socket() failed, errno " + Libc.errno(state));
            }
            try {
                MemorySegment text = arena.allocateFrom(message, StandardCharsets.UTF_8);
                long length = text.byteSize() - 1; // without the terminating NUL
                long sent = (long) Calls.SENDTO.invokeExact(state, fd, text, length, MSG_NOSIGNAL, address, (int) address.byteSize());
                if (sent < 0) {
                    throw new IllegalStateException("sendto() failed, errno " + Libc.errno(state));
                }
            } finally {
                int ignored = (int) Calls.CLOSE.invokeExact(fd);
            }
        } catch (Throwable e) {
            if (!failed) {
                failed = true;
                System.err.println("sitepair: cannot notify systemd at NOTIFY_SOCKET=" + socket + ": " + e.getMessage());
            }
        }
    }

    /**
     * {@code socket} as a {@code sockaddr_un} of the length to pass: a path, or an abstract name
     * when it starts with {@code @} (which stands for the leading NUL byte).
     */
    static MemorySegment socketAddress(Arena arena, String socket) {
        boolean abstractName = socket.startsWith("@");
        if (!abstractName && !socket.startsWith("/")) {
            throw new IllegalArgumentException("not a Unix socket path or abstract name");
        }
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        if (abstractName) {
            name[0] = 0;
        }
        long pathLength = abstractName ? name.length : name.length + 1; // a path ends in NUL
        if (pathLength > SOCKADDR_UN.byteSize() - SUN_PATH) {
            throw new IllegalArgumentException("the socket's name is too long");
        }
        MemorySegment address = arena.allocate(SOCKADDR_UN);
        SUN_FAMILY.set(address, 0L, (short) AF_UNIX);
        MemorySegment.copy(name, 0, address, JAVA_BYTE, SUN_PATH, name.length);
        return address.asSlice(0, SUN_PATH + pathLength);
    }

    /** libc's socket calls, bound on first use: a daemon outside systemd never pays for the binding. */
    private static final class Calls {
        static final MethodHandle SOCKET = Libc.bind("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Libc.CAPTURE_ERRNO);
        static final MethodHandle SENDTO = Libc.bind("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Libc.CAPTURE_ERRNO);
        static final MethodHandle CLOSE = Libc.bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
}
