package io.sitepair.replicator.channel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutException;

/**
 * The primary's handshake on one connection: sends the Hello (with TLS, once the TLS handshake
 * succeeded), checks the backup's Welcome (its proof of the secret, its site and epoch, what it
 * holds), answers with this site's proof, and hands the connection to streaming or to a copy. A
 * backup that does not answer within the handshake limit is dropped, and dialled again.
 */
final class PrimaryHandshake extends Phase {
    private final LogShipper end;
    private ChannelMessage.Hello hello;
    private byte[] binding;

    PrimaryHandshake(LogShipper end) {
        super(end, " while " + ChannelEnd.State.HANDSHAKING);
        this.end = end;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        end.state = ChannelEnd.State.HANDSHAKING;
        if (!ChannelTls.secured(ctx.channel())) {
            sendHello(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == SslHandshakeCompletionEvent.SUCCESS) {
            sendHello(ctx);
        }
        ctx.fireUserEventTriggered(event);
    }

    private void sendHello(ChannelHandlerContext ctx) {
        PairIdentity me = end.me;
        binding = ChannelTls.binding(ctx.channel());
        hello = new ChannelMessage.Hello(ChannelMessage.PROTOCOL_VERSION, me.pair(), me.site(), end.epoch,
                me.guestHash(), me.arch(), me.diskBlocks(), me.loggedReads(), end.streamId, Handshake.nonce());
        ctx.writeAndFlush(hello);
    }

    @Override
    boolean handle(ChannelHandlerContext ctx, ChannelMessage message) {
        if (!(message instanceof ChannelMessage.Welcome welcome)) {
            return false;
        }
        PairIdentity me = end.me;
        if (!Handshake.verify(Handshake.welcomeMac(me.secret(), binding, hello, welcome.unsigned()), welcome.mac())) {
            end.refuse(ctx, "the backup did not prove it knows the pair's secret");
            return true;
        }
        if (!welcome.site().equals(me.peer()) || welcome.epoch() != end.epoch) {
            end.refuse(ctx, "the backup is site '" + welcome.site() + "' at epoch " + welcome.epoch()
                    + "; expected site '" + me.peer() + "' at epoch " + end.epoch);
            return true;
        }
        String copyReason = copyReason(welcome);
        if (copyReason == null && welcome.received() > end.log.lastPosition()) {
            end.refuse(ctx, "the backup holds the log up to position " + welcome.received() + ", beyond this"
                    + " primary's last position " + end.log.lastPosition());
            return true;
        }
        // Flushed at once: the backup's handshake limit runs until the proof arrives.
        ctx.writeAndFlush(new ChannelMessage.Proof(Handshake.proofMac(me.secret(), binding, hello, welcome)));
        end.welcomed(ctx, welcome, copyReason);
        return true;
    }

    /** Why the backup that sent {@code welcome} must be copied before entries stream to it; null: it need not. */
    private String copyReason(ChannelMessage.Welcome welcome) {
        if (welcome.wantsCopy()) {
            return "its disks are marked inconsistent";
        }
        if (end.copyRequired) {
            return "it must rejoin epoch " + end.epoch;
        }
        long firstHeld = end.log.firstHeld();
        if (welcome.received() < firstHeld - 1) {
            return "it holds the log up to position " + welcome.received() + " and this site from " + firstHeld;
        }
        return null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException) {
            // A connection can be accepted and never served (a backup restarting in its process
            // on the same port, a hung peer).
            end.problem("no answer to the handshake within " + end.handshakeLimit() + "; dialling again");
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
