package io.sitepair.ops.site.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillHistory;
import io.sitepair.ops.status.FailoverTimeline;
import io.sitepair.ops.status.StatusProblems;
import io.sitepair.ops.site.PairView;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import io.sitepair.tiebreaker.QuorumProbe;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows, one document for both of its renderers: the page's first paint
 * (Thymeleaf reads it as a map) and its updates ({@code GET /pair} answers it as JSON). Its
 * {@code status} is the pair's status exactly as {@code sitepair status --json} prints it; beside
 * it, what the page draws from it: the quorum peer by peer, the alarms with what to do, the last
 * failover's phases and the Output Rule's added latency ({@code null}: not measured).
 */
final class PairPage {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    private PairPage() {}

    /** The peers of the quorum, and whether a failover could be arbitrated now (losing a site loses its peer). */
    record Quorum(List<String> serving, List<String> down, int ensemble, int majority, boolean failoverPossible) {
        static Quorum of(QuorumProbe.Report report) {
            return report == null ? null : new Quorum(report.serving(), report.down(), report.ensembleSize(),
                    report.majority(), report.serving().size() > report.majority());
        }
    }

    /**
     * The last drill whose report this site's machine holds ({@code drills.reports}): its kind,
     * verdict, start, the RTO it measured (null if none) and where the dashboard serves its report.
     */
    record LastDrill(String kind, String outcome, String started, String rto, String report) {
        static LastDrill of(DrillHistory.Entry entry) {
            DrillReport report = entry.report();
            String rto = report.objectives().stream().filter(o -> o.name().equals("RTO"))
                    .map(DrillReport.Objective::measured).findFirst().orElse(null);
            return new LastDrill(report.kind(), report.outcome().name(), report.started().toString(), rto,
                    DashboardController.LATEST_DRILL);
        }
    }

    /**
     * The document of {@code view} as seen from site {@code viewedFrom}, {@code hold} null if not
     * measured, {@code drill} null if no drill report is here.
     */
    static Map<String, Object> of(String viewedFrom, PairView view, OutputHold hold, LastDrill drill) {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("viewed_from", viewedFrom);
        page.put("status", tree(StatusJson.write(view.status())));
        page.put("quorum", JSON.convertValue(Quorum.of(view.quorum()), Object.class));
        page.put("alarms", JSON.convertValue(StatusProblems.of(view.status(), view.quorum()), Object.class));
        page.put("failover", JSON.convertValue(lastFailover(view), Object.class));
        page.put("output_hold", JSON.convertValue(hold, Object.class));
        page.put("last_drill", JSON.convertValue(drill, Object.class));
        return page;
    }

    static String json(Map<String, Object> page) {
        try {
            return JSON.writeValueAsString(page);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps and lists of plain values are always JSON", e);
        }
    }

    /** The failover of the site serving now, if it went live by one. */
    private static FailoverTimeline lastFailover(PairView view) {
        return view.status().sites().values().stream()
                .filter(site -> site.role() != null && site.role().serves())
                .map(SiteStatus::failover)
                .map(FailoverTimeline::of)
                .filter(timeline -> timeline != null)
                .findFirst().orElse(null);
    }

    private static Map<String, Object> tree(String json) {
        try {
            return JSON.readValue(json, new TypeReference<>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the status codec wrote JSON it cannot read back", e);
        }
    }
}
