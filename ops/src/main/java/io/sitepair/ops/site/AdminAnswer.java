package io.sitepair.ops.site;

/**
 * A site's answer to an operation: its HTTP status, and in words what it did ({@code 200}) or why
 * not (the problem document's detail).
 */
public record AdminAnswer(int status, String text) {
    public boolean ok() {
        return status == 200;
    }
}
