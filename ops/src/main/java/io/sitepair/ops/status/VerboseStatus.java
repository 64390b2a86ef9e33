package io.sitepair.ops.status;

import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import java.util.List;
import java.util.Map;

/** {@code sitepair status --verbose}: every field of the status, one {@code key: value} line each. */
public final class VerboseStatus {
    private VerboseStatus() {}

    public static String render(PairStatus status) {
        StringBuilder out = new StringBuilder();
        line(out, "pair " + status.pair());
        line(out, "quorum: " + status.quorum());
        LinkSecurity security = status.security();
        line(out, "links: " + security.links());
        if (security.coordination() != null) {
            line(out, "coordination: " + security.coordination());
        }
        security.certificates().forEach((site, certificate) ->
                line(out, "certificate of site " + site + ": " + certificate));
        security.warnings().forEach(warning -> line(out, "WARNING: " + warning));
        status.sites().forEach((name, site) -> site(out, name, site));
        return out.toString();
    }

    /** A heading line (role, reason, epoch), then one line per other field, a nested object on one line. */
    private static void site(StringBuilder out, String name, SiteStatus status) {
        if (status instanceof NoAnswer none) {
            line(out, "site " + name + ": unreachable: " + none.error());
            return;
        }
        line(out, "site " + name + ": " + status.role().label() + " (" + status.reason() + "), epoch "
                + status.epoch());
        Map<String, Object> fields = StatusJson.fields(status);
        fields.keySet().removeAll(List.of("site", "role", "reason", "epoch")); // in the heading
        fields.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested) {
                StringBuilder pairs = new StringBuilder();
                nested.forEach((k, v) -> pairs.append(pairs.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
                line(out, "  " + key + ": " + pairs);
            } else {
                line(out, "  " + key + ": " + value);
            }
        });
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append('\n');
    }
}
