package io.sitepair.replicator.pair;

import io.sitepair.replicator.channel.PairIdentity;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.service.ClientNetwork;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.VmOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything one site needs to run its half of a pair, as the configuration file gives it.
 *
 * @param channel      where this site listens for the logging channel (TCP) and heartbeats (UDP)
 * @param peerChannel  how this site reaches its peer's logging channel (a WAN emulator may sit between)
 * @param peerHeartbeat where the peer's heartbeats are sent (UDP)
 * @param network      how the guest meets its clients when this site serves (a socket, or a virtual NIC)
 * @param bufferBytes  bound on the log held for the backup (primary) or waiting for replay (backup)
 * @param goLiveHook   shell command run once this site, as a backup, has gone live; null: none
 * @param dataDir      where the site keeps its lineage and block map (beside its disks)
 * @param epochStart   the log position the current epoch began at
 * @param epochPrimary the site live in the current epoch
 * @param resync       how a returning peer is resynced (rate limit, manual start)
 * @param meters       where the site records what its metrics count and time
 */
public record SiteSettings(PairIdentity identity, long epoch, GuestModule module, VmOptions vmOptions,
                           List<Path> disks, long diskBytes, InetSocketAddress channel, InetSocketAddress peerChannel,
                           InetSocketAddress peerHeartbeat, ClientNetwork network, long bufferBytes,
                           Duration lagTarget, Duration heartbeatInterval, Duration suspectAfter,
                           Duration stateCheckInterval, String goLiveHook, Path dataDir, long epochStart,
                           String epochPrimary, io.sitepair.replicator.resync.ResyncPolicy resync,
                           SiteMeters meters) {
    public SiteSettings {
        disks = List.copyOf(disks);
        // One place decides it: the VM has a NIC exactly when the site serves on one (replay included).
        vmOptions = vmOptions.withNic(network instanceof ClientNetwork.Nic);
    }

    /** The address clients connect to. */
    public InetSocketAddress service() {
        return switch (network) {
            case ClientNetwork.Socket socket -> socket.listen();
            case ClientNetwork.Nic nic -> nic.service();
        };
    }

    public String site() {
        return identity.site();
    }

    /** The logging channel's keepalive and failure timeout: the heartbeat interval and {@code suspect-after}. */
    public io.sitepair.replicator.channel.LinkTiming linkTiming() {
        return new io.sitepair.replicator.channel.LinkTiming(heartbeatInterval, suspectAfter);
    }

    /** The client service address as clients and the arbitration record give it: {@code host:port}. */
    public String serviceEndpoint() {
        return service().getHostString() + ":" + service().getPort();
    }
}
