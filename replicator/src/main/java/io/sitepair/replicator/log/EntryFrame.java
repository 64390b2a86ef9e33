package io.sitepair.replicator.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How one log entry is framed, in files and (later) on the wire.
 *
 * <pre>
 *   u32 payload length
 *   u64 position
 *   u8  record type
 *   i64 primary timestamp (ns since the Unix epoch)
 *   u32 CRC32C of the 21 bytes above    -- a damaged length is caught before it is trusted
 *   ... payload
 *   u32 CRC32C of header and payload
 * </pre>
 */
public final class EntryFrame {
    public static final int HEADER_SIZE = 4 + 8 + 1 + 8;
    public static final int OVERHEAD = HEADER_SIZE + 4 + 4;
    /** Larger payloads are refused as corrupt rather than allocated. */
    public static final int MAX_PAYLOAD = 2 << 20;

    private EntryFrame() {}

    public static int frameSize(LogRecord record) {
        return OVERHEAD + record.payloadSize();
    }

    /** Writes the framed entry at {@code out}'s position. */
    public static void encode(long position, long timestampNanos, LogRecord record, ByteBuffer out) {
        int payloadSize = record.payloadSize();
        if (payloadSize > MAX_PAYLOAD) {
            throw new IllegalArgumentException(record.describe() + ": payload of " + payloadSize
                    + " bytes exceeds the log's limit of " + MAX_PAYLOAD);
        }
        int start = out.position();
        out.putInt(payloadSize).putLong(position).put((byte) record.type()).putLong(timestampNanos);
        out.putInt(crc(out, start, HEADER_SIZE));
        int payloadStart = out.position();
        record.writePayload(out);
        CRC32C crc = new CRC32C();
        crc.update(out.slice(start, HEADER_SIZE));
        crc.update(out.slice(payloadStart, payloadSize));
        out.putInt((int) crc.getValue());
    }

    static int crc(ByteBuffer buffer, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(offset, length));
        return (int) crc.getValue();
    }
}
