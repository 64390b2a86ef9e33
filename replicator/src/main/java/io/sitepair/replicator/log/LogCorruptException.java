package io.sitepair.replicator.log;

/** An entry failed its checksum or does not decode: the log must not be trusted past it. */
public final class LogCorruptException extends LogFormatException {
    private final long position;
    private final long byteOffset;

    public LogCorruptException(long position, long byteOffset, String what) {
        super("log entry at position " + position + " (byte offset " + byteOffset + ") is corrupt: " + what);
        this.position = position;
        this.byteOffset = byteOffset;
    }

    /** The position the corrupt entry has, or would have had as the successor of the last good one. */
    public long position() {
        return position;
    }

    public long byteOffset() {
        return byteOffset;
    }
}
