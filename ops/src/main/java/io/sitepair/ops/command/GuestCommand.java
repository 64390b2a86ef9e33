package io.sitepair.ops.command;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.UnitConverters;
import io.sitepair.ops.lab.Progress;
import io.sitepair.replicator.service.ClientNetwork;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.OfflineRun;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair guest run|replay}: one guest on this machine, no peer. */
@Command(name = "guest", description = "Run or replay a guest on this machine, without a peer site.",
        subcommands = {GuestCommand.Run.class, GuestCommand.Replay.class})
final class GuestCommand {

    /** {@code --snapshot-at N --snapshot FILE}, both or neither. */
    static final class SnapshotArgs {
        @Option(names = "--snapshot-at", required = true, paramLabel = "EVENTS",
                description = "Take a snapshot once this many events have been delivered.")
        long afterEvents;

        @Option(names = "--snapshot", required = true, paramLabel = "FILE", description = "Where to write it.")
        Path file;

        OfflineRun.SnapshotRequest request() {
            return new OfflineRun.SnapshotRequest(afterEvents, file);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Boot a guest and drive it with a seeded synthetic workload, or with --listen serve real"
                    + " clients until stopped (SIGINT/SIGTERM). LIVE, or RECORD with --record. Prints 'state <hex>'"
                    + " at the end.")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        GuestOptions guest;

        @Option(names = "--events", defaultValue = "100000", description = "Events to deliver, init included (default ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--seed", defaultValue = "1", description = "Workload seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--record", paramLabel = "FILE", description = "Record every input and output to this log.")
        Path record;

        @Option(names = "--logged-reads", description = "Carry disk-read data in the log (default: a checksum only).")
        boolean loggedReads;

        @Option(names = "--disk-size", defaultValue = "64M", converter = UnitConverters.Bytes.class, paramLabel = "SIZE",
                description = "Size of disk images that do not exist yet (default ${DEFAULT-VALUE}).")
        long diskSize;

        @ArgGroup(exclusive = false)
        SnapshotArgs snapshot;

        @Option(names = "--listen", paramLabel = "HOST:PORT", converter = Addresses.class,
                description = "Serve clients on this address instead of the synthetic workload (port 0: any free port).")
        java.net.InetSocketAddress listen;

        @Option(names = "--block-map", paramLabel = "DIR", description = "Stamp every block the guest writes in a"
                + " RocksDB block map in DIR, as a site of a pair does (to measure what that costs).")
        Path blockMap;

        @Override
        public Integer call() throws Exception {
            if (listen != null) {
                if (snapshot != null || loggedReads) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--listen does not take --snapshot-at/--snapshot or --logged-reads yet");
                }
                return serve();
            }
            if (events < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--events must be at least 1");
            }
            if (loggedReads && record == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--logged-reads needs --record");
            }
            GuestModule module = guest.module();
            OfflineRun.Outcome outcome = new OfflineRun(module, guest.vmOptions())
                    .withProgress(new Progress(record == null ? "run" : "record", events, System.err))
                    .synthetic(guest.disks, diskSize, new OfflineRun.Workload(seed, events, record, loggedReads),
                            snapshot == null ? null : snapshot.request());
            var out = spec.commandLine().getOut();
            out.printf("events %d, outputs %d (%d bytes), %.0f events/s%n", outcome.events(), outcome.outputs(),
                    outcome.outputBytes(), outcome.events() / (outcome.elapsedNanos() / 1e9));
            if (record != null) {
                out.printf("log %s: %d entries%n", record, outcome.lastPosition());
            }
            printSnapshot(out, outcome);
            out.println("state " + HexFormat.of().formatHex(outcome.stateHash()));
            out.flush();
            return 0;
        }

        /** Serves until SIGINT/SIGTERM (or the VM halts), then prints the final state. */
        private int serve() throws Exception {
            if (blockMap == null) {
                return serve(guest.vmOptions());
            }
            try (io.sitepair.disk.BlockMap map = io.sitepair.disk.BlockMap.open(blockMap, 1)) {
                return serve(guest.vmOptions().withWriteStamps(map.tracker(() -> 1)));
            }
        }

        private int serve(io.sitepair.replicator.vm.VmOptions options) throws Exception {
            ServedRun run = ServedRun.start(guest.module(), options, guest.disks, diskSize, new ClientNetwork.Socket(listen), record);
            var out = spec.commandLine().getOut();
            InetSocketAddress at = run.address();
            out.printf("serving %s on %s:%d (%s, %s)%s; stop with Ctrl-C%n", guest.guest, at.getHostString(), at.getPort(),
                    run.usesEpoll() ? "epoll" : "nio", record == null ? "LIVE" : "RECORD", record == null ? "" : " to " + record);
            out.flush();
            // SIGINT/SIGTERM stop the run; the main thread reports, and the hook waits for that so
            // the JVM does not exit before the final state is printed.
            CountDownLatch reported = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                try {
                    run.stop();
                    reported.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("sitepair: stopping failed: " + e.getMessage());
                }
            }, "sitepair-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                report(out, run.await()); // after a signal's stop, or throws if the VM halted
                return 0;
            } finally {
                reported.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is what stopped us
                }
            }
        }

        private void report(java.io.PrintWriter out, ServedRun.Result result) {
            out.printf("events %d, outputs %d (%d bytes)%n", result.events(), result.outputs(), result.outputBytes());
            var f = result.flushes();
            out.printf("disk flushes: %d requests in %d fsync rounds (%.1f per round, %.2f ms per round)%n",
                    f.requests(), f.rounds(), f.requestsPerRound(), f.millisPerRound());
            if (record != null) {
                out.printf("log %s: %d entries%n", record, result.lastPosition());
            }
            out.println("state " + HexFormat.of().formatHex(result.stateHash()));
            out.flush();
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Replay a recorded log on local disk images and print 'state <hex>'. A missing image is"
                    + " created with the log's geometry.")
    static final class Replay implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        GuestOptions guest;

        @Option(names = "--log", required = true, paramLabel = "FILE", description = "The log to replay.")
        Path log;

        @Option(names = "--from-snapshot", paramLabel = "FILE",
                description = "Start from this snapshot (its disk contents are written to --disk) instead of booting.")
        Path fromSnapshot;

        @ArgGroup(exclusive = false)
        SnapshotArgs snapshot;

        @Override
        public Integer call() throws Exception {
            GuestModule module = guest.module();
            OfflineRun.Outcome outcome = new OfflineRun(module, guest.vmOptions())
                    .withProgress(new Progress("replay", 0, System.err))
                    .replay(guest.disks, log, fromSnapshot, snapshot == null ? null : snapshot.request());
            var out = spec.commandLine().getOut();
            out.printf("replayed %d events, up to log position %d%n", outcome.events(), outcome.lastPosition());
            printSnapshot(out, outcome);
            if (outcome.truncation() != null) {
                out.flush();
                var err = spec.commandLine().getErr();
                err.println("sitepair guest replay: error: " + outcome.truncation().getMessage()
                        + "; replayed " + outcome.events() + " complete events, up to position " + outcome.lastPosition());
                err.flush();
                return Main.EXIT_DAMAGED;
            }
            out.println("state " + HexFormat.of().formatHex(outcome.stateHash()));
            out.flush();
            return 0;
        }
    }

    private static void printSnapshot(java.io.PrintWriter out, OfflineRun.Outcome outcome) {
        if (outcome.snapshot() != null) {
            out.printf("snapshot at %d events, log position %d%n", outcome.snapshot().eventsDelivered(),
                    outcome.snapshot().position());
        }
    }
}
