package io.sitepair.ops.status;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NicStatus;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StartingStatus;
import io.sitepair.tiebreaker.QuorumProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code sitepair status} for people, in the manner of {@code drbdadm status}: the pair and its
 * quorum on one line, then the problems with what to do, one line per site (role, epoch, disk,
 * protection), the logging channel (lag, bandwidth, held outputs), the virtual NIC in network mode
 * nic, and the links' security.
 */
public final class StatusReport {
    private StatusReport() {}

    public static String render(PairStatus status) {
        return render(status, null);
    }

    /** {@code status}, its problems including the quorum's as {@code quorum} found it (null: not probed). */
    public static String render(PairStatus status, QuorumProbe.Report quorum) {
        StringBuilder out = new StringBuilder();
        line(out, "pair " + status.pair() + ", quorum: " + status.quorum());
        for (Problem problem : StatusProblems.of(status, quorum)) {
            line(out, "problem: " + problem.what());
            if (problem.toDo() != null) {
                line(out, "  what to do: " + problem.toDo());
            }
        }
        List<List<String>> sites = new ArrayList<>();
        status.sites().forEach((name, site) -> sites.add(site(name, site)));
        out.append(aligned(sites));
        String link = link(status.sites());
        if (link != null) {
            line(out, link);
        }
        status.sites().forEach((name, site) -> {
            if (site instanceof PrimaryStatus p && p.nic() != null) {
                line(out, nic(name, p.nic()));
            }
        });
        line(out, security(status));
        return out.toString();
    }

    /** Name, role, epoch, disk, then its protection or, for a site that does not protect, why it is as it is. */
    private static List<String> site(String name, SiteStatus site) {
        String epoch = site.epoch() == null ? "" : "epoch " + site.epoch();
        return switch (site) {
            case NoAnswer none -> List.of(name, "unreachable");
            case StartingStatus starting -> List.of(name, starting.role().label(), epoch, "", starting.reason());
            case PrimaryStatus serving -> List.of(name, serving.role().label(), epoch,
                    serving.role().serves() && serving.disks() != null ? "disk up to date" : "", protection(serving));
            case BackupStatus backup -> List.of(name, backup.role().label(), epoch, disk(backup), protecting(backup));
        };
    }

    private static String protection(PrimaryStatus site) {
        Protection protection = site.protection();
        if (!site.role().serves() || protection == null) {
            return site.reason();
        }
        String fenced = site.fenced() == null ? "" : ", FENCED";
        return switch (protection.state()) {
            case PROTECTED -> "protected by " + site.peer().site() + fenced;
            case UNPROTECTED -> "UNPROTECTED" + fenced;
            case REPROTECTING -> resync(site.peer().site(), site.resync(), protection) + fenced;
        };
    }

    /** {@code resyncing b: 25% (1 of 4 blocks), ETA 3 s}, or the phase before the copy. */
    private static String resync(String target, ResyncStatus resync, Protection protection) {
        if (resync == null || resync.plan() == null) {
            return protection.toString();
        }
        if (resync.phase() != ResyncStatus.Phase.COPYING) {
            return "resync of " + target + ": " + resync.phase().label();
        }
        long planned = resync.plan().blocks();
        return "resyncing " + target + ": " + percent(resync.copiedBlocks(), planned) + " (" + resync.copiedBlocks()
                + " of " + planned + " blocks)" + (resync.etaS() == null || resync.etaS() < 0 ? ""
                : ", ETA " + resync.etaS() + " s");
    }

    private static String disk(BackupStatus site) {
        return switch (site.role()) {
            case BACKUP -> "disk consistent at " + site.positions().replayed();
            case RESYNCING -> "disk inconsistent";
            default -> "";
        };
    }

    private static String protecting(BackupStatus site) {
        if (site.failover() != null) {
            return "going live: " + site.failover();
        }
        if (site.role() == Role.RESYNCING && site.resync() != null) {
            BackupStatus.Resync resync = site.resync();
            return "resyncing from " + resync.source() + ": " + percent(resync.copiedBlocks(), resync.plannedBlocks())
                    + " (" + resync.copiedBlocks() + " of " + resync.plannedBlocks() + " blocks)";
        }
        if (site.role() != Role.BACKUP) {
            return site.reason();
        }
        return site.channel().equals("streaming") ? "protecting " + site.peer().site() : site.channel();
    }

