package io.sitepair.replicator.status;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a resync will copy, as shown to operators before it runs.
 *
 * @param divergence the last point both histories share, or {@code none}
 * @param splitBrain why both sites served on their own since the divergence; null: they did not
 */
public record ResyncPlanStatus(Direction direction, String kind, String divergence, String splitBrain,
                               List<Disk> disks, long blocks, long bytes) {

    /** From the live site to the returning one; in JSON {@code "a -> b"}. */
    public record Direction(String source, String target) {
        private static final String ARROW = " -> ";

        @JsonValue
        @Override
        public String toString() {
            return source + ARROW + target;
        }

        @JsonCreator
        public static Direction parse(String text) {
            int arrow = text.indexOf(ARROW);
            if (arrow < 0) {
                throw new IllegalArgumentException("not a resync direction: " + text);
            }
            return new Direction(text.substring(0, arrow), text.substring(arrow + ARROW.length()));
        }
    }

    /**
     * One disk's part: its blocks to copy, and how many blocks each site wrote since the histories
     * parted, keyed by site name (in JSON {@code written_on_<site>}, one field per site).
     */
    public record Disk(int disk, long blocks, long bytes, @JsonIgnore Map<String, Long> writtenOn) {
        private static final String WRITTEN_ON = "written_on_";

        /** The blocks {@code site} wrote since the histories parted; 0 if the plan does not say. */
        public long writtenOn(String site) {
            return writtenOn.getOrDefault(site, 0L);
        }

        @JsonAnyGetter
        Map<String, Long> writtenOnFields() {
            Map<String, Long> fields = new LinkedHashMap<>();
            writtenOn.forEach((site, blocks) -> fields.put(WRITTEN_ON + site, blocks));
            return fields;
        }

        @JsonCreator
        static Disk fromJson(@JsonProperty("disk") int disk, @JsonProperty("blocks") long blocks,
                             @JsonProperty("bytes") long bytes, @JsonAnySetter Map<String, Object> others) {
            Map<String, Long> writtenOn = new LinkedHashMap<>();
            others.forEach((name, value) -> {
                if (name.startsWith(WRITTEN_ON) && value instanceof Number n) {
                    writtenOn.put(name.substring(WRITTEN_ON.length()), n.longValue());
                }
            });
            return new Disk(disk, blocks, bytes, writtenOn);
        }
    }
}
