package io.sitepair.replicator.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Whether a serving site's outputs are protected by its peer, and the detail an operator reads.
 * In JSON one string, as before: {@code protected}, {@code unprotected (why)} or
 * {@code re-protecting (progress)}.
 *
 * @param detail why unprotected, or how far the re-protection is; empty when protected
 */
public record Protection(State state, String detail) {
    public enum State {
        PROTECTED("protected"),
        UNPROTECTED("unprotected"),
        REPROTECTING("re-protecting");

        private final String label;

        State(String label) {
            this.label = label;
        }
    }

    public static final Protection PROTECTED = new Protection(State.PROTECTED, "");

    public static Protection unprotected(String why) {
        return new Protection(State.UNPROTECTED, why);
    }

    public static Protection reprotecting(String progress) {
        return new Protection(State.REPROTECTING, progress);
    }

    @JsonValue
    @Override
    public String toString() {
        return detail.isEmpty() ? state.label : state.label + " (" + detail + ")";
    }

    @JsonCreator
    public static Protection parse(String text) {
        for (State state : State.values()) {
            if (text.equals(state.label)) {
                return new Protection(state, "");
            }
            if (text.startsWith(state.label + " (") && text.endsWith(")")) {
                return new Protection(state, text.substring(state.label.length() + 2, text.length() - 1));
            }
        }
        throw new IllegalArgumentException("not a protection: " + text);
    }
}
