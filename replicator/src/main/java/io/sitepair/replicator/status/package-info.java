/**
 * What a site reports about itself ({@code GET /status}, {@code sitepair status}): one record
 * family, written to JSON by the site and read back by the operator's tools with the same codec
 * ({@link io.sitepair.replicator.status.StatusJson}).
 *
 * <p>A package of its own because three places meet here: the pair's sites assemble the status,
 * the resync in the channel contributes its plan and progress, and {@code ops} reads it. The
 * records hold data only and depend on nothing but {@link io.sitepair.replicator.pair.Role}, so
 * the channel can fill in its part without depending on the sites.
 *
 * <p>The JSON is the contract, kept as it was when the status was a map: snake_case keys, absent
 * fields omitted, the same display strings. Where an operator's tool decides on a value (the
 * protection, the resync's phase and direction), the record holds it typed and reads and writes
 * the display string at the edge.
 */
package io.sitepair.replicator.status;
