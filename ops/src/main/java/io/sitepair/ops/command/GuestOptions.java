package io.sitepair.ops.command;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.ops.config.Guests;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.VmOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the commands that run a guest. */
final class GuestOptions {
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
        return Guests.load(guest);
    }

    VmOptions vmOptions() {
        VmOptions options = VmOptions.defaults()
                .withEngine(interpreter ? VmOptions.Engine.INTERPRETED : VmOptions.Engine.COMPILED);
        return quietGuest ? options.withConsole((mode, line) -> {}) : options;
    }
}
