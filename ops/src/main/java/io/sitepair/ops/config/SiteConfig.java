package io.sitepair.ops.config;

import io.sitepair.replicator.nic.NicSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One site of the pair. Addresses may be unresolved (a host name that did not resolve when the file was read);
 * users resolve them when they bind or connect.
 *
 * @param name the site's key in the file, such as {@code a}
 * @param channel the logging channel this site listens on (TCP; UDP heartbeats on the same port)
 * @param service the client service address, served only while this site is primary; in network mode nic the
 *        guest's own address and port, the same at both sites
 * @param admin the HTTP status endpoint
 * @param dataDir this site's data directory, absolute
 * @param engine {@code compiled} or {@code interpreter}
 * @param peerChannel how this site reaches its peer's logging channel, when not at the peer's
 *        {@code channel} address (a WAN emulator or a NAT in between); null: the peer's address
 * @param nic in network mode nic, this site's TAP, its bridge and the guest's identity; null in mode socket
 */
public record SiteConfig(String name, InetSocketAddress channel, InetSocketAddress service, InetSocketAddress admin,
        Path dataDir, String engine, InetSocketAddress peerChannel, NicSettings nic) {

    public static final String COMPILED = "compiled";
    public static final String INTERPRETER = "interpreter";

    public SiteConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(dataDir, "dataDir");
        if (!COMPILED.equals(engine) && !INTERPRETER.equals(engine)) {
            throw new IllegalArgumentException("engine must be compiled or interpreter, not " + engine);
        }
        if (nic != null && !service.equals(NetworkConfig.serviceOf(nic.identity()))) {
            throw new IllegalArgumentException("in network mode nic the service address is the guest's, "
                    + nic.identity() + ", not " + service);
        }
    }

    /** A site in network mode socket. */
    public SiteConfig(String name, InetSocketAddress channel, InetSocketAddress service, InetSocketAddress admin,
            Path dataDir, String engine, InetSocketAddress peerChannel) {
        this(name, channel, service, admin, dataDir, engine, peerChannel, null);
    }
}
