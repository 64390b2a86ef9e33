package io.sitepair.replicator.kv;

import io.sitepair.disk.DiskImage;
import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.log.LogHeader;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogWriter;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.OutputSink;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.replicator.vm.VmOptions;
import io.sitepair.replicator.vm.VmThread;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kv guest booted LIVE on a disk image, driven event by event the way the host would: a test
 * clock, timers fired by the test, outputs captured per connection. Every call runs on a VM thread.
 */
final class KvServer implements AutoCloseable {
    static final long START_NANOS = 1_700_000_000_000L * 1_000_000L;
    private static GuestModule module;

    final Path image;
    final AtomicLong clock;
    final List<String> console = Collections.synchronizedList(new ArrayList<>());
    private final Map<Integer, ByteArrayOutputStream> out = new HashMap<>();
    private final Set<Integer> hungUp = new HashSet<>();
    private final DiskImage disk;
    private final GuestVm vm;
    private final LogWriter log;
    private final long memoryCap;
    private int defaultConn;

    static synchronized GuestModule module() {
        if (module == null) {
            module = GuestModule.of("kv", ShippedGuest.load("kv"));
        }
        return module;
    }

    static VmOptions options(List<String> console) {
        return options(console, VmOptions.DEFAULT_MAX_MEMORY);
    }

    static VmOptions options(List<String> console, long memoryCap) {
        return new VmOptions(VmOptions.Engine.COMPILED, memoryCap, (mode, line) -> console.add(line));
    }

    private KvServer(Path image, long sizeBytes, AtomicLong clock, Path recordTo, boolean loggedReads, long memoryCap)
            throws Exception {
        this.image = image;
        this.clock = clock;
        this.memoryCap = memoryCap;
        this.disk = DiskImage.openOrCreate(image, sizeBytes);
        RealInputs inputs = new RealInputs(clock::get, new SplittableRandom(1));
        this.log = recordTo == null ? null : LogWriter.create(recordTo, new LogHeader(module().hash(),
                OfflineRun.CPU_ARCH, List.of(disk.blockCount()), loggedReads, 1), clock::get);
        this.vm = onVm(() -> {
            GuestVm v = GuestVm.create(module(), options(console, memoryCap), List.of(disk));
            if (log == null) {
                v.startLive(inputs, sink());
            } else {
                v.startRecording(inputs, sink(), log, loggedReads);
            }
            v.deliver(new LogRecord.Init());
            return v;
        });
    }

    /** Boots LIVE on {@code image} (created zero-filled with {@code sizeBytes} if missing). */
    static KvServer boot(Path image, long sizeBytes) throws Exception {
        return boot(image, sizeBytes, VmOptions.DEFAULT_MAX_MEMORY);
    }

    /** Boots LIVE with the host capping guest memory at {@code memoryCap} bytes. */
    static KvServer boot(Path image, long sizeBytes, long memoryCap) throws Exception {
        return new KvServer(image, sizeBytes, new AtomicLong(START_NANOS), null, false, memoryCap);
    }

    /** Boots in RECORD mode, logging to {@code log}. */
    static KvServer record(Path image, long sizeBytes, Path log, boolean loggedReads) throws Exception {
        return new KvServer(image, sizeBytes, new AtomicLong(START_NANOS), log, loggedReads,
                VmOptions.DEFAULT_MAX_MEMORY);
    }

    /** Shuts this VM down and boots a fresh one on the same disk image, clock carried on. */
    KvServer restart() throws Exception {
        return restart(memoryCap);
    }

    KvServer restart(long newMemoryCap) throws Exception {
        close();
        return new KvServer(image, 0, clock, null, false, newMemoryCap);
    }

    OutputSink sink() {
        return new OutputSink() {
            @Override
            public void send(long position, int conn, byte[] data) {
                out.computeIfAbsent(conn, c -> new ByteArrayOutputStream()).writeBytes(data);
            }

            @Override
            public void close(long position, int conn) {
                hungUp.add(conn);
            }
        };
    }

    static <T> T onVm(Callable<T> body) throws Exception {
        return Thread.currentThread() instanceof VmThread ? body.call() : VmThread.call("kv-test", body);
    }

    GuestVm vm() {
        return vm;
    }

    int open() throws Exception {
        return onVm(() -> {
            int conn = vm.hostState().nextConnectionId();
            vm.deliver(new LogRecord.Opened(conn));
            return conn;
        });
    }

    /** Delivers bytes as one data event per {@code maxDataEvent} slice. */
    void send(int conn, byte[] data) throws Exception {
        onVm(() -> {
            int max = vm.maxDataEvent();
            for (int at = 0; at < data.length; at += max) {
                byte[] part = java.util.Arrays.copyOfRange(data, at, Math.min(data.length, at + max));
                vm.deliver(new LogRecord.Data(conn, part));
            }
            return null;
        });
    }

    void hangUp(int conn) throws Exception {
        onVm(() -> {
            vm.deliver(new LogRecord.Closed(conn));
            return null;
        });
    }

    /** Everything the guest sent to {@code conn} since the last take. */
    byte[] take(int conn) {
        ByteArrayOutputStream b = out.remove(conn);
        return b == null ? new byte[0] : b.toByteArray();
    }

    boolean closedByServer(int conn) {
        return hungUp.contains(conn);
    }

    boolean isOpen(int conn) {
        return vm.hostState().isOpen(conn);
    }

    /** Sends one request on the default connection and returns the raw reply. */
    String cmd(String... args) throws Exception {
        if (defaultConn == 0 || !isOpen(defaultConn)) {
            defaultConn = open();
        }
        return call(defaultConn, args);
    }

    String call(int conn, String... args) throws Exception {
        send(conn, Resp.command(args));
        return Resp.text(take(conn));
    }

    byte[] callBytes(int conn, byte[]... args) throws Exception {
        send(conn, Resp.command(args));
        return take(conn);
    }

    /** One INFO field's value (any section). */
    String info(String field) throws Exception {
        String body = Resp.bulkText(cmd("INFO", "everything"));
        for (String line : body.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError("INFO has no field " + field + ":\n" + body);
    }

    long infoLong(String field) throws Exception {
        return Long.parseLong(info(field));
    }

    /** Moves the clock on and delivers every timer that came due, in deadline order. */
    void advanceMillis(long ms) throws Exception {
        clock.addAndGet(ms * 1_000_000L);
        fireDueTimers();
    }

    int fireDueTimers() throws Exception {
        return onVm(() -> {
            int fired = 0;
            for (Optional<Long> t; (t = vm.hostState().dueTimer(clock.get())).isPresent(); fired++) {
                vm.deliver(new LogRecord.TimerFired(t.get()));
            }
            return fired;
        });
    }

    GuestVm.Status status() {
        return vm.status();
    }

    String consoleText() {
        synchronized (console) {
            return String.join("\n", console);
        }
    }

    @Override
    public void close() throws Exception {
        if (log != null) {
            log.close();
        }
        disk.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
