package io.sitepair.ops.config;

import java.net.InetSocketAddress;
import picocli.CommandLine;

/**
 * {@code host:port} on the command line (IPv6 as {@code [::1]:port}; port 0 means any free port),
 * and how any address is written back. The configuration file's stricter addresses are
 * {@link Scalars#address}.
 */
public final class Addresses implements CommandLine.ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    public static InetSocketAddress parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("'" + value + "' is not HOST:PORT (example: 127.0.0.1:6379)");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "': port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + value + "': port outside 0-65535");
        }
        return new InetSocketAddress(host, port);
    }

    /** Written back as the operator would: {@code 127.0.0.1:7401}, {@code [::1]:7401}. */
    public static String format(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * {@code host:port} as sites have always written it, an IPv6 host without brackets: in their log
     * lines, admin URLs and the endpoint of the pair's epoch record, which clients read.
     */
    public static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
