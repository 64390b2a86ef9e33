package io.sitepair.replicator.nic;

import java.io.ByteArrayOutputStream;

/**
 * The TCP options a server's SYN handling reads (RFC 9293, RFC 7323), parsed from and built into
 * raw option bytes. -1 means absent.
 */
public record TcpOptions(int mss, int windowScale) {
    public static final int END = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WINDOW_SCALE = 3;
    public static final TcpOptions NONE = new TcpOptions(-1, -1);

    /** Option bytes: MSS, then NOP and window scale, padded to a multiple of 4. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (mss >= 0) {
            out.writeBytes(new byte[] {MSS, 4, (byte) (mss >>> 8), (byte) mss});
        }
        if (windowScale >= 0) {
            out.writeBytes(new byte[] {NOP, WINDOW_SCALE, 3, (byte) windowScale});
        }
        return out.toByteArray();
    }

    /** Reads MSS and window scale, skipping other kinds; throws on a length that runs past the end or is below 2. */
    public static TcpOptions parse(byte[] options) {
        int mss = -1;
        int windowScale = -1;
        int at = 0;
        while (at < options.length) {
            int kind = options[at] & 0xff;
            if (kind == END) {
                break;
            }
            if (kind == NOP) {
                at++;
                continue;
            }
            int length = at + 1 < options.length ? options[at + 1] & 0xff : 0;
            if (length < 2 || at + length > options.length) {
                throw new MalformedFrameException("TCP option " + kind + " at " + at + " has length " + length
                        + " in " + options.length + " bytes of options");
            }
            if (kind == MSS && length == 4) {
                mss = (options[at + 2] & 0xff) << 8 | (options[at + 3] & 0xff);
            } else if (kind == WINDOW_SCALE && length == 3) {
                windowScale = options[at + 2] & 0xff;
            }
            at += length;
        }
        return new TcpOptions(mss, windowScale);
    }
}
