package io.sitepair.replicator.pair;

import java.util.Locale;

/**
 * Everything a site is, as one value, in the manner of DRBD's state (role x connection x disk):
 * its role, its logging channel to the peer, its disks, the fence on its outputs and the
 * operation in progress. A site changes it only through its {@link SiteStateMachine}, which
 * derives what follows from a change, refuses what must never happen and logs each change as
 * one line.
 */
public record SiteState(Role role, Link link, Disk disk, Fence fence, Operation operation) {

    /** The logging channel to the peer, as this site sees it. */
    public enum Link {
        /** Dialling the peer, or waiting for it to dial. */
        CONNECTING,
        /** Authenticating the peer and agreeing on where the log resumes. */
        HANDSHAKING,
        /** The log flows and is acknowledged. */
        STREAMING,
        /** Re-protection: a copy of the live site's disks flows to the returning one. */
        COPYING,
        /** No channel and none sought: the peer failed, was superseded, or this site ended. */
        DOWN
    }

    /** This site's disks. */
    public enum Disk {
        UP_TO_DATE,
        /** Marked so, durably, while a copy is written: they must not be served or go live. */
        INCONSISTENT,
        /** A write failed (a failing or full device): the site cannot go on. */
        FAILED
    }

    /** Whether the site's outputs are held because the quorum is in doubt. */
    public enum Fence {
        CLEAR,
        /** The ZooKeeper connection is suspended or lost: outputs wait until it is back. */
        FENCED
    }

    /** A long operation in progress; at most one at a time. */
    public enum Operation {
        NONE,
        /** A planned switchover: delivery paused until the backup holds the marker and takes the epoch. */
        SWITCHOVER,
        /** An online verify: checksums compared at one log position. */
        VERIFY,
        /** The live site copying its disks to the returning one (derived from the link). */
        RESYNC,
        /** A clean power-off: delivery stopped, waiting for the backup to hold the marker. */
        POWER_OFF
    }

    /** A site that has just started in {@code role}, its disks up to date and its channel being set up. */
    public static SiteState initial(Role role) {
        return new SiteState(role, role == Role.STARTING ? Link.DOWN : Link.CONNECTING, Disk.UP_TO_DATE, Fence.CLEAR,
                Operation.NONE);
    }

    public SiteState with(Role next) {
        return new SiteState(next, link, disk, fence, operation);
    }

    public SiteState with(Link next) {
        return new SiteState(role, next, disk, fence, operation);
    }

    public SiteState with(Disk next) {
        return new SiteState(role, link, next, fence, operation);
    }

    public SiteState with(Fence next) {
        return new SiteState(role, link, disk, next, operation);
    }

    public SiteState with(Operation next) {
        return new SiteState(role, link, disk, fence, next);
    }

    /** Whether the site has ended: nothing changes any more. */
    public boolean ended() {
        return role == Role.HALTED || role == Role.STOPPED;
    }

    /**
     * For the log: role and link, then whatever else is not the usual
     * ({@code primary/streaming}, {@code resyncing/copying inconsistent},
     * {@code live-alone/connecting fenced switchover}).
     */
    public String label() {
        StringBuilder label = new StringBuilder(role.label()).append('/').append(lower(link));
        if (disk != Disk.UP_TO_DATE) {
            label.append(' ').append(lower(disk));
        }
        if (fence != Fence.CLEAR) {
            label.append(' ').append(lower(fence));
        }
        if (operation != Operation.NONE) {
            label.append(' ').append(lower(operation));
        }
        return label.toString();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
