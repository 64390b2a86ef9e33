package io.sitepair.ops.drill.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.drill.report.DrillReport.Check;
import io.sitepair.ops.drill.report.DrillReport.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportHtmlTest {
    @Test
    void theReportReferencesNothingOutsideItself() {
        String html = ReportHtml.render(DrillReportFixture.failover()).toLowerCase();

        for (String reference : List.of("<link", "<script", "<img", "<iframe", "<object", "@import", "url(",
                "http:", "https:")) {
            assertFalse(html.contains(reference), "the report has " + reference);
        }
        assertFalse(Pattern.compile("\\b(src|href|xlink:href)\\s*=").matcher(html).find(), "an attribute that loads");
        assertTrue(html.contains("<style>") && html.contains("<svg class=\"timeline\""), "inline style and SVG");
    }

    @Test
    void everyStringFromTheRecordIsEscaped() {
        DrillReport fixture = DrillReportFixture.failover();
        List<Step> timeline = new ArrayList<>(fixture.timeline());
        timeline.add(new Step("<b>bold</b>", 53_000, "\"quoted\" & 'single'", true));
        DrillReport hostile = new DrillReport(fixture.schema(), fixture.kind(), fixture.started(), fixture.ended(),
                fixture.outcome(), "<i>pair</i>", fixture.sites(), fixture.version(), fixture.configFile(),
                fixture.configDigest(), fixture.forced(), "sitepair drill --check '</code>'", fixture.objectives(),
                timeline, fixture.workload(), fixture.samples(), fixture.figures(),
                new Check("kv-health", 3, 12, "<script>alert('owned')</script>\n"), List.of("<marquee>"));

        String html = ReportHtml.render(hostile);

        assertTrue(html.contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"), "the check's output");
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("<i>pair</i>") || html.contains("<b>bold</b>") || html.contains("<marquee>"));
        assertTrue(html.contains("data-step=\"&lt;b&gt;bold&lt;/b&gt;\""));
        assertTrue(html.contains("&quot;quoted&quot; &amp; &#39;single&#39;"));
        assertTrue(html.contains("<code>sitepair drill --check &#39;&lt;/code&gt;&#39;</code>"));
    }

    @Test
    void everyStepIsAMarkerOnTheTimelineFailedOnesMarked() {
        DrillReport report = DrillReportFixture.failover(DrillReportFixture.STARTED, DrillReport.Outcome.FAILED, false);

        String html = ReportHtml.render(report);

        for (Step step : report.timeline()) {
            String group = "<g class=\"step" + (step.ok() ? "" : " failed") + "\" data-step=\"" + step.name() + "\">";
            assertTrue(html.contains(group), group);
        }
        assertTrue(html.contains(">52.10 s · failed</text>"), "a failed step says so in words, not only in red");
    }

    @Test
    void stepsCloseTogetherAreStackedInRowsSoNoLabelsOverlap() {
        // detected, claimed, live and first write fall within 310 ms of a 60 s axis: a few pixels apart.
        String svg = TimelineChart.svg(DrillReportFixture.failover().timeline(), 58_640);

        List<double[]> labels = new ArrayList<>();
        Matcher name = Pattern.compile("<text class=\"name\" x=\"([0-9.]+)\" y=\"([0-9.]+)\">([^<]*)</text>")
                .matcher(svg);
        while (name.find()) {
            double x = Double.parseDouble(name.group(1));
            labels.add(new double[] {x, Double.parseDouble(name.group(2)), x + name.group(3).length() * 7});
        }
        assertEquals(9, labels.size(), svg);
        int overlaps = 0;
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                double[] a = labels.get(i);
                double[] b = labels.get(j);
                if (a[1] == b[1] && a[0] < b[2] && b[0] < a[2]) {
                    overlaps++;
                }
            }
        }
        assertEquals(0, overlaps, svg);
        assertTrue(labels.stream().mapToDouble(l -> l[1]).distinct().count() >= 4,
                "close steps take rows of their own");
    }

    @Test
    void aStepAtTheEndOfTheAxisWidensTheChartRatherThanLosingItsLabel() {
        String svg = TimelineChart.svg(List.of(new Step("fault", 0, "", true),
                new Step("re-protection not measured", 60_000, "site a did not return within 60 s", false)), 60_000);

        Matcher viewBox = Pattern.compile("viewBox=\"0 0 ([0-9.]+) ").matcher(svg);
        Matcher last = Pattern.compile("<text class=\"name\" x=\"([0-9.]+)\" [^>]*>re-protection not measured<")
                .matcher(svg);
        assertTrue(viewBox.find() && last.find(), svg);
        double labelEnd = Double.parseDouble(last.group(1)) + "re-protection not measured".length() * 7;
        assertTrue(Double.parseDouble(viewBox.group(1)) >= labelEnd, svg);
    }

    @Test
    void objectivesShowTheirVerdictInWordsAndColour() {
        String html = ReportHtml.render(DrillReportFixture.failover(DrillReportFixture.STARTED,
                DrillReport.Outcome.FAILED, false));

        assertTrue(html.contains("<span class=\"verdict met\">MET</span>"));
        assertTrue(html.contains("<span class=\"verdict not-measured\">NOT MEASURED</span>"));
        assertTrue(html.contains("<div class=\"outcome failed\" id=\"outcome\">FAILED</div>"));
        assertTrue(html.contains("The failback did not complete"), "the problem in words");
    }
}
