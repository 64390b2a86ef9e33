package io.sitepair.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.tiebreaker.QuorumProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The files in ops/monitoring: the alert rules pass promtool's check, and every sitepair metric
 * the rules and the Grafana dashboard name is one a site exports; docs/monitoring.md lists them all.
 */
class MonitoringFilesTest {
    private static final Path MONITORING = Path.of("monitoring");
    private static final Pattern METRIC = Pattern.compile("\\bsitepair_[a-z0-9_]+");
    private static final Path DOCS = Path.of("..", "docs", "monitoring.md");
    /** A row of one of its tables: the metric's name first, in backquotes. */
    private static final Pattern DOCUMENTED = Pattern.compile("\\| `(sitepair_[a-z0-9_]+)");

    @Test
    void theAlertRulesPassPromtoolsCheck() throws Exception {
        Path rules = MONITORING.resolve("alerts.yml");
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "rules", rules.toString()).redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            fail("promtool is not installed (" + e.getMessage() + "): it comes with Debian's prometheus package,"
                    + " `apt-get install prometheus` (.ci/run installs it)");
            return;
        }
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, promtool.waitFor(), "promtool check rules " + rules + ":\n" + output);
        assertTrue(output.contains("SUCCESS: 8 rules found"), output);
    }

    @Test
    void everyMetricTheRulesAndTheDashboardNameIsExported() throws IOException {
        Set<String> exported = exportedNames();
        for (String file : List.of("alerts.yml", "grafana-dashboard.json", "prometheus.yml")) {
            Set<String> named = named(Files.readString(MONITORING.resolve(file)));
            if (!file.equals("prometheus.yml")) {
                assertTrue(named.size() > 5, file + " names the site's metrics: " + named);
            }
            named.removeAll(exported);
            assertEquals(Set.of(), named, file + " names metrics no site exports; exported: " + exported);
        }
    }

    @Test
    void docsMonitoringListsEveryMetricASiteExportsAndNoOther() throws IOException {
        Set<String> documented = new TreeSet<>();
        for (String line : Files.readAllLines(DOCS)) {
            Matcher row = DOCUMENTED.matcher(line);
            if (row.lookingAt()) {
                documented.add(row.group(1));
            }
        }
        Set<String> exported = exportedNames();
        Set<String> histograms = exported.stream().filter(n -> exported.contains(n + "_bucket"))
                .collect(Collectors.toSet());
        exported.removeIf(n -> histograms.stream().anyMatch(h -> n.startsWith(h + "_")));
        assertEquals(exported, documented, DOCS + " lists the metrics a site exports (a histogram by its own name)");
    }

    /**
     * The sample names of a registry bound with a site's metrics: histograms' _bucket, _count and
     * _sum series, and the histogram's own name, which the rules' descriptions use.
     */
    private static Set<String> exportedNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SiteRecorder recorder = new SiteRecorder();
        SiteMetrics metrics = new SiteMetrics("lab", "a",
                () -> PrimaryStatus.header("a", Role.PRIMARY, "serving", 1, "127.0.0.1:6379"), recorder,
                Duration.ofSeconds(1), () -> new QuorumProbe.Report(List.of("a", "witness"), List.of("b"), 3),
                Map.of("site", Path.of("a.crt"), "ca", Path.of("ca.crt")), System::nanoTime);
        metrics.bindTo(registry);
        recorder.outputReleased(1_000);
        recorder.disksFlushed(1_000);
        Set<String> names = new Exposition(registry.scrape()).names();
        names.stream().filter(n -> n.endsWith("_bucket")).toList()
                .forEach(bucket -> names.add(bucket.substring(0, bucket.length() - "_bucket".length())));
        return names;
    }

    private static Set<String> named(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
