package io.sitepair.ops.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/**
 * Value syntax of the configuration file beyond {@link Units}: hosts, addresses, and how a value is quoted in
 * an error. Errors are an IllegalArgumentException whose message quotes the value; the caller adds file, line
 * and key path.
 */
public final class Scalars {
    /** A DNS label; '_' too, as /etc/hosts and container networks allow it. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
    private static final Pattern NUMBERS_AND_DOTS = Pattern.compile("[0-9.]+");

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
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (bracketed) {
            host = host.substring(1, host.length() - 1);
        }
        int p = port.matches("\\d{1,5}") ? Integer.parseInt(port) : 0;
        // An IPv6 literal without brackets is refused: which colon ends the host?
        if (host.isEmpty() || (host.contains(":") != bracketed) || p < 1 || p > 65535) {
            throw new IllegalArgumentException(quote(value) + " is not HOST:PORT (port must be 1-65535)");
        }
        return new InetSocketAddress(host(host, value), p);
    }

    /** A TCP or UDP port, 1-65535. */
    static int port(String v) {
        try {
            int port = Integer.parseInt(v);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(quote(v) + " is not a port (1-65535)");
    }

    /**
     * A host as an operator writes it: an IPv4 or IPv6 literal (without brackets) or a host name. Nothing is
     * looked up: the machine checking may not resolve the names the sites use.
     *
     * @throws IllegalArgumentException naming the value, if it is neither
     */
    public static String host(String host) {
        return host(host, host);
    }

    private static String host(String host, String value) {
        if (isIpLiteral(host) || isHostName(host)) {
            return host;
        }
        String what = host.equals(value) ? quote(host) : quote(value) + ": " + quote(host);
        throw new IllegalArgumentException(what + " is neither an IP address nor a host name (letters, digits and '-'"
                + " in dot-separated labels)");
    }

    private static boolean isIpLiteral(String host) {
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException notALiteral) {
            return false;
        }
    }

    private static boolean isHostName(String host) {
        if (host.length() > 253 || NUMBERS_AND_DOTS.matcher(host).matches()) {
            return false; // 300.1.2.3 is a mistyped address, not a name
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    static String quote(String value) {
        return "\"" + value + "\"";
    }
}
