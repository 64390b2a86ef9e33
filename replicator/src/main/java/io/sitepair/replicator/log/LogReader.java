package io.sitepair.replicator.log;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads a log entry by entry, verifying framing, checksums and position order.
 *
 * <p>A clean end of file returns {@code null}; a file that ends inside an entry raises
 * {@link LogTruncatedException}; anything that fails a checksum or does not decode raises
 * {@link LogCorruptException} naming the entry's position and byte offset. Nothing past a bad
 * entry is ever returned.
 */
public final class LogReader implements LogSource, Closeable {
    private final InputStream in;
    private final LogHeader header;
    private final byte[] head = new byte[EntryFrame.HEADER_SIZE + 4];
    private long offset;
    private long lastPosition;

    public LogReader(InputStream stream) throws IOException {
        CountingInput counting = new CountingInput(new BufferedInputStream(stream, 256 << 10));
        this.header = LogHeader.read(counting);
        this.in = counting;
        this.offset = counting.count;
        this.lastPosition = header.firstPosition() - 1;
    }

    private LogReader(InputStream entries, long lastPosition) {
        this.header = null;
        this.in = entries;
        this.lastPosition = lastPosition;
    }

    /**
     * Reads bare entries (no header), such as a batch from the logging channel, with every check
     * a file gets; the first entry must be at {@code lastPosition + 1}.
     */
    public static LogReader entries(InputStream entries, long lastPosition) {
        return new LogReader(entries, lastPosition);
    }

    public static LogReader open(Path file) throws IOException {
        return new LogReader(Files.newInputStream(file));
    }

    /** The file's header; null for bare entries. */
    public LogHeader header() {
        return header;
    }

    /** Position of the last entry returned (first position - 1 before any). */
    @Override
    public long lastPosition() {
        return lastPosition;
    }

    /** Byte offset just past the last entry returned. */
    public long offset() {
        return offset;
    }

    /** The next entry, or {@code null} at a clean end of the log. */
    @Override
    public LogEntry next() throws LogFormatException {
        long expected = lastPosition + 1;
        long entryOffset = offset;
        int n = readFully(head, 0, head.length);
        if (n == 0) {
            return null;
        }
        if (n < head.length) {
            throw new LogTruncatedException(lastPosition, entryOffset + n);
        }
        ByteBuffer h = ByteBuffer.wrap(head);
        if (EntryFrame.crc(h, 0, EntryFrame.HEADER_SIZE) != h.getInt(EntryFrame.HEADER_SIZE)) {
            throw new LogCorruptException(expected, entryOffset, "entry header checksum mismatch");
        }
        int length = h.getInt(0);
        long position = h.getLong(4);
        int type = h.get(12) & 0xff;
        long timestamp = h.getLong(13);
        if (length < 0 || length > EntryFrame.MAX_PAYLOAD) {
            throw new LogCorruptException(expected, entryOffset, "payload length " + length + " out of range");
        }
        if (position != expected) {
            throw new LogCorruptException(expected, entryOffset, "carries position " + position
                    + " where " + expected + " was expected");
        }
        byte[] body = new byte[length + 4];
        int got = readFully(body, 0, body.length);
        if (got < body.length) {
            throw new LogTruncatedException(lastPosition, entryOffset + head.length + got);
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        CRC32C crc = new CRC32C();
        crc.update(head, 0, EntryFrame.HEADER_SIZE);
        crc.update(body, 0, length);
        if ((int) crc.getValue() != b.getInt(length)) {
            throw new LogCorruptException(position, entryOffset, "entry checksum mismatch");
        }
        LogRecord record;
        try {
            record = LogRecord.decode(type, b.slice(0, length));
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new LogCorruptException(position, entryOffset, "undecodable payload: " + e.getMessage());
        }
        offset = entryOffset + head.length + body.length;
        lastPosition = position;
        return new LogEntry(position, timestamp, record);
    }

    private int readFully(byte[] into, int from, int length) throws LogFormatException {
        int total = 0;
        try {
            while (total < length) {
                int r = in.read(into, from + total, length - total);
                if (r < 0) {
                    break;
                }
                total += r;
            }
        } catch (IOException e) {
            throw new LogFormatException("reading log at byte " + (offset + total) + ": " + e.getMessage());
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Counts header bytes so entry offsets are exact. */
    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
