package io.sitepair.ops.chaos;

import io.sitepair.ops.site.AdminAnswer;
import java.time.Duration;

/** A planned switchover as {@code sitepair failover --to} asks for it: a signed request to the primary. */
final class Switchovers {
    private Switchovers() {}

    /** Switches the live site from {@code from} to {@code to}; throws with the primary's answer if refused. */
    static String run(ChaosPair pair, String from, String to) throws Exception {
        AdminAnswer response = pair.admin.post(from, "switchover", Duration.ofSeconds(60));
        if (!response.ok()) {
            throw new IllegalStateException("switchover " + from + " -> " + to + " refused: " + response.text());
        }
        return response.text();
    }
}
