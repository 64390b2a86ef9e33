package io.sitepair.replicator.nic;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.sitepair.replicator.linux.Libc;
import io.sitepair.replicator.nic.TapCalls.CallFailed;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Linux TAP device on a bridge: the site's end of the service network. Frames the guest sends
 * are written to the device and leave through the bridge; frames the bridge forwards to the
 * device are read here. The device is not persistent: it disappears when this object closes (or
 * the process dies), so a crashed site leaves nothing behind.
 *
 * <p>Up and down are both the interface's flag (while down, the bridge forwards nothing to the
 * device and takes nothing from it) and this object's: while down, frames still queued are
 * read and discarded and {@link #send} drops, each counted. The descriptor is non-blocking: a
 * frame the kernel cannot take at once is dropped and counted, never waited for.
 *
 * <p>{@link #receive} blocks in {@code poll(2)}: call it from a platform thread (a virtual thread
 * would pin its carrier). {@link #close} wakes it through an eventfd, so the reader ends promptly,
 * and frees the descriptor only once no call uses it (a freed number could be reused by another
 * file at once).
 */
public final class TapDevice implements FrameLink {
    /** The largest frame read: a whole 64 KiB, as the guest's receive buffer. */
    static final int RECEIVE_BUFFER = 65536;
    private static final int TAP_ENTRY = 0;
    private static final int WAKE_ENTRY = 1;

    private final String name;
    private final String bridge;
    private final int fd;
    private final int wakeFd;
    private final Arena memory = Arena.ofShared();
    private final MemorySegment receiveBuffer = memory.allocate(RECEIVE_BUFFER);
    private final MemorySegment receiveState = memory.allocate(Libc.CALL_STATE);
    private final MemorySegment pollEntries = memory.allocate(2 * TapCalls.POLLFD_SIZE);
    /** Each frame sent is copied here: no native allocation per frame on the guest's event loop. */
    private final MemorySegment sendBuffer = memory.allocate(RECEIVE_BUFFER);
    private final MemorySegment sendState = memory.allocate(Libc.CALL_STATE);
    private final Object receiving = new Object();
    private final Object sending = new Object();
    /** Calls that use the descriptors hold the read lock; {@link #close} takes the write lock to free them. */
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean up;
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong droppedIn = new AtomicLong();
    private final AtomicLong droppedOut = new AtomicLong();

    /** What passed through the device so far; dropped frames are those read or sent while down, or refused by the kernel. */
    public record Counters(long framesIn, long bytesIn, long framesOut, long bytesOut, long droppedIn,
            long droppedOut) {}

    private TapDevice(String name, String bridge, int fd, int wakeFd) {
        this.name = name;
        this.bridge = bridge;
        this.fd = fd;
        this.wakeFd = wakeFd;
        TapCalls.pollEntry(pollEntries, TAP_ENTRY, fd);
        TapCalls.pollEntry(pollEntries, WAKE_ENTRY, wakeFd);
    }

    /**
     * Creates the TAP device {@code settings.tap()} as a port of the bridge {@code settings.bridge()},
     * down. Needs CAP_NET_ADMIN; fails with a sentence that names the device or the bridge when
     * it cannot, leaving no device behind.
     */
    public static TapDevice open(NicSettings settings) throws IOException {
        String name = settings.tap();
        String bridge = settings.bridge();
        checkName("TAP device", name);
        checkName("bridge", bridge);
        int fd;
        try {
            fd = TapCalls.createTap(name);
        } catch (CallFailed e) {
            throw cannotCreate(name, e.errno);
        }
        try {
            try {
                TapCalls.addToBridge(bridge, name);
            } catch (CallFailed e) {
                throw cannotJoin(name, bridge, e.errno);
            }
            quietIpv6(name);
            return new TapDevice(name, bridge, fd, TapCalls.eventFd());
        } catch (IOException | RuntimeException e) {
            TapCalls.close(fd); // the device goes with its descriptor
            throw e;
        }
    }

    /**
     * The host's own IPv6 chatter on the device (router solicitations, MLD reports) would reach the
     * guest as frames to log and drop; the guest speaks IPv4 only. Without IPv6 in the kernel the
     * file is absent, and there is no chatter to stop.
     */
    private static void quietIpv6(String name) {
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6"), "1");
        } catch (IOException e) {
            // no IPv6 here
        }
    }

    /** Refuses a name Linux would refuse, before any device exists. */
    static void checkName(String what, String name) throws IOException {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > NicSettings.MAX_INTERFACE_NAME) {
            throw new IOException(what + " name " + name + " is " + length + " bytes long; Linux allows at most "
                    + NicSettings.MAX_INTERFACE_NAME);
        }
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.chars().anyMatch(
                c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw new IOException(what + " name '" + name + "' is not a valid interface name"
                    + " (empty, '.', '..', or with '/', ':' or white space)");
        }
    }

    static IOException cannotCreate(String name, int errno) {
        String opening = "opening TAP device " + name;
        return new IOException(switch (errno) {
            case TapCalls.EPERM, TapCalls.EACCES -> needsCapability(name);
            case TapCalls.ENOENT -> opening + ": /dev/net/tun does not exist on this machine"
                    + " (load the tun module: modprobe tun)";
            case TapCalls.EBUSY -> opening + ": the name is already in use on this machine"
                    + " (by another site, or a leftover: ip link show " + name + ")";
            default -> opening + " failed: errno " + errno;
        });
    }

    static IOException cannotJoin(String name, String bridge, int errno) {
        return new IOException(switch (errno) {
            case TapCalls.EPERM, TapCalls.EACCES -> needsCapability(name);
            case TapCalls.ENODEV -> "bridge " + bridge + " does not exist on this machine";
            case TapCalls.EOPNOTSUPP, TapCalls.EINVAL -> bridge + " is not a bridge (ip -d link show " + bridge + ")";
            default -> "adding TAP device " + name + " to bridge " + bridge + " failed: errno " + errno;
        });
    }

    private static String needsCapability(String name) {
        return "opening TAP device " + name + " needs CAP_NET_ADMIN: run the site as root, or use network mode socket";
    }

    /**
     * The next frame the bridge forwarded to the device, waiting at most {@code timeout}; null if
     * none came, or at once when the device closes. Frames read while down are discarded.
     */
    @Override
    public byte[] receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        synchronized (receiving) { // one receive buffer
            Lock lock = inUse.readLock();
            lock.lock();
            try {
                while (!closed.get()) {
                    long left = deadline - System.nanoTime();
                    int waitMillis = (int) Math.min(Integer.MAX_VALUE, (Math.max(0, left) + 999_999) / 1_000_000);
                    int ready = TapCalls.poll(receiveState, pollEntries, waitMillis);
                    if (ready < 0 && Libc.errno(receiveState) != TapCalls.EINTR) {
                        throw failed("poll", Libc.errno(receiveState));
                    }
                    if (ready > 0 && TapCalls.returnedEvents(pollEntries, WAKE_ENTRY) != 0) {
                        return null; // closing
                    }
                    if (ready > 0 && TapCalls.returnedEvents(pollEntries, TAP_ENTRY) != 0) {
                        byte[] frame = readFrame();
                        if (frame != null) {
                            return frame;
                        }
                    }
                    if (deadline - System.nanoTime() <= 0) {
                        return null;
                    }
                }
                return null;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Reads the frame {@code poll} announced: null if it is gone or discarded because the link is down. */
    private byte[] readFrame() throws IOException {
        long length = TapCalls.read(receiveState, fd, receiveBuffer);
        if (length < 0) {
            int errno = Libc.errno(receiveState);
            if (errno == TapCalls.EAGAIN || errno == TapCalls.EINTR) {
                return null;
            }
            throw failed("read", errno);
        }
        if (!up) {
            droppedIn.incrementAndGet();
            return null;
        }
        framesIn.incrementAndGet();
        bytesIn.addAndGet(length);
        return receiveBuffer.asSlice(0, length).toArray(JAVA_BYTE);
    }

    /** Writes one frame to the device; drops it (and counts) while down, closed, or when the kernel cannot take it now. */
    @Override
    public void send(byte[] frame) throws IOException {
        Lock lock = inUse.readLock();
        if (!up || !lock.tryLock()) { // a held write lock means closing
            droppedOut.incrementAndGet();
            return;
        }
        try {
            if (closed.get() || frame.length > sendBuffer.byteSize()) {
                droppedOut.incrementAndGet();
                return;
            }
            long written;
            int errno;
            synchronized (sending) { // one send buffer
                MemorySegment.copy(frame, 0, sendBuffer, JAVA_BYTE, 0, frame.length);
                written = TapCalls.write(sendState, fd, sendBuffer.asSlice(0, frame.length));
                errno = written < 0 ? Libc.errno(sendState) : 0;
            }
            if (written >= 0) {
                framesOut.incrementAndGet();
                bytesOut.addAndGet(written);
                return;
            }
            switch (errno) {
                // full, out of buffers, a frame it refuses (too short), or the link went down meanwhile
                case TapCalls.EAGAIN, TapCalls.ENOBUFS, TapCalls.EINVAL, TapCalls.EIO -> droppedOut.incrementAndGet();
                default -> throw failed("write", errno);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sets the interface up or down ({@code ip link set NAME up/down}); while down nothing passes. */
    @Override
    public synchronized void up(boolean up) throws IOException {
        Lock lock = inUse.readLock();
        lock.lock();
        try {
            if (closed.get()) {
                throw new IOException("TAP device " + name + " is closed");
            }
            if (!up) {
                this.up = false; // stop passing frames before the interface goes down
            }
            try {
                TapCalls.setUp(name, up);
            } catch (CallFailed e) {
                throw failed(up ? "bringing it up" : "bringing it down", e.errno);
            }
            this.up = up;
        } finally {
            lock.unlock();
        }
    }

    private IOException failed(String what, int errno) {
        if (errno == TapCalls.ENODEV || errno == TapCalls.EBADFD) {
            return new IOException("TAP device " + name + " no longer exists (deleted from outside the site?)");
        }
        return new IOException("TAP device " + name + " on bridge " + bridge + ": " + what + " failed: errno " + errno);
    }

    /** Frames and bytes in and out, and dropped frames, so far. */
    public Counters counters() {
        return new Counters(framesIn.get(), bytesIn.get(), framesOut.get(), bytesOut.get(), droppedIn.get(),
                droppedOut.get());
    }

    /** The device's interface name. */
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return "tap " + name + " on " + bridge;
    }

    /** Wakes a waiting {@link #receive}, then closes the descriptor, which removes the device. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        up = false;
        TapCalls.signal(wakeFd);
        Lock lock = inUse.writeLock();
        lock.lock();
        try {
            TapCalls.close(fd);
            TapCalls.close(wakeFd);
            memory.close();
        } finally {
            lock.unlock();
        }
    }
}
