package io.sitepair.replicator.status;

import java.util.Map;

/** Both sites of a pair as {@code sitepair status --json} prints them, with the quorum's health. */
public record PairStatus(String pair, String quorum, Map<String, SiteStatus> sites) {}
