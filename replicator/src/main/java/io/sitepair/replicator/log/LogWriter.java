package io.sitepair.replicator.log;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** Appends framed entries with consecutive positions after a {@link LogHeader}. */
public final class LogWriter implements LogAppender, Closeable {
    private final OutputStream out;
    private final LongSupplier clock;
    private ByteBuffer frame = ByteBuffer.allocate(64 << 10);
    private long lastPosition;
    private long bytesWritten;

    public LogWriter(OutputStream stream, LogHeader header, LongSupplier wallClockNanos) throws IOException {
        this.out = new BufferedOutputStream(stream, 256 << 10);
        this.clock = wallClockNanos;
        this.lastPosition = header.firstPosition() - 1;
        header.write(out);
    }

    public static LogWriter create(Path file, LogHeader header, LongSupplier wallClockNanos) throws IOException {
        return new LogWriter(Files.newOutputStream(file), header, wallClockNanos);
    }

    @Override
    public long append(LogRecord record) {
        int size = EntryFrame.frameSize(record);
        if (size > frame.capacity()) {
            frame = ByteBuffer.allocate(Math.max(size, frame.capacity() * 2));
        }
        frame.clear();
        long position = lastPosition + 1;
        EntryFrame.encode(position, clock.getAsLong(), record, frame);
        try {
            out.write(frame.array(), 0, frame.position());
        } catch (IOException e) {
            throw new UncheckedIOException("appending log entry " + position, e);
        }
        bytesWritten += frame.position();
        lastPosition = position;
        return position;
    }

    @Override
    public long lastPosition() {
        return lastPosition;
    }

    /** Bytes of entries written (header excluded). */
    public long bytesWritten() {
        return bytesWritten;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
