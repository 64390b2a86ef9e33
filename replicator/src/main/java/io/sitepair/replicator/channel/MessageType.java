package io.sitepair.replicator.channel;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The one table of the channel's message types: each message's code on the wire (the u8 before
 * its body) and how its body is read. Codes are part of the protocol: never reuse or renumber one.
 */
enum MessageType {
    HELLO(1, ChannelMessage.Hello.class, ChannelMessage.Hello::read),
    WELCOME(2, ChannelMessage.Welcome.class, ChannelMessage.Welcome::read),
    PROOF(3, ChannelMessage.Proof.class, ChannelMessage.Proof::read),
    REFUSED(4, ChannelMessage.Refused.class, ChannelMessage.Refused::read),
    ENTRIES(5, ChannelMessage.Entries.class, ChannelMessage.Entries::read),
    ACK(6, ChannelMessage.Ack.class, ChannelMessage.Ack::read),
    DIVERGED(7, ChannelMessage.Diverged.class, ChannelMessage.Diverged::read),
    COPY_BLOCKS(8, ChannelMessage.CopyBlocks.class, ChannelMessage.CopyBlocks::read),
    COPY_STATE(9, ChannelMessage.CopyState.class, ChannelMessage.CopyState::read),
    COPY_DONE(10, ChannelMessage.CopyDone.class, ChannelMessage.CopyDone::read),
    RESYNC_FROM(11, ChannelMessage.ResyncFrom.class, ChannelMessage.ResyncFrom::read),
    WRITTEN_BLOCKS(12, ChannelMessage.WrittenBlocks.class, ChannelMessage.WrittenBlocks::read),
    VERIFY_REPORT(13, ChannelMessage.VerifyReport.class, ChannelMessage.VerifyReport::read),
    COPY_PLAN(14, ChannelMessage.CopyPlan.class, ChannelMessage.CopyPlan::read),
    ZERO_BLOCKS(15, ChannelMessage.ZeroBlocks.class, ChannelMessage.ZeroBlocks::read);

    private static final MessageType[] BY_CODE = new MessageType[256];
    private static final Map<Class<?>, MessageType> BY_CLASS = new HashMap<>();

    static {
        for (MessageType type : values()) {
            BY_CODE[type.code] = type;
            BY_CLASS.put(type.messageClass, type);
        }
    }

    private final int code;
    private final Class<? extends ChannelMessage> messageClass;
    private final Function<ByteBuf, ChannelMessage> reader;

    MessageType(int code, Class<? extends ChannelMessage> messageClass, Function<ByteBuf, ChannelMessage> reader) {
        this.code = code;
        this.messageClass = messageClass;
        this.reader = reader;
    }

    int code() {
        return code;
    }

    static MessageType of(ChannelMessage message) {
        return BY_CLASS.get(message.getClass());
    }

    /** Writes {@code message} as its code and body (without the length prefix). */
    static void encode(ChannelMessage message, ByteBuf out) {
        out.writeByte(of(message).code);
        message.writeBody(out);
    }

    /** Decodes one message (without its length prefix); {@link ChannelMessage.MalformedMessage} says what is wrong. */
    static ChannelMessage decode(ByteBuf in) {
        if (!in.isReadable()) {
            throw new ChannelMessage.MalformedMessage("empty message");
        }
        int code = in.readUnsignedByte();
        MessageType type = BY_CODE[code];
        if (type == null) {
            throw new ChannelMessage.MalformedMessage("unknown message type " + code);
        }
        try {
            ChannelMessage message = type.reader.apply(in);
            if (in.isReadable()) {
                throw new ChannelMessage.MalformedMessage(in.readableBytes() + " trailing bytes after message type "
                        + code);
            }
            return message;
        } catch (IndexOutOfBoundsException e) {
            throw new ChannelMessage.MalformedMessage("message type " + code + " is shorter than its fields");
        }
    }
}
