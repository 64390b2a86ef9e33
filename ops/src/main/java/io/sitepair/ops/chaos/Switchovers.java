package io.sitepair.ops.chaos;

import java.net.http.HttpResponse;
import java.time.Duration;

/** A planned switchover as {@code sitepair failover --to} asks for it: a signed request to the primary. */
final class Switchovers {
    private Switchovers() {}

    /** Switches the live site from {@code from} to {@code to}; throws with the primary's answer if refused. */
    static String run(ChaosPair pair, String from, String to) throws Exception {
        HttpResponse<String> response = pair.admin.post(from, "switchover", Duration.ofSeconds(60));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("switchover " + from + " -> " + to + " refused: " + response.body().trim());
        }
        return response.body().trim();
    }
}
