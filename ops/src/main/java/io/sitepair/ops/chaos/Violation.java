package io.sitepair.ops.chaos;

/**
 * A named property of a cycle's history that was broken ({@code check}, e.g. "lost-write"), with
 * enough detail for an operator to find the operations concerned in the history.
 */
public record Violation(String check, String detail) {
    @Override
    public String toString() {
        return check + ": " + detail;
    }
}
