package io.sitepair.replicator.channel;

import io.netty.channel.Channel;
import io.sitepair.replicator.status.ResyncStatus;
import java.io.IOException;
import java.util.function.LongConsumer;

/**
 * Re-protection as the primary's end of the channel runs it: when the backup cannot continue from
 * what it holds, the connection is handed to a copy, and entries stream once the copy is done.
 * The resync package provides it; the channel only carries its messages. On the primary's loop.
 */
public interface OutgoingCopy {
    /**
     * Begins a copy, at this site's {@code epoch}, to the backup that sent {@code welcome} over
     * {@code connection}; {@code copied} gets the log position the copy holds, on the loop, once
     * it is complete.
     */
    Session begin(Channel connection, long epoch, ChannelMessage.Welcome welcome, LongConsumer copied)
            throws IOException;

    /** With no copy under way, an operator's rate limit (bytes/s) for the next one; says what it did. */
    String limitNext(long rate);

    /** One copy over one connection. */
    interface Session {
        /** The backup's side of the plan; returns why it is refused, or null. */
        String backupBlocks(ChannelMessage.WrittenBlocks written);

        /** The connection takes more again. */
        void writable();

        /** The connection broke; returns whether blocks were being copied (the backup resumes them next time). */
        boolean abort();

        /** One line for the primary's protection status. */
        String progress();

        /** The plan and figures, for status. */
        ResyncStatus status();

        /** An operator's go-ahead, or new rate; returns what it did, throws why not. */
        String approve(long rate, String discard);
    }
}
