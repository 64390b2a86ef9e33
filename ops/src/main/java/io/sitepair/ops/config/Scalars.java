package io.sitepair.ops.config;

import java.net.InetSocketAddress;

/**
 * Value syntax of the configuration file beyond {@link Units}: addresses, and how a value is quoted in
 * an error. Errors are an IllegalArgumentException whose message quotes the value; the caller adds
 * file, line and key path.
 */
public final class Scalars {
    private Scalars() {}

    /**
     * {@code HOST:PORT}, IPv6 as {@code [::1]:PORT}. Port 0 is refused (a peer must know where to connect).
     * IP literals resolve at once; a host name is looked up and may stay unresolved.
     */
    static InetSocketAddress address(String value) {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        String host = colon > 0 ? v.substring(0, colon) : "";
        String port = colon > 0 ? v.substring(colon + 1) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = ""; // an IPv6 literal without brackets: which colon ends the host?
        }
        int p = port.matches("\\d{1,5}") ? Integer.parseInt(port) : 0;
        if (host.isEmpty() || host.contains("[") || host.contains("]") || p < 1 || p > 65535) {
            throw new IllegalArgumentException(quote(value) + " is not HOST:PORT (port must be 1-65535)");
        }
        return new InetSocketAddress(host, p);
    }

    static String quote(String value) {
        return "\"" + value + "\"";
    }
}
