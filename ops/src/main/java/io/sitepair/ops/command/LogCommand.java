package io.sitepair.ops.command;

import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogHeader;
import io.sitepair.replicator.log.LogReader;
import io.sitepair.replicator.log.LogTruncatedException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sitepair log dump}: a log, readably. */
@Command(name = "log", description = "Inspect replay logs.", subcommands = LogCommand.Dump.class)
final class LogCommand {

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print a log's header and entries, one per line: position, primary time, record.")
    static final class Dump implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The log file.")
        Path file;

        @Option(names = "--from", defaultValue = "0", paramLabel = "POSITION", description = "First position to print.")
        long from;

        @Option(names = "--limit", defaultValue = "-1", paramLabel = "N", description = "Print at most N entries.")
        long limit;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + ": no such file");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (LogReader reader = LogReader.open(file)) {
                LogHeader h = reader.header();
                out.printf("log %s: format %d, guest %s, arch %s, disks %s (blocks of %d), %s, first position %d%n",
                        file, LogHeader.FORMAT_VERSION, h.guestHashHex(), h.cpuArch(), h.diskBlocks(),
                        LogHeader.BLOCK_SIZE, h.loggedReads() ? "logged reads" : "checksummed reads", h.firstPosition());
                long printed = 0;
                long entries = 0;
                try {
                    for (LogEntry e = reader.next(); e != null; e = reader.next()) {
                        entries++;
                        if (e.position() >= from && (limit < 0 || printed < limit)) {
                            out.printf("%10d  %s  %s%n", e.position(), Instant.ofEpochSecond(0, e.timestampNanos()),
                                    e.record().describe());
                            printed++;
                        }
                    }
                } catch (LogTruncatedException t) {
                    out.printf("end: %d entries, then a torn tail: %s%n", entries, t.getMessage());
                    out.flush();
                    return Main.EXIT_DAMAGED;
                }
                out.printf("end: %d entries, last position %d, %d bytes%n", entries, reader.lastPosition(), reader.offset());
            }
            out.flush();
            return 0;
        }
    }
}
