package io.sitepair.ops.config;

import io.sitepair.ops.config.ConfigReport.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * No two addresses the pair listens on may be one: the sites' channels, services and admin endpoints and the
 * quorum peers' ports. Two sites, or a site and the witness, may share a host (a lab, a small deployment), so
 * every listening address is compared with every other, by IP where both resolve (localhost is 127.0.0.1).
 */
final class PortClashes {
    private PortClashes() {}

    /** Reports each listening address that repeats an earlier one, at the later one. */
    static void check(ConfigReport report) {
        List<Endpoint> seen = new ArrayList<>();
        for (Endpoint e : report.endpoints()) {
            if (!e.listens()) {
                continue;
            }
            Endpoint first = seen.stream().filter(s -> same(s.address(), e.address())).findFirst().orElse(null);
            if (first == null) {
                seen.add(e);
            } else {
                report.error(e.line(), e.keyPath(), "the same address as " + first.keyPath() + " (line " + first.line()
                        + "): on one host each needs a port of its own");
            }
        }
    }

    private static boolean same(InetSocketAddress x, InetSocketAddress y) {
        return x.getPort() == y.getPort() && sameHost(x, y);
    }

    /** Whether two addresses are on one host: by IP where both resolve, else by the names written. */
    static boolean sameHost(InetSocketAddress x, InetSocketAddress y) {
        return x.isUnresolved() || y.isUnresolved() ? x.getHostString().equalsIgnoreCase(y.getHostString())
                : x.getAddress().equals(y.getAddress());
    }
}
