package io.sitepair.ops.drill.report;

import static io.sitepair.ops.drill.report.Readable.html;

import io.sitepair.ops.drill.report.DrillReport.Sample;
import io.sitepair.ops.drill.report.DrillReport.Step;
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
    private static final double HEIGHT = 160;
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
                .append("</strong>, ").append(html(unit)).append("<div class=\"muted\">")
                .append(html(Double.isNaN(peak) ? "not measured"
                        : "peak " + Readable.number(peak) + " · mean " + Readable.number(mean)))
                .append("</div></figcaption>\n");
        out.append(String.format(Locale.ROOT, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">\n",
                WIDTH, HEIGHT, html(title + " over the drill")));
        appendGaps(out, plot, samples, figure);
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
        appendLines(out, plot, samples, figure);
        if (Double.isNaN(peak)) {
            out.append(String.format(Locale.ROOT, "<text class=\"none\" x=\"%.1f\" y=\"%.1f\">not measured</text>\n",
                    (LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2));
        }
        return out.append("</svg>\n</figure>\n").toString();
    }

    /** A shaded band over each run of unknown samples, from the last known one to the next. */
    private static void appendGaps(StringBuilder out, Plot plot, List<Sample> samples,
                                   ToDoubleFunction<Sample> figure) {
        double gapFromMs = Double.NaN;
        double lastKnownMs = Double.NaN;
        for (Sample sample : samples) {
            boolean known = Double.isFinite(figure.applyAsDouble(sample));
            if (!known && Double.isNaN(gapFromMs)) {
                gapFromMs = Double.isNaN(lastKnownMs) ? sample.atMs() : lastKnownMs;
            } else if (known && !Double.isNaN(gapFromMs)) {
                appendGap(out, plot, gapFromMs, sample.atMs());
                gapFromMs = Double.NaN;
            }
            if (known) {
                lastKnownMs = sample.atMs();
            }
        }
        if (!Double.isNaN(gapFromMs)) {
            appendGap(out, plot, gapFromMs, samples.getLast().atMs());
        }
    }

    private static void appendGap(StringBuilder out, Plot plot, double fromMs, double toMs) {
        out.append(String.format(Locale.ROOT, "<rect class=\"gap\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
                + " height=\"%.1f\"><title>no sample from %s to %s</title></rect>\n", plot.x(fromMs), TOP,
                plot.x(toMs) - plot.x(fromMs), BOTTOM - TOP, Readable.seconds(fromMs), Readable.seconds(toMs)));
    }

    /** One polyline per run of known samples; dots when there are few enough to tell apart. */
    private static void appendLines(StringBuilder out, Plot plot, List<Sample> samples,
                                    ToDoubleFunction<Sample> figure) {
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
