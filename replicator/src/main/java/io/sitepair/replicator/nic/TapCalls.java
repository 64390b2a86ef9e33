package io.sitepair.replicator.nic;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.sitepair.replicator.linux.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The Linux calls behind a TAP device, through libc with the foreign function API: the JDK has
 * no TAP devices, interface flags or bridge ports. Each failure is a {@link CallFailed} with its
 * errno; {@link TapDevice} turns the ones a person can act on into sentences.
 */
final class TapCalls {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EBADFD = 77;
    static final int EOPNOTSUPP = 95;
    static final int ENOBUFS = 105;

    static final short POLLIN = 0x1;

    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    /** {@code _IOW('T', 202, int)} from linux/if_tun.h. */
    private static final long TUNSETIFF = 0x400454caL;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final long SIOCBRADDIF = 0x89a2;
    private static final short IFF_UP = 0x1;
    private static final short IFF_TAP = 0x2;
    private static final short IFF_NO_PI = 0x1000;
    /** Refuse a name that exists, rather than attach to a leftover persistent device of that name. */
    private static final short IFF_TUN_EXCL = (short) 0x8000;

    /** {@code struct ifreq}: the name, then a union that holds the flags (short) or the index (int). */
    private static final long IFREQ_SIZE = 40;
    private static final long IFREQ_UNION = 16;

    /** {@code struct pollfd}: {@code int fd; short events; short revents;}. */
    static final long POLLFD_SIZE = 8;
    private static final long POLLFD_EVENTS = 4;
    private static final long POLLFD_REVENTS = 6;

    /** A call that failed, with its errno. */
    static final class CallFailed extends IOException {
        final int errno;

        CallFailed(String call, int errno) {
            super(call + " failed: errno " + errno);
            this.errno = errno;
        }
    }

    private TapCalls() {}

    /** Opens {@code /dev/net/tun} (non-blocking) and makes it a new TAP device named {@code name}, down. */
    static int createTap(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            MemorySegment path = arena.allocateFrom("/dev/net/tun", StandardCharsets.UTF_8);
            int fd = (int) Calls.OPEN.invokeExact(state, path, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
            if (fd < 0) {
                throw new CallFailed("open(/dev/net/tun)", Libc.errno(state));
            }
            MemorySegment request = ifreq(arena, name);
            request.set(JAVA_SHORT, IFREQ_UNION, (short) (IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL));
            if ((int) Calls.IOCTL.invokeExact(state, fd, TUNSETIFF, request) < 0) {
                int errno = Libc.errno(state);
                close(fd);
                throw new CallFailed("ioctl(TUNSETIFF)", errno);
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    /** Makes the interface {@code port} a port of the bridge {@code bridge}. */
    static void addToBridge(String bridge, String port) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = ifreq(arena, port);
            interfaceControl(arena, SIOCGIFINDEX, "ioctl(SIOCGIFINDEX)", request);
            int index = request.get(JAVA_INT, IFREQ_UNION);
            MemorySegment bridgeRequest = ifreq(arena, bridge);
            bridgeRequest.set(JAVA_INT, IFREQ_UNION, index);
            interfaceControl(arena, SIOCBRADDIF, "ioctl(SIOCBRADDIF)", bridgeRequest);
        }
    }

    /** Sets or clears the interface's {@code IFF_UP} flag, as {@code ip link set NAME up/down} does. */
    static void setUp(String name, boolean up) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = ifreq(arena, name);
            interfaceControl(arena, SIOCGIFFLAGS, "ioctl(SIOCGIFFLAGS)", request);
            short flags = request.get(JAVA_SHORT, IFREQ_UNION);
            request.set(JAVA_SHORT, IFREQ_UNION, (short) (up ? flags | IFF_UP : flags & ~IFF_UP));
            interfaceControl(arena, SIOCSIFFLAGS, "ioctl(SIOCSIFFLAGS)", request);
        }
    }

    /** An eventfd whose counter, once written, makes every poll on it return at once. */
    static int eventFd() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int fd = (int) Calls.EVENTFD.invokeExact(state, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (fd < 0) {
                throw new CallFailed("eventfd", Libc.errno(state));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    /** Adds one to an eventfd's counter. */
    static void signal(int eventFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long ignored = (long) Calls.WRITE.invokeExact(arena.allocate(Libc.CALL_STATE), eventFd, one, 8L);
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    /** Fills a {@code struct pollfd} entry that waits for input on {@code fd}. */
    static void pollEntry(MemorySegment entries, int index, int fd) {
        long at = index * POLLFD_SIZE;
        entries.set(JAVA_INT, at, fd);
        entries.set(JAVA_SHORT, at + POLLFD_EVENTS, POLLIN);
        entries.set(JAVA_SHORT, at + POLLFD_REVENTS, (short) 0);
    }

    /** The events {@link #poll} reported on entry {@code index}. */
    static short returnedEvents(MemorySegment entries, int index) {
        return entries.get(JAVA_SHORT, index * POLLFD_SIZE + POLLFD_REVENTS);
    }

    /** {@code poll(2)}: how many entries have events, 0 on timeout, -1 with errno in {@code state}. */
    static int poll(MemorySegment state, MemorySegment entries, int timeoutMillis) {
        try {
            return (int) Calls.POLL.invokeExact(state, entries, entries.byteSize() / POLLFD_SIZE, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    /** {@code read(2)}: the bytes read, or -1 with errno in {@code state}. */
    static long read(MemorySegment state, int fd, MemorySegment buffer) {
        try {
            return (long) Calls.READ.invokeExact(state, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    /** {@code write(2)}: the bytes written, or -1 with errno in {@code state}. */
    static long write(MemorySegment state, int fd, MemorySegment bytes) {
        try {
            return (long) Calls.WRITE.invokeExact(state, fd, bytes, bytes.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) Calls.CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    private static MemorySegment ifreq(Arena arena, String name) {
        MemorySegment request = arena.allocate(IFREQ_SIZE);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, request, JAVA_BYTE, 0, bytes.length); // the rest stays NUL
        return request;
    }

    /** An interface ioctl, made on a throwaway datagram socket as the kernel asks. */
    private static void interfaceControl(Arena arena, long request, String call, MemorySegment ifreq)
            throws IOException {
        try {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int socket = (int) Calls.SOCKET.invokeExact(state, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (socket < 0) {
                throw new CallFailed("socket(AF_INET, SOCK_DGRAM)", Libc.errno(state));
            }
            try {
                if ((int) Calls.IOCTL.invokeExact(state, socket, request, ifreq) < 0) {
                    throw new CallFailed(call, Libc.errno(state));
                }
            } finally {
                close(socket);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    /** libc's calls, bound on first use. {@code open} and {@code ioctl} are variadic in their last argument. */
    private static final class Calls {
        static final MethodHandle OPEN = Libc.bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Libc.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
        static final MethodHandle IOCTL = Libc.bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                Libc.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
        static final MethodHandle SOCKET = Libc.bind("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Libc.CAPTURE_ERRNO);
        static final MethodHandle EVENTFD = Libc.bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
                Libc.CAPTURE_ERRNO);
        static final MethodHandle POLL = Libc.bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
                Libc.CAPTURE_ERRNO);
        static final MethodHandle READ = Libc.bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
                Libc.CAPTURE_ERRNO);
        static final MethodHandle WRITE = Libc.bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
                Libc.CAPTURE_ERRNO);
        static final MethodHandle CLOSE = Libc.bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
}
