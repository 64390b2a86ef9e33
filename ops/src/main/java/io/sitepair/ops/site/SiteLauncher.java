package io.sitepair.ops.site;

import io.sitepair.disk.DiskImage;
import io.sitepair.ops.config.LoggingTuning;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.SiteConfig;
import io.sitepair.replicator.channel.PairIdentity;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.nic.TapDevice;
import io.sitepair.replicator.pair.SiteSettings;
import io.sitepair.replicator.service.ClientNetwork;
import io.sitepair.replicator.tls.TlsIdentity;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.VmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the configuration into what one site runs with, preparing its data directory. */
final class SiteLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(SiteLauncher.class);

    static final String EPOCH_FILE = "epoch";

    private SiteLauncher() {}

    /** The site's disk images, in its data directory. */
    static List<Path> diskPaths(PairConfig config, String siteName) {
        Path dataDir = config.site(siteName).dataDir();
        List<Path> disks = new ArrayList<>();
        for (int i = 0; i < config.diskSizes().size(); i++) {
            disks.add(dataDir.resolve("disk" + i + ".img"));
        }
        return disks;
    }

    /**
     * Before a site's images are opened (and a missing one created empty): an image that is gone
     * while the site's records describe it (an operator replaced a failed disk) leaves those records
     * false. A backup clears them, so that it receives a full copy; a site that is to serve refuses,
     * since it would serve an empty disk.
     */
    static void checkReplacedDisks(PairConfig config, String siteName, boolean serves) throws IOException {
        Path dataDir = config.site(siteName).dataDir();
        List<Path> replaced = io.sitepair.replicator.pair.SiteRecords.replacedDisks(dataDir,
                diskPaths(config, siteName));
        if (replaced.isEmpty()) {
            return;
        }
        if (serves) {
            throw new OperatorError("disk image " + replaced + " of site '" + siteName + "' is missing, but"
                    + " this site's records say its disks hold the pair's data: it will not serve an empty disk."
                    + " Restore the image, or make site '" + config.peerOf(siteName).name() + "' live, so that this"
                    + " site rejoins as its backup and receives a full copy");
        }
        LOG.warn("site '{}': disk image {} is new; this site's lineage and block map described the disk it replaces"
                + " and are cleared, so it receives a full copy", siteName, replaced);
        io.sitepair.replicator.pair.SiteRecords.forget(dataDir);
    }

    /**
     * How the site's guest meets its clients. In network mode nic the site's TAP is opened once here
     * and closed again, so that a site that could not serve (no CAP_NET_ADMIN, no such bridge) says
     * so when it starts rather than when its peer fails and it must go live.
     */
    private static ClientNetwork clientNetwork(SiteConfig site) {
        if (site.nic() == null) {
            return new ClientNetwork.Socket(site.service());
        }
        try (TapDevice tap = TapDevice.open(site.nic())) {
            LOG.info("site '{}': network mode nic: {} can be opened; it comes up when this site serves, as {}",
                    site.name(), tap.describe(), site.nic().identity());
        } catch (IOException e) {
            throw new OperatorError("site '" + site.name() + "' (sites." + site.name() + ".nic): " + e.getMessage());
        }
        return new ClientNetwork.Nic(site.nic(), TapDevice::open);
    }

    /**
     * The settings for one site, whose TLS identity is {@code tls} (null: the pair's TLS is off);
     * {@code epoch} is the pair's current epoch (from ZooKeeper, or the epoch file), begun at log
     * position {@code epochStart} with {@code epochPrimary} live; the site records its metrics' events in
     * {@code meters}.
     */
    static SiteSettings settings(PairConfig config, String siteName, TlsIdentity tls, GuestModule module, long epoch,
                                 long epochStart, String epochPrimary, SiteMeters meters) throws IOException {
        SiteConfig site = config.site(siteName);
        SiteConfig peer = config.peerOf(siteName);
        Files.createDirectories(site.dataDir());
        List<Path> disks = diskPaths(config, siteName);
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < disks.size(); i++) {
            Path disk = disks.get(i);
            long size = config.diskSizes().get(i);
            try (DiskImage image = DiskImage.openOrCreate(disk, size)) {
                if (image.blockCount() * DiskImage.BLOCK_SIZE != size) {
                    throw new IllegalArgumentException(disk + " holds " + image.blockCount() * DiskImage.BLOCK_SIZE
                            + " bytes, but " + config.file() + " gives disk " + i + " a size of " + size);
                }
                blocks.add(image.blockCount());
            }
        }
        PairIdentity identity = new PairIdentity(config.pair(), config.secret(), siteName, peer.name(), module.hash(),
                OfflineRun.CPU_ARCH, blocks, config.logging().loggedReads(), tls);
        VmOptions options = VmOptions.defaults().withEngine(SiteConfig.INTERPRETER.equals(site.engine())
                ? VmOptions.Engine.INTERPRETED : VmOptions.Engine.COMPILED);
        LoggingTuning tuning = config.logging();
        return new SiteSettings(identity, epoch, module, options, disks, config.diskSizes().getFirst(),
                site.channel(), site.peerChannel() != null ? site.peerChannel() : peer.channel(), peer.channel(),
                clientNetwork(site), tuning.bufferBytes(), tuning.lagTarget(), tuning.heartbeatInterval(),
                tuning.suspectAfter(), tuning.stateCheckInterval(),
                config.coordination() == null ? null : config.coordination().goLiveHook(), site.dataDir(), epochStart,
                epochPrimary, config.resync(), meters);
    }

    /**
     * The site's epoch when the pair has no coordination: kept in its data directory (1 for a new
     * site). With coordination the epoch is the one ZooKeeper holds.
     */
    static long epoch(Path dataDir) throws IOException {
        Path file = dataDir.resolve(EPOCH_FILE);
        if (!Files.exists(file)) {
            Files.writeString(file, "1\n");
            return 1;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        try {
            long epoch = Long.parseLong(text);
            if (epoch < 1) {
                throw new NumberFormatException();
            }
            return epoch;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": \"" + text + "\" is not an epoch (a positive integer)");
        }
    }
}
