package io.sitepair.replicator.status;

import io.sitepair.replicator.pair.Role;

/** What a client knows of a site whose admin endpoint did not answer: why not. */
public record NoAnswer(String site, String error) implements SiteStatus {
    @Override
    public Role role() {
        return null;
    }

    @Override
    public String reason() {
        return error;
    }
}
