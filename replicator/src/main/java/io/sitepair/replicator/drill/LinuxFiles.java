package io.sitepair.replicator.drill;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sitepair.replicator.linux.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The few Linux file calls the JDK does not offer, through libc with the foreign function API:
 * {@code ioctl(FICLONE)} (a copy-on-write clone of a whole file, where the file system shares
 * extents: btrfs, XFS with reflink, bcachefs) and {@code lseek(SEEK_DATA / SEEK_HOLE)} (where a
 * sparse file's data lies). Each call's file descriptor is opened and closed here: the JDK's
 * channels do not expose theirs.
 */
final class LinuxFiles {
    static final int EXDEV = 18;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int EOPNOTSUPP = 95;
    private static final int ENXIO = 6;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** {@code _IOW(0x94, 9, int)} from linux/fs.h. */
    private static final long FICLONE = 0x40049409L;

    /** A call that failed, with its errno. */
    static final class CallFailed extends IOException {
        final int errno;

        CallFailed(String call, Path file, int errno) {
            super(call + " on " + file + " failed: errno " + errno);
            this.errno = errno;
        }
    }

    private LinuxFiles() {}

    /** Makes the existing file {@code target} share all of {@code source}'s extents; throws {@link CallFailed} if refused. */
    static void cloneWhole(Path source, Path target) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int from = open(arena, state, source, O_RDONLY);
            try {
                int to = open(arena, state, target, O_WRONLY);
                try {
                    int result = (int) Calls.IOCTL.invokeExact(state, to, FICLONE, from);
                    if (result < 0) {
                        throw new CallFailed("ioctl(FICLONE)", target, Libc.errno(state));
                    }
                } finally {
                    close(to);
                }
            } finally {
                close(from);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
    }

    /** A run of a file's bytes that may hold data: {@code [start, end)}. */
    record DataRun(long start, long end) {}

    /**
     * Where {@code file} (of {@code size} bytes) may hold data, in order; everything else is a
     * hole that reads as zeros. A file system that cannot tell (EINVAL) gives the whole file.
     */
    static java.util.List<DataRun> dataRuns(Path file, long size) throws IOException {
        java.util.List<DataRun> runs = new java.util.ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int fd = open(arena, state, file, O_RDONLY);
            try {
                long offset = 0;
                while (offset < size) {
                    long data = (long) Calls.LSEEK.invokeExact(state, fd, offset, SEEK_DATA);
                    if (data < 0) {
                        int errno = Libc.errno(state);
                        if (errno == ENXIO) {
                            break; // only a hole after offset
                        }
                        if (errno == EINVAL && offset == 0) {
                            return java.util.List.of(new DataRun(0, size));
                        }
                        throw new CallFailed("lseek(SEEK_DATA)", file, errno);
                    }
                    long hole = (long) Calls.LSEEK.invokeExact(state, fd, data, SEEK_HOLE);
                    if (hole < 0) {
                        throw new CallFailed("lseek(SEEK_HOLE)", file, Libc.errno(state));
                    }
                    runs.add(new DataRun(data, Math.min(hole, size)));
                    offset = hole;
                }
            } finally {
                close(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed", t);
        }
        return runs;
    }

    private static int open(Arena arena, MemorySegment state, Path file, int flags) throws Throwable {
        MemorySegment name = arena.allocateFrom(file.toString(), StandardCharsets.UTF_8);
        int fd = (int) Calls.OPEN.invokeExact(state, name, flags | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new CallFailed("open", file, Libc.errno(state));
        }
        return fd;
    }

    private static void close(int fd) throws Throwable {
        int ignored = (int) Calls.CLOSE.invokeExact(fd);
    }

    /** libc's calls, bound on first use. {@code open} and {@code ioctl} are variadic in their last argument. */
    private static final class Calls {
        static final MethodHandle OPEN = Libc.bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Libc.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
        static final MethodHandle IOCTL = Libc.bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT),
                Libc.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
        static final MethodHandle LSEEK = Libc.bind("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT),
                Libc.CAPTURE_ERRNO);
        static final MethodHandle CLOSE = Libc.bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
}
