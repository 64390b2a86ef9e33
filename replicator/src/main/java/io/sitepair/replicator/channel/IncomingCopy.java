package io.sitepair.replicator.channel;

import io.sitepair.compression.BlockCodec;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Re-protection as the backup's end of the channel carries it: what the Welcome tells the primary
 * about this site's disks, and, per authenticated connection, a session that takes the copy
 * messages in the order they arrive. The resync package provides it. On the backup's network loop.
 */
public interface IncomingCopy {
    /**
     * What the Welcome says: whether this site wants a full copy, its disks' history, and the start
     * of an interrupted copy from the primary {@code primary} it can resume (null: none).
     */
    record Offer(boolean wantsCopy, List<Lineage.Entry> lineage, long lastPosition, Stamp resume) {}

    /** The offer to site {@code primary}; throws {@link IllegalStateException} when this site is stopping. */
    Offer offer(String primary);

    /** A copy from site {@code primary} over one connection, whose frames {@code codec} decodes. */
    Session open(String primary, BlockCodec codec, Link link);

    /** The copy messages of one connection. */
    interface Session {
        /**
         * Takes a copy message ({@code ResyncFrom}, {@code CopyPlan}, {@code CopyBlocks},
         * {@code ZeroBlocks}, {@code CopyState}, {@code CopyDone}); false if it is not due now.
         */
        boolean handle(ChannelMessage message);
    }

    /** What a session may do with its connection. */
    interface Link {
        /** Writes a message (sent on {@link #flush}). */
        void write(ChannelMessage message);

        void flush();

        /** Refuses the primary with {@code reason} and closes the connection. */
        void refuse(String reason);

        /**
         * Messages after this one wait until {@code step} completes (reading stops meanwhile, so TCP
         * pushes back), then {@code next} runs; if it fails, the connection is refused with
         * {@code failure} and its message.
         */
        void after(CompletableFuture<Void> step, String failure, Runnable next);

        /** This site's received log position. */
        long received();

        /** The copy is complete: this site acknowledges what it holds now, and entries follow. */
        void copied();
    }
}
