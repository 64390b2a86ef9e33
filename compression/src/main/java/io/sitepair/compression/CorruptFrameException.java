package io.sitepair.compression;

/**
 * A frame failed validation: its bytes must not be trusted, and since the frame's extent may be
 * wrong too, neither may the stream after it. The message says what was wrong.
 */
public final class CorruptFrameException extends RuntimeException {
    public CorruptFrameException(String message) {
        super(message);
    }

    public CorruptFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
