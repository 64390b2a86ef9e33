package io.sitepair.replicator.channel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.ReadTimeoutException;

/**
 * The backup's handshake on one connection: checks the primary's Hello ({@link Handshake#refusal}),
 * answers with a Welcome that proves this site knows the pair's secret and says what it holds,
 * and checks the primary's proof in turn. A primary that does not complete it within the handshake
 * limit is dropped.
 */
final class BackupHandshake extends Phase {
    private final LogReceiver end;
    private ChannelMessage.Hello hello;
    private ChannelMessage.Welcome welcome;
    private byte[] binding;

    BackupHandshake(LogReceiver end) {
        super(end, " before the handshake completed");
        this.end = end;
    }

    @Override
    boolean handle(ChannelHandlerContext ctx, ChannelMessage message) {
        switch (message) {
            case ChannelMessage.Hello h when hello == null -> greet(ctx, h);
            case ChannelMessage.Proof proof when welcome != null -> prove(ctx, proof);
            default -> {
                return false;
            }
        }
        return true;
    }

    private void greet(ChannelHandlerContext ctx, ChannelMessage.Hello h) {
        hello = h;
        binding = ChannelTls.binding(ctx.channel());
        String refusal = end.state() == ChannelEnd.State.STOPPED ? "this backup is stopping"
                : Handshake.refusal(h, end.me, end.epoch, end.streamId());
        if (refusal != null) {
            end.refuse(ctx, refusal);
            return;
        }
        IncomingCopy.Offer offer;
        try {
            offer = end.copies.offer(h.site());
        } catch (IllegalStateException closed) {
            end.refuse(ctx, "this backup is stopping");
            return;
        }
        ChannelMessage.Welcome unsigned = new ChannelMessage.Welcome(end.me.site(), end.epoch, end.streamId(),
                end.log.received(), offer.wantsCopy(), offer.lineage(), offer.lastPosition(), offer.resume(),
                Handshake.nonce(), new byte[0]);
        welcome = new ChannelMessage.Welcome(unsigned.site(), unsigned.epoch(), unsigned.streamId(),
                unsigned.received(), unsigned.wantsCopy(), unsigned.lineage(), unsigned.lastPosition(),
                unsigned.resume(), unsigned.nonce(), Handshake.welcomeMac(end.me.secret(), binding, h, unsigned));
        ctx.writeAndFlush(welcome);
    }

    private void prove(ChannelHandlerContext ctx, ChannelMessage.Proof proof) {
        if (!Handshake.verify(Handshake.proofMac(end.me.secret(), binding, hello, welcome), proof.mac())) {
            end.refuse(ctx, "the primary did not prove it knows the pair's secret");
            return;
        }
        end.authenticated(ctx, hello, welcome);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException) {
            end.problem("no handshake from the primary within " + end.handshakeLimit() + "; dropping its connection");
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
