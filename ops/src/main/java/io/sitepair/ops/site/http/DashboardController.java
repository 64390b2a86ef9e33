package io.sitepair.ops.site.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.views.thymeleaf.ThymeleafViewsRenderer;
import io.sitepair.ops.drill.report.DrillHistory;
import io.sitepair.ops.drill.report.DrillReports;
import io.sitepair.ops.metrics.Cached;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.PairView;
import io.sitepair.replicator.tls.TlsFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The pair's dashboard: {@code GET /} is the page, drawn on the server with the pair's state, and
 * {@code GET /pair} the document it polls every second to update itself. The pair is looked at
 * from this site: its own status directly, the other site's asked with this site's certificate, the
 * quorum probed; at most once a second whatever the number of viewers, and each question within
 * {@link #QUESTION_TIMEOUT}, so a dead peer shows as one, quickly.
 */
@Controller
final class DashboardController {
    static final Duration REFRESH = Duration.ofSeconds(1);
    static final Duration QUESTION_TIMEOUT = Duration.ofMillis(800);
    static final String LATEST_DRILL = "/drills/latest";

    private final Cached<Map<String, Object>> page;
    private final ThymeleafViewsRenderer<Map<String, Object>> views;
    private final Path reports;

    DashboardController(ServedSite served, PlaneIdentity plane, BeanProvider<MeterRegistry> metrics,
                        ThymeleafViewsRenderer<Map<String, Object>> views) {
        this.views = views;
        this.reports = served.pair().drills().reports();
        TlsFiles own = plane.identity() == null ? null : plane.identity().files();
        AdminClient admin = own == null ? AdminClient.of(served.pair())
                : AdminClient.of(served.pair(), own.certificate(), own.key());
        this.page = new Cached<>(() -> PairPage.of(served.name(),
                PairView.look(served.pair(), admin, served.site().status(), QUESTION_TIMEOUT, Instant.now()),
                OutputHold.of(metrics.orElse(null)), latestDrill().map(PairPage.LastDrill::of).orElse(null)),
                REFRESH, System::nanoTime);
    }

    /** The last drill reported on this machine; none when the reports directory is elsewhere or unreadable. */
    private Optional<DrillHistory.Entry> latestDrill() {
        try {
            return DrillHistory.latest(reports);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The last drill's report.html: one self-contained file, served as it was written. */
    @Get(uri = LATEST_DRILL, produces = MediaType.TEXT_HTML)
    HttpResponse<?> latestReport() throws IOException {
        Optional<DrillHistory.Entry> latest = latestDrill();
        if (latest.isEmpty()) {
            return ProblemDocument.response(HttpStatus.NOT_FOUND, "no drill report in " + reports
                    + " on this site's machine (sitepair drill writes them where it runs: drills.reports)");
        }
        return HttpResponse.ok(Files.readString(latest.get().directory().resolve(DrillReports.HTML)))
                .header("Cache-Control", "no-store");
    }

    /** Rendered here, not by a view filter: a template that fails is then this request's 500, not a hung one. */
    @Get(uri = "/", produces = MediaType.TEXT_HTML)
    HttpResponse<String> page(HttpRequest<?> request) throws IOException {
        StringWriter html = new StringWriter();
        views.render("dashboard", Map.of("page", page.get()), request).writeTo(html);
        return HttpResponse.ok(html.toString()).header("Cache-Control", "no-store");
    }

    @Get(uri = "/pair", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> pair() {
        return HttpResponse.ok(PairPage.json(page.get())).header("Cache-Control", "no-store");
    }
}