    /**
     * The logging channel as the serving site sees it (lag, rates, held outputs), else as a backup
     * does; null if no site says.
     */
    private static String link(Map<String, SiteStatus> sites) {
        for (var entry : sites.entrySet()) {
            if (entry.getValue() instanceof PrimaryStatus p && p.role().serves() && p.positions() != null) {
                PrimaryStatus.Positions at = p.positions();
                PrimaryStatus.Logging rate = p.logging();
                return "link " + entry.getKey() + " -> " + p.peer().site() + ": " + p.peer().channel()
                        + ", lag " + (at.logged() - at.replayed()) + " positions / " + p.lagMs() + " ms (logged "
                        + at.logged() + ", sent " + at.sent() + ", acknowledged " + at.acknowledged() + ", replayed "
                        + at.replayed() + ")"
                        + (p.slowdownPercent() > 0 ? ", clients slowed " + p.slowdownPercent() + "% to hold it" : "")
                        + "; " + rate.rawMbitS() + " Mbit/s raw, " + rate.wireMbitS() + " on the wire (compression "
                        + rate.compressionRatio() + "); " + p.heldOutputs() + " outputs held";
            }
        }
        for (var entry : sites.entrySet()) {
            if (entry.getValue() instanceof BackupStatus b && b.positions() != null) {
                return "link " + b.peer().site() + " -> " + entry.getKey() + " (as " + entry.getKey() + " sees it): "
                        + b.channel() + ", received " + b.positions().received() + ", replayed "
                        + b.positions().replayed() + ", " + b.logging().wireMbitS() + " Mbit/s on the wire";
            }
        }
        return null;
    }

    /**
     * {@code nic a: tap T on B as 10.77.0.10/24 port 6379 (MAC), link up; 5 connections open (...); frames ...;
     * dropped ...}: the serving site's virtual NIC, its clients' connections and what it lost where.
     */
    private static String nic(String site, NicStatus nic) {
        StringBuilder line = new StringBuilder("nic " + site + ": tap " + nic.tap() + " on " + nic.bridge() + " as "
                + nic.address() + " port " + nic.port() + " (" + nic.mac() + "), link "
                + (nic.linkUp() ? "up" : "DOWN"));
        NicStatus.Guest guest = nic.guest();
        if (guest != null) {
            line.append("; ").append(guest.connectionsOpen()).append(" connections open (")
                    .append(guest.connectionsAccepted()).append(" accepted, ").append(guest.refusedLimit())
                    .append(" refused at the limit), ").append(guest.retransmits()).append(" retransmits (")
                    .append(guest.fastRetransmits()).append(" fast), ").append(guest.resetsSent())
                    .append(" resets sent");
        }
        NicStatus.TapCounters tap = nic.tapCounters();
        if (tap != null) {
            line.append("; frames ").append(tap.framesIn()).append(" in, ").append(tap.framesOut()).append(" out");
        }
        line.append("; dropped ").append(tap == null ? "" : tap.droppedIn() + tap.droppedOut() + " at the tap, ")
                .append(nic.hostDropped().oversized() + nic.hostDropped().unsent()).append(" by the host");
        if (guest != null) {
            List<String> reasons = new ArrayList<>();
            guest.dropped().forEach((reason, frames) -> {
                if (frames > 0) {
                    reasons.add(reason + " " + frames);
                }
            });
            long dropped = guest.dropped().values().stream().mapToLong(Long::longValue).sum();
            line.append(", ").append(dropped).append(" by the guest")
                    .append(reasons.isEmpty() ? "" : " (" + String.join(", ", reasons) + ")");
        }
        return line.toString();
    }

    /** The links' protection and each site's certificate, in the pair's order of sites. */
    private static String security(PairStatus status) {
        LinkSecurity security = status.security();
        StringBuilder line = new StringBuilder("security: ").append(security.links());
        if (security.coordination() != null) {
            line.append("; ").append(security.coordination());
        }
        for (String site : status.sites().keySet()) {
            String certificate = security.certificates().get(site);
            if (certificate != null) {
                line.append("; certificate of ").append(site).append(": ").append(certificate);
            }
        }
        return line.toString();
    }

    private static String percent(long part, long whole) {
        return (whole == 0 ? 100 : part * 100 / whole) + "%";
    }

    /** Rows of cells, each column as wide as its widest cell but the last, which runs on. */
    private static String aligned(List<List<String>> rows) {
        int[] widths = new int[rows.stream().mapToInt(List::size).max().orElse(0)];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() - 1; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < row.size() - 1; i++) {
                if (widths[i] > 0) { // a column no row fills takes no room
                    text.append(row.get(i)).append(" ".repeat(widths[i] + 2 - row.get(i).length()));
                }
            }
            text.append(row.getLast());
            line(out, text.toString().stripTrailing());
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append('\n');
    }
}
