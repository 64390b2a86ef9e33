package io.sitepair.replicator.pair;

import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.service.ServedRun;

/**
 * What a serving role is made of: the site's settings, state, arbitration, run, log, records,
 * acknowledgement waits and lag control, and its links to the backup (the logging channel,
 * heartbeats, the peer watch, the log's flow and online verify). Built once, when the role
 * connects, and handed whole to the parts that act for the role (its status report, planned
 * operations, end and the listener to its backup) instead of a dozen arguments each.
 */
record ServingParts(SiteSettings settings, SiteStateMachine role, Arbitration arbitration, ServedRun run, ShipLog log,
                    SiteRecords records, AcknowledgedWaits acks, LagControl lag, LogShipper shipper,
                    HeartbeatLink heartbeat, PeerWatch peer, LogFlow flow, OnlineVerify verifier) {
    /** The backup's site name. */
    String peerSite() {
        return settings.identity().peer();
    }

    /** Whether the site is a primary and its backup streams the log (only then can it switch over or verify). */
    boolean primaryStreaming() {
        return role.role() == Role.PRIMARY && shipper.state() == LogShipper.State.STREAMING;
    }
}
