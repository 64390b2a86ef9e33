package io.sitepair.ops;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.VmOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the commands that run a guest. */
public final class GuestOptions {
    @Option(names = "--guest", required = true, paramLabel = "NAME|FILE.wasm",
            description = "A shipped guest (${sys:sitepair.guests}) or a path to a .wasm module.")
    String guest;

    @Option(names = "--disk", required = true, paramLabel = "FILE",
            description = "A disk image; repeat for several disks (disk 0, 1, ...).")
    List<Path> disks;

    @Option(names = "--interpreter", description = "Run the guest in Chicory's interpreter instead of compiled.")
    boolean interpreter;

    @Option(names = "--quiet-guest", description = "Do not print the guest's console lines.")
    boolean quietGuest;

    static {
        System.setProperty("sitepair.guests", String.join(", ", ShippedGuest.NAMES));
    }

    GuestModule module() throws IOException {
        return load(guest);
    }

    public static GuestModule load(String guest) throws IOException {
        if (guest.endsWith(".wasm") || guest.contains("/")) {
            Path path = Path.of(guest);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("--guest " + guest + ": no such file");
            }
            return GuestModule.of(guest, Files.readAllBytes(path));
        }
        if (!ShippedGuest.exists(guest)) {
            throw new IllegalArgumentException("--guest " + guest + ": no shipped guest of that name (shipped: "
                    + ShippedGuest.NAMES + "; or give a path to a .wasm file)");
        }
        return GuestModule.of(guest, ShippedGuest.load(guest));
    }

    VmOptions vmOptions() {
        VmOptions options = VmOptions.defaults()
                .withEngine(interpreter ? VmOptions.Engine.INTERPRETED : VmOptions.Engine.COMPILED);
        return quietGuest ? options.withConsole((mode, line) -> {}) : options;
    }
}
