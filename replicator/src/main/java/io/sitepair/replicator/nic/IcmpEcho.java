package io.sitepair.replicator.nic;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** An ICMP echo request or reply (RFC 792): what ping sends and expects back. */
public record IcmpEcho(int type, int identifier, int sequence, byte[] data) {
    public static final int REPLY = 0;
    public static final int REQUEST = 8;
    public static final int HEADER = 8;

    /** The message with its checksum computed. */
    public byte[] encode() {
        byte[] message = new byte[HEADER + data.length];
        ByteBuffer.wrap(message).put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) identifier)
                .putShort((short) sequence).put(data);
        int checksum = InternetChecksum.of(message, 0, message.length);
        message[2] = (byte) (checksum >>> 8);
        message[3] = (byte) checksum;
        return message;
    }

    public static IcmpEcho parse(byte[] message) {
        if (message.length < HEADER) {
            throw new MalformedFrameException("ICMP message of " + message.length + " bytes, shorter than its header");
        }
        if (InternetChecksum.of(message, 0, message.length) != 0) {
            throw new MalformedFrameException("ICMP checksum is wrong");
        }
        int type = message[0] & 0xff;
        if ((type != REQUEST && type != REPLY) || message[1] != 0) {
            throw new MalformedFrameException("ICMP type " + type + " code " + message[1] + " is not an echo");
        }
        ByteBuffer in = ByteBuffer.wrap(message);
        return new IcmpEcho(type, in.getShort(4) & 0xffff, in.getShort(6) & 0xffff,
                Arrays.copyOfRange(message, HEADER, message.length));
    }
}
