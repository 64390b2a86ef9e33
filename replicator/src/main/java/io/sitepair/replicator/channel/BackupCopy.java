package io.sitepair.replicator.channel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The backup's copy phase, in front of streaming: hands the copy messages to the connection's
 * {@link IncomingCopy.Session} and passes the rest on. While a step of the copy finishes off the
 * loop (its plan and its completion are durable writes), everything that arrives waits here in
 * order, and reading stops, so TCP pushes back.
 */
final class BackupCopy extends ChannelInboundHandlerAdapter implements IncomingCopy.Link {
    private final LogReceiver end;
    private final String primary;
    private final ArrayDeque<ChannelMessage> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private IncomingCopy.Session session;
    private boolean stepPending;

    /** The copy phase of a connection from site {@code primary}. */
    BackupCopy(LogReceiver end, String primary) {
        this.end = end;
        this.primary = primary;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        session = end.copies.open(primary, end.codec, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (stepPending) {
            waiting.add((ChannelMessage) message);
        } else {
            dispatch((ChannelMessage) message);
        }
    }

    private void dispatch(ChannelMessage message) {
        boolean copyMessage = message instanceof ChannelMessage.ResyncFrom || message instanceof ChannelMessage.CopyPlan
                || message instanceof ChannelMessage.CopyBlocks || message instanceof ChannelMessage.ZeroBlocks
                || message instanceof ChannelMessage.CopyState || message instanceof ChannelMessage.CopyDone;
        if (!copyMessage) {
            ctx.fireChannelRead(message);
        } else if (!session.handle(message)) {
            end.refuse(ctx, "unexpected " + message.getClass().getSimpleName());
        }
    }

    @Override
    public void after(CompletableFuture<Void> step, String failure, Runnable next) {
        stepPending = true;
        ctx.channel().config().setAutoRead(false);
        step.whenComplete((ok, error) -> ctx.executor().execute(() -> {
            stepPending = false;
            if (error != null) {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                end.refuse(ctx, failure + ": " + (cause.getMessage() != null ? cause.getMessage() : cause));
                return;
            }
            next.run();
            while (!stepPending && !ChannelEnd.refused(ctx.channel()) && !waiting.isEmpty()) {
                dispatch(waiting.poll());
            }
            if (!stepPending) {
                ctx.channel().config().setAutoRead(true);
            }
        }));
    }

    @Override
    public void write(ChannelMessage message) {
        ctx.write(message);
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void refuse(String reason) {
        end.refuse(ctx, reason);
    }

    @Override
    public long received() {
        return end.log.received();
    }

    @Override
    public void copied() {
        end.acknowledge(ctx.channel());
    }
}
