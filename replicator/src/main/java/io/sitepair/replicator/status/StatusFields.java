package io.sitepair.replicator.status;

/** How a site puts a figure or a text into its status, the same way for both roles. */
public final class StatusFields {
    private StatusFields() {}

    /** Status leaves out what is not there. */
    public static String emptyAsNull(String text) {
        return text.isEmpty() ? null : text;
    }

    /** A rate or ratio to two decimals, as an operator reads it. */
    public static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
