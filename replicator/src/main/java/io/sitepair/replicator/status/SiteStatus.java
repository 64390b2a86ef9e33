package io.sitepair.replicator.status;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sitepair.replicator.pair.Role;

/**
 * A site's status. Which kind it is shows in the JSON by its fields, not by a type tag, so the
 * JSON stays as it always was: a serving site's has {@code service}, a backup's {@code channel},
 * an unreachable one {@code error}; a starting site's has none of them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION, defaultImpl = StartingStatus.class)
@JsonSubTypes({
        @JsonSubTypes.Type(PrimaryStatus.class),
        @JsonSubTypes.Type(BackupStatus.class),
        @JsonSubTypes.Type(StartingStatus.class),
        @JsonSubTypes.Type(NoAnswer.class)})
public sealed interface SiteStatus permits PrimaryStatus, BackupStatus, StartingStatus, NoAnswer {
    String site();

    /** Null only if the site did not answer. */
    Role role();

    /** Why the site is in its role (for a site that did not answer: why not). */
    String reason();

    /** Null if the site has none yet (starting) or did not answer. */
    default Long epoch() {
        return null;
    }

    /** How this site went live after its primary failed; null if it did not. */
    default String failover() {
        return null;
    }

    /** A serving site's protection by its peer; null for any other. */
    default Protection protection() {
        return null;
    }

    /** Whether this is a primary whose backup holds its log (outputs leave as the backup acknowledges). */
    default boolean pairProtected() {
        return false;
    }
}
