package io.sitepair.replicator.channel;

import io.netty.channel.ChannelHandlerContext;
import io.sitepair.compression.CorruptFrameException;
import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogFormatException;
import io.sitepair.replicator.log.LogReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The backup's streaming phase: verifies every batch completely (frame checksum, then every
 * entry's checksum and position) before any entry reaches the {@link ReceivedLog}, and
 * acknowledges. A bad frame refuses the primary and leaves the received log untouched; a full
 * buffer stops reading until replay drains it.
 */
final class BackupStreaming extends Phase {
    private final LogReceiver end;

    BackupStreaming(LogReceiver end) {
        super(end, "");
        this.end = end;
    }

    @Override
    boolean handle(ChannelHandlerContext ctx, ChannelMessage message) {
        if (!(message instanceof ChannelMessage.Entries entries)) {
            return false;
        }
        ReceivedLog log = end.log;
        long expected = log.received() + 1;
        List<LogEntry> batch;
        int rawBytes;
        try {
            if (entries.first() != expected || entries.last() < entries.first()) {
                throw new LogFormatException("entries " + entries.first() + ".." + entries.last()
                        + " do not follow the received position " + (expected - 1));
            }
            byte[] raw = end.codec.decode(entries.frame(), 0, entries.frame().length);
            rawBytes = raw.length;
            batch = decodeEntries(raw, entries.first(), entries.last());
        } catch (CorruptFrameException | LogFormatException e) {
            end.refuse(ctx, "bad frame (entries " + entries.first() + ".." + entries.last() + "): " + e.getMessage());
            return true;
        }
        if (log.add(batch, rawBytes)) {
            ctx.channel().config().setAutoRead(false); // resumed when replay drains the buffer
        }
        end.acknowledge(ctx.channel());
        return true;
    }

    /** Every entry of a batch, fully verified, or an exception naming the first bad one. */
    static List<LogEntry> decodeEntries(byte[] raw, long first, long last) throws LogFormatException {
        LogReader reader = LogReader.entries(new ByteArrayInputStream(raw), first - 1);
        List<LogEntry> batch = new ArrayList<>((int) Math.min(last - first + 1, 4096));
        for (LogEntry entry = reader.next(); entry != null; entry = reader.next()) {
            batch.add(entry);
        }
        if (reader.lastPosition() != last) {
            throw new LogFormatException("the batch claims entries up to " + last + " but holds them up to "
                    + reader.lastPosition());
        }
        return batch;
    }
}
