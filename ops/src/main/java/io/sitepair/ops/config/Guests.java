package io.sitepair.ops.config;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.vm.GuestModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A guest by the name a command line ({@code --guest}) or a pair's configuration ({@code guest:}) gives it. */
public final class Guests {
    private Guests() {}

    /** A shipped guest by name, or a {@code .wasm} module by path. */
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
}
