package io.sitepair.ops.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the labs that build networks on this machine share: running {@code ip} and
 * {@code iptables}, deleting what a crashed run left, and a lock file for a lab whose interface
 * names are fixed (one such lab per machine).
 */
public final class HostNetwork {
    private static final Path LOCKS = Path.of(Files.isDirectory(Path.of("/run/lock")) ? "/run/lock"
            : System.getProperty("java.io.tmpdir"));

    private HostNetwork() {}

    /** Another run holds a lab's names on this machine. */
    public static final class Busy extends IOException {
        Busy(String message) {
            super(message);
        }
    }

    /** A lab's hold on its names, for its life; released on close or when the process ends. */
    public static final class Claim implements AutoCloseable {
        private final FileChannel file;
        private final FileLock lock;

        private Claim(FileChannel file, FileLock lock) {
            this.file = file;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                file.close();
            } catch (IOException e) {
                // the lock goes with the process anyway
            }
        }
    }

    /** The lock file that guards the lab {@code lab}'s names. */
    public static Path lockFile(String lab) {
        return LOCKS.resolve("sitepair-" + lab + ".lock");
    }

    /** Claims the lab {@code lab}'s names; throws {@link Busy} with {@code busyMessage} while another run (in any process) holds them. */
    public static Claim claim(String lab, String busyMessage) throws IOException {
        FileChannel file = FileChannel.open(lockFile(lab), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = file.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held in this very process
        }
        if (lock == null) {
            file.close();
            throw new Busy(busyMessage);
        }
        return new Claim(file, lock);
    }

    /** Whether this process runs as root. */
    public static boolean root() {
        return "0".equals(quietOutput("id", "-u"));
    }

    /** Null when {@code ip} and {@code iptables} run here; else a sentence: what {@code who} needs and where it comes from. */
    public static String missingTool(String who) {
        for (List<String> probe : List.of(List.of("ip", "-V"), List.of("iptables", "--version"))) {
            if (quietOutput(probe.toArray(String[]::new)) == null) {
                return who + " needs `" + probe.getFirst() + "` (Debian: apt-get install iproute2 iptables)";
            }
        }
        return null;
    }

    /** Deletes each named interface that exists (a veth takes its peer with it). */
    public static void deleteLinks(List<String> names) throws IOException, InterruptedException {
        for (String name : names) {
            if (quietOutput("ip", "link", "show", name) != null) {
                run("ip", "link", "del", name);
            }
        }
    }

    /** Deletes every network namespace whose name starts with {@code prefix}. */
    public static void deleteNamespaces(String prefix) throws IOException, InterruptedException {
        for (String line : output("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0].trim();
            if (name.startsWith(prefix)) {
                run("ip", "netns", "del", name);
            }
        }
    }

    public static void run(String... command) throws IOException, InterruptedException {
        output(command);
    }

    /** Runs a command to its end; a failure throws with what it printed. */
    public static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end within 30 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + text.trim());
        }
        return text;
    }

    /** What the command printed if it ran and succeeded, else null. */
    public static String quietOutput(String... command) {
        try {
            return output(command).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
