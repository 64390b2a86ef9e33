package io.sitepair.ops.drill.report;

import static io.sitepair.ops.drill.report.Readable.html;

import io.sitepair.ops.drill.report.DrillReport.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The drill's timeline as inline SVG: a time axis in seconds and every step a marker on it, with a
 * flag (name and time) on a pole above, to the right of the pole. Steps close together would
 * overlap, so flags are stacked in rows, placed from the last step back: each goes in the lowest row
 * where its label overlaps no label and no pole of a flag above. Close steps so form a staircase that
 * reads top down in time order, and no pole crosses a label.
 */
final class TimelineChart {
    private static final double MIN_WIDTH = 1000;
    private static final double LEFT = 28;
    private static final double AXIS_END = 972;
    private static final double TOP = 8;
    private static final double ROW = 38;
    /** Between the axis and the lowest row of flags. */
    private static final double AXIS_GAP = 16;
    private static final double BELOW_AXIS = 50;
    /** Label widths are estimated from the characters: bold 12 px names, 11 px times, a little generous. */
    private static final double NAME_CHAR = 7.6;
    private static final double TIME_CHAR = 6.4;
    private static final double POLE_TO_TEXT = 5;
    private static final double LABEL_GAP = 12;
    private static final double POLE_CLEARANCE = 4;

    private TimelineChart() {}

    /** The SVG for {@code steps}, over an axis long enough for them and for {@code durationMs}. */
    static String svg(List<Step> steps, double durationMs) {
        double lastMs = steps.stream().mapToDouble(Step::atMs).filter(Double::isFinite).max().orElse(0);
        double tick = Ticks.step(Math.max(durationMs, lastMs), 8);
        double axisEndMs = Ticks.end(Math.max(durationMs, lastMs), tick);
        List<Flag> flags = layout(steps, axisEndMs);
        int rows = flags.stream().mapToInt(Flag::row).max().orElse(0) + 1;
        double axisY = TOP + rows * ROW + AXIS_GAP;
        // A flag near the axis's end may reach beyond it: the chart widens (and scales down) rather than clip it.
        double width = Math.max(MIN_WIDTH, flags.stream().mapToDouble(Flag::to).max().orElse(0) + LEFT / 2);

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg class=\"timeline\" viewBox=\"0 0 %.0f %.0f\" role=\"img\""
                + " aria-label=\"Timeline of the drill's steps\">\n", width, axisY + BELOW_AXIS));
        long ticks = Math.round(axisEndMs / tick);
        for (long i = 0; i <= ticks; i++) {
            double x = x(i * tick, axisEndMs);
            svg.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                    + " y2=\"%.1f\"/>\n", x, TOP, x, axisY + 5));
            svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s s</text>\n",
                    x, axisY + 20, html(Readable.number(i * tick / 1000))));
        }
        svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                + " y2=\"%.1f\"/>\n", LEFT, axisY, AXIS_END, axisY));
        svg.append(String.format(Locale.ROOT, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\">seconds since"
                + " the drill started</text>\n", (LEFT + AXIS_END) / 2, axisY + 42));
        for (Flag flag : flags.reversed()) {
            flag.draw(svg, axisY);
        }
        return svg.append("</svg>\n").toString();
    }

    private static double x(double ms, double axisEndMs) {
        double clamped = Math.clamp(Double.isFinite(ms) ? ms : 0, 0, axisEndMs);
        return LEFT + (AXIS_END - LEFT) * clamped / axisEndMs;
    }

    /**
     * Flags from the last step back. A pole never crosses a label: the labels in the rows it passes
     * are of later steps, so they start right of it; and a label is kept clear of the poles above it.
     */
    private static List<Flag> layout(List<Step> steps, double axisEndMs) {
        List<Flag> placed = new ArrayList<>();
        for (Step step : steps.stream().sorted(Comparator.comparingDouble(Step::atMs)).toList().reversed()) {
            double x = x(step.atMs(), axisEndMs);
            double to = x + POLE_TO_TEXT
                    + Math.max(step.name().length() * NAME_CHAR, timeLabel(step).length() * TIME_CHAR);
            int row = 0;
            while (!fits(placed, x, to, row)) {
                row++; // ends: a row above every flag has no label and no pole
            }
            placed.add(new Flag(step, x, to, row));
        }
        return placed;
    }

    private static boolean fits(List<Flag> placed, double from, double to, int row) {
        for (Flag other : placed) {
            boolean clashes = other.row == row
                    ? from < other.to + LABEL_GAP && other.x < to + LABEL_GAP
                    : other.row > row && other.x > from - POLE_CLEARANCE && other.x < to + POLE_CLEARANCE;
            if (clashes) {
                return false;
            }
        }
        return true;
    }

    private static String timeLabel(Step step) {
        return Readable.seconds(step.atMs()) + (step.ok() ? "" : " · failed");
    }

    private record Flag(Step step, double x, double to, int row) {
        void draw(StringBuilder svg, double axisY) {
            double top = axisY - AXIS_GAP - (row + 1) * ROW;
            svg.append("<g class=\"step").append(step.ok() ? "" : " failed").append("\" data-step=\"")
                    .append(html(step.name())).append("\">\n");
            svg.append("<title>").append(html(step.name() + " at " + Readable.seconds(step.atMs())
                    + (step.ok() ? "" : " (failed)") + (step.detail() == null ? "" : ": " + step.detail())))
                    .append("</title>\n");
            svg.append(String.format(Locale.ROOT, "<line class=\"pole\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                    + " y2=\"%.1f\"/>\n", x, axisY, x, top + 2));
            svg.append(String.format(Locale.ROOT, "<circle class=\"marker\" cx=\"%.1f\" cy=\"%.1f\" r=\"6\"/>\n",
                    x, axisY));
            svg.append(String.format(Locale.ROOT, "<text class=\"name\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                    x + POLE_TO_TEXT, top + 13, html(step.name())));
            svg.append(String.format(Locale.ROOT, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                    x + POLE_TO_TEXT, top + 28, html(timeLabel(step))));
            svg.append("</g>\n");
        }
    }
}
