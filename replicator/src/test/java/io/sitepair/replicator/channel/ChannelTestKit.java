package io.sitepair.replicator.channel;

import io.netty.channel.Channel;
import io.sitepair.compression.BlockCodec;
import io.sitepair.replicator.tls.TlsIdentity;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/** What the logging channel's socket tests share: identities, ends that copy nothing, waiting. */
final class ChannelTestKit {
    static final byte[] SECRET = "0123456789abcdef0123".getBytes();
    static final byte[] GUEST = new byte[32];

    private ChannelTestKit() {}

    static PairIdentity identity(String pair, byte[] secret, String site, String peer, TlsIdentity tls) {
        return new PairIdentity(pair, secret, site, peer, GUEST, "amd64", List.of(16384L), false, tls);
    }

    /** A backup that takes no copies. */
    static final IncomingCopy NO_COPY = new IncomingCopy() {
        public Offer offer(String primary) { return new Offer(false, List.of(), 0, null); }
        public Session open(String primary, BlockCodec codec, Link link) { return message -> false; }
    };

    /** A primary whose backups never need one. */
    static final OutgoingCopy NO_RESYNC = new OutgoingCopy() {
        public Session begin(Channel connection, long epoch, ChannelMessage.Welcome welcome, LongConsumer copied) {
            throw new AssertionError("no copy expected");
        }
        public String limitNext(long rate) { throw new AssertionError("no copy expected"); }
    };

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(20);
        }
    }
}
