package io.sitepair.replicator.status;

import io.sitepair.replicator.pair.Role;

/** A site process before it has a role, or between two: what it waits for. */
public record StartingStatus(String site, Role role, String reason) implements SiteStatus {
    public static StartingStatus waiting(String site, String reason) {
        return new StartingStatus(site, Role.STARTING, reason);
    }
}
