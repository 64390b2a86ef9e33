package io.sitepair.ops.drill.report;

/** Round axis ticks for the report's charts: steps of 1, 2 or 5 times a power of ten. */
final class Ticks {
    private Ticks() {}

    /** The round step that divides {@code span} into about {@code count} intervals. */
    static double step(double span, int count) {
        double raw = (span > 0 ? span : 1) / count;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (int multiple : new int[] {1, 2, 5}) {
            if (multiple * power >= raw) {
                return multiple * power;
            }
        }
        return 10 * power;
    }

    /** The axis's end: the first multiple of {@code step} at or beyond {@code max}, at least one step. */
    static double end(double max, double step) {
        return Math.max(step, Math.ceil(max / step - 1e-9) * step);
    }
}
