package io.sitepair.guests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The guests built from {@code native/} and shipped inside this jar, by name. */
public final class ShippedGuest {
    /** Guests an operator may run; test guests are loadable but not listed. */
    public static final List<String> NAMES = List.of("stress", "kv");

    private ShippedGuest() {}

    /** True if {@code name} names a guest in this jar (operator or test guest). */
    public static boolean exists(String name) {
        return ShippedGuest.class.getResource(resource(name)) != null;
    }

    /** The module bytes of a shipped guest. */
    public static byte[] load(String name) {
        try (InputStream in = ShippedGuest.class.getResourceAsStream(resource(name))) {
            if (in == null) {
                throw new IllegalArgumentException("no shipped guest named '" + name + "' (shipped: " + NAMES + ")");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading shipped guest " + name, e);
        }
    }

    private static String resource(String name) {
        if (!name.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("not a guest name: '" + name + "'");
        }
        return name + ".wasm";
    }
}
