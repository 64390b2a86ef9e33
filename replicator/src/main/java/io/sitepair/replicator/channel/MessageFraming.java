package io.sitepair.replicator.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/** The logging channel's pipeline below the protocol: length framing and message (de)coding. */
final class MessageFraming {
    private MessageFraming() {}

    static void install(ChannelPipeline pipeline) {
        pipeline.addLast("frames", new LengthFieldBasedFrameDecoder(ChannelMessage.MAX_MESSAGE, 0, 4, 0, 4));
        pipeline.addLast("length", new LengthFieldPrepender(4));
        pipeline.addLast("decode", new Decoder());
        pipeline.addLast("encode", new Encoder());
    }

    private static final class Decoder extends MessageToMessageDecoder<ByteBuf> {
        Decoder() {
            super(ByteBuf.class);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
            out.add(MessageType.decode(frame));
        }
    }

    private static final class Encoder extends MessageToByteEncoder<ChannelMessage> {
        Encoder() {
            super(ChannelMessage.class);
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, ChannelMessage message, ByteBuf out) {
            MessageType.encode(message, out);
        }
    }
}
