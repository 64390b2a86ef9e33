package io.sitepair.replicator.status;

import java.util.Map;

/**
 * Both sites of a pair as {@code sitepair status --json} prints them, with the quorum's health and
 * how the pair's links are protected.
 */
public record PairStatus(String pair, String quorum, LinkSecurity security, Map<String, SiteStatus> sites) {}
