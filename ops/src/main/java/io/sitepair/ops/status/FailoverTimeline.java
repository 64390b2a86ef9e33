package io.sitepair.ops.status;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last failover of a site that went live, in phases: the failure timeout that detected it, the
 * replay of what was received, the arbitration that won the epoch. Read from the words of the
 * status's {@code failover} field (it has no figures of its own), as the backup writes them:
 * {@code live in epoch 2 from position 41: detection 1000 ms (failure timeout), replay 12 ms,
 * arbitration 35 ms}, or {@code ... by a planned switchover: arbitration 35 ms}. A failover under
 * way, or words of another form, leave the phases null.
 */
public record FailoverTimeline(String text, Long epoch, Long position, boolean planned, Long detectionMs, Long replayMs,
                        Long arbitrationMs) {
    private static final Pattern FAILED = Pattern.compile("live in epoch (\\d+) from position (\\d+): detection (\\d+)"
            + " ms \\(failure timeout\\), replay (\\d+) ms, arbitration (\\d+) ms");
    private static final Pattern PLANNED = Pattern.compile("live in epoch (\\d+) from position (\\d+) by a planned"
            + " switchover: arbitration (\\d+) ms");

    /** Null if {@code text} is null (the site did not go live after its primary). */
    public static FailoverTimeline of(String text) {
        if (text == null) {
            return null;
        }
        Matcher failed = FAILED.matcher(text);
        if (failed.lookingAt()) {
            return new FailoverTimeline(text, number(failed, 1), number(failed, 2), false, number(failed, 3),
                    number(failed, 4), number(failed, 5));
        }
        Matcher planned = PLANNED.matcher(text);
        if (planned.lookingAt()) {
            return new FailoverTimeline(text, number(planned, 1), number(planned, 2), true, null, null,
                    number(planned, 3));
        }
        return new FailoverTimeline(text, null, null, false, null, null, null);
    }

    private static Long number(Matcher matcher, int group) {
        return Long.parseLong(matcher.group(group));
    }
}
