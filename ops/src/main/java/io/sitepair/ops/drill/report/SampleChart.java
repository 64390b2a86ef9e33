package io.sitepair.ops.drill.report;

import static io.sitepair.ops.drill.report.Readable.html;

import io.sitepair.ops.drill.DrillReport.Sample;
import io.sitepair.ops.drill.DrillReport.Step;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One of the pair's sampled figures over the drill as a small inline SVG line chart. An unknown
 * (NaN) sample breaks the line rather than drawing a false zero; the timeline's steps are faint
 * dashed lines, so a spike can be matched to what the drill was doing.
 */
final class SampleChart {
    private static final double WIDTH = 340;
    private static final double HEIGHT = 170;
    private static final double LEFT = 52;
    private static final double RIGHT = 328;
    private static final double TOP = 12;
    private static final double BOTTOM = 136;
    /** Up to this many samples, each is also a dot. */
    private static final int DOTS_UP_TO = 60;

    private SampleChart() {}

    static String figure(String title, String unit, List<Sample> samples, ToDoubleFunction<Sample> figure,
                         double durationMs, List<Step> steps) {
        double lastMs = samples.stream().mapToDouble(Sample::atMs).max().orElse(0);
        double xTick = Ticks.step(Math.max(durationMs, lastMs), 4);
        double xEnd = Ticks.end(Math.max(durationMs, lastMs), xTick);
        double peak = samples.stream().mapToDouble(figure).filter(Double::isFinite).max().orElse(Double.NaN);
        double mean = samples.stream().mapToDouble(figure).filter(Double::isFinite).average().orElse(Double.NaN);
        double yTick = Ticks.step(Double.isNaN(peak) ? 1 : peak, 4);
        double yEnd = Ticks.end(Double.isNaN(peak) ? 1 : peak, yTick);
        Plot plot = new Plot(xEnd, yEnd);

        StringBuilder out = new StringBuilder("<figure class=\"chart\">\n<figcaption><strong>").append(html(title))
                .append("</strong> <span class=\"muted\">").append(html(Double.isNaN(peak) ? "not measured"
                        : "peak " + Readable.number(peak) + " " + unit + ", mean " + Readable.number(mean) + " "
                        + unit)).append("</span></figcaption>\n");
        out.append(String.format(Locale.ROOT, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">\n",
                WIDTH, HEIGHT, html(title + " over the drill")));
        for (long i = 0, n = Math.round(yEnd / yTick); i <= n; i++) {
            double y = plot.y(i * yTick);
            out.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                    + " y2=\"%.1f\"/>\n<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    LEFT, y, RIGHT, y, LEFT - 6, y + 4, html(Readable.number(i * yTick))));
        }
        for (long i = 0, n = Math.round(xEnd / xTick); i <= n; i++) {
            out.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s s</text>\n",
                    plot.x(i * xTick), BOTTOM + 16, html(Readable.number(i * xTick / 1000))));
        }
        for (Step step : steps) {
            double x = plot.x(step.atMs());
            out.append(String.format(Locale.ROOT, "<line class=\"step-mark%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                    + " y2=\"%.1f\"><title>%s</title></line>\n", step.ok() ? "" : " failed", x, TOP, x, BOTTOM,
                    html(step.name() + " at " + Readable.seconds(step.atMs()))));
        }
        out.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                + " y2=\"%.1f\"/>\n", LEFT, BOTTOM, RIGHT, BOTTOM));
        out.append(String.format(Locale.ROOT, "<text class=\"unit\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                LEFT - 6, HEIGHT - 4, html(unit)));
        appendLines(out, plot, samples, figure);
        if (Double.isNaN(peak)) {
            out.append(String.format(Locale.ROOT, "<text class=\"none\" x=\"%.1f\" y=\"%.1f\">not measured</text>\n",
                    (LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2));
        }
        return out.append("</svg>\n</figure>\n").toString();
    }

    /** One polyline per run of known samples; dots when there are few enough to tell apart. */
    private static void appendLines(StringBuilder out, Plot plot, List<Sample> samples, ToDoubleFunction<Sample> figure) {
        StringBuilder run = new StringBuilder();
        StringBuilder dots = new StringBuilder();
        for (Sample sample : samples) {
            double value = figure.applyAsDouble(sample);
            if (!Double.isFinite(value)) {
                endRun(out, run);
                continue;
            }
            run.append(String.format(Locale.ROOT, "%.1f,%.1f ", plot.x(sample.atMs()), plot.y(value)));
            if (samples.size() <= DOTS_UP_TO) {
                dots.append(String.format(Locale.ROOT, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\"/>\n",
                        plot.x(sample.atMs()), plot.y(value)));
            }
        }
        endRun(out, run);
        out.append(dots);
    }

    private static void endRun(StringBuilder out, StringBuilder run) {
        if (!run.isEmpty()) {
            out.append("<polyline class=\"line\" points=\"").append(run.toString().strip()).append("\"/>\n");
            run.setLength(0);
        }
    }

    private record Plot(double xEndMs, double yEnd) {
        double x(double ms) {
            return LEFT + (RIGHT - LEFT) * Math.clamp(ms, 0, xEndMs) / xEndMs;
        }

        double y(double value) {
            return BOTTOM - (BOTTOM - TOP) * Math.clamp(value, 0, yEnd) / yEnd;
        }
    }
}
