package io.sitepair.replicator.log;

/** The log ends in the middle of an entry, as a crashed writer leaves it. */
public final class LogTruncatedException extends LogFormatException {
    private final long lastCompletePosition;
    private final long byteOffset;

    public LogTruncatedException(long lastCompletePosition, long byteOffset) {
        super("log is truncated: it ends at byte " + byteOffset + " inside entry " + (lastCompletePosition + 1)
                + "; the last complete entry is " + lastCompletePosition);
        this.lastCompletePosition = lastCompletePosition;
        this.byteOffset = byteOffset;
    }

    public long lastCompletePosition() {
        return lastCompletePosition;
    }

    public long byteOffset() {
        return byteOffset;
    }
}
