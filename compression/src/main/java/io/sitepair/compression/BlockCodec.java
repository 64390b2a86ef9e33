package io.sitepair.compression;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Turns one batch of bytes into one self-describing, checksummed frame, and back.
 *
 * <p>Frame format, all integers big-endian and unsigned:
 * <pre>
 *   u8  magic 0xB7
 *   u8  method: 0 = stored (payload is the raw bytes), 1 = LZ4 block
 *   u32 raw length
 *   u32 payload length
 *   u32 CRC32C of the raw (uncompressed) bytes
 *   u32 CRC32C of the 14 bytes above   -- a damaged length is caught before it is trusted
 *   ... payload
 * </pre>
 * A stored frame's payload length equals its raw length; an LZ4 frame's payload is at most
 * LZ4's bound for its raw length. Decoding refuses raw lengths above the codec's limit, and
 * allocates only after the header checksum, the limit and the frame's full length have checked out.
 * An LZ4 payload is verified through the checksum of what it decodes to, so a damaged payload that
 * still decodes to the original bytes (LZ4 encodings are not unique) is accepted, harmlessly.
 *
 * <p>Threads: {@link #encode} must be called by one thread at a time, and so must {@link #decode};
 * the two sides keep separate state and may run concurrently. {@link #stats()} may be called from
 * any thread; each counter is exact, but a snapshot taken mid-frame may mix two frames.
 */
public final class BlockCodec {
    public static final int MAGIC = 0xB7;
    public static final int METHOD_STORED = 0;
    public static final int METHOD_LZ4 = 1;
    public static final int HEADER_LENGTH = 18;
    public static final int DEFAULT_MAX_RAW_LENGTH = 16 << 20;
    /** Keeps {@link #maxFrameSize} far from int overflow. */
    public static final int MAX_RAW_LENGTH_LIMIT = 1 << 30;

    private static final int CHECKED_HEADER_LENGTH = 14;

    // Adaptive bypass. On incompressible data (encrypted or already compressed guest data) LZ4
    // still reads every byte and writes a full-size output, only for the raw bytes to be copied
    // in its place. So:
    //  - frames under MIN_COMPRESS_LENGTH are always stored (LZ4 cannot gain enough on them);
    //  - LZ4 output must be at least 10% smaller than raw, or the frame is stored;
    //  - after BYPASS_AFTER incompressible frames in a row, the next `interval` eligible frames are
    //    stored without trying; then one frame probes. A failed probe doubles the interval (up to
    //    MAX_BYPASS_INTERVAL), a successful one ends the bypass and resets the interval.
    // An incompressible stream thus costs one LZ4 pass per up to 256 frames, and a stream that
    // turns compressible again is compressed after at most the current interval.
    static final int MIN_COMPRESS_LENGTH = 64;
    static final int BYPASS_AFTER = 8;
    static final int INITIAL_BYPASS_INTERVAL = 32;
    static final int MAX_BYPASS_INTERVAL = 256;

    static {
        NativeLz4.prepare();
    }

    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final int maxRawLength;
    private final LZ4Compressor compressor;
    private final LZ4SafeDecompressor decompressor;

    // Encoder state (encoding thread only).
    private int misses;
    private int bypassInterval = INITIAL_BYPASS_INTERVAL;
    private int bypassRemaining;

    // Each counter has a single writer (the encoding or the decoding thread); volatile lets any
    // thread read it.
    private volatile long rawBytes;
    private volatile long wireBytes;
    private volatile long framesCompressed;
    private volatile long framesStored;
    private volatile long lz4Attempts;
    private volatile long rawBytesDecoded;
    private volatile long wireBytesDecoded;
    private volatile long framesDecoded;

    /** A codec refusing frames of more than {@value #DEFAULT_MAX_RAW_LENGTH} raw bytes. */
    public BlockCodec() {
        this(DEFAULT_MAX_RAW_LENGTH);
    }

    /** A codec refusing to encode or decode frames of more than {@code maxRawLength} raw bytes. */
    public BlockCodec(int maxRawLength) {
        this(maxRawLength, LZ4Factory.fastestInstance());
    }

    /** For tests: pins the LZ4 implementation (native or pure Java). */
    BlockCodec(int maxRawLength, LZ4Factory lz4) {
        if (maxRawLength < 0 || maxRawLength > MAX_RAW_LENGTH_LIMIT) {
            throw new IllegalArgumentException("maxRawLength " + maxRawLength
                    + " outside [0, " + MAX_RAW_LENGTH_LIMIT + "]");
        }
        this.maxRawLength = maxRawLength;
        this.compressor = lz4.fastCompressor();
        this.decompressor = lz4.safeDecompressor();
    }

    public int maxRawLength() {
        return maxRawLength;
    }

    /** The room {@link #encode(byte[], int, int, byte[], int)} needs for {@code rawLength} bytes. */
    public int maxFrameSize(int rawLength) {
        checkRawLength(rawLength);
        return HEADER_LENGTH + compressor.maxCompressedLength(rawLength);
    }

    /** Encodes {@code raw[offset, offset+length)} into a new array holding exactly the frame. */
    public byte[] encode(byte[] raw, int offset, int length) {
        byte[] out = new byte[maxFrameSize(length)];
        int n = encode(raw, offset, length, out, 0);
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * Encodes {@code raw[off, off+len)} into {@code out} at {@code outOff}, which must have
     * {@link #maxFrameSize maxFrameSize(len)} bytes of room. Returns the frame's length.
     */
    public int encode(byte[] raw, int off, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, raw.length);
        Objects.checkFromIndexSize(outOff, maxFrameSize(len), out.length);
        int payloadOff = outOff + HEADER_LENGTH;
        int method = METHOD_STORED;
        int payloadLen = len;
        if (len >= MIN_COMPRESS_LENGTH) {
            if (bypassRemaining > 0) {
                bypassRemaining--;
            } else {
                lz4Attempts++;
                int compressed = compressor.compress(raw, off, len, out, payloadOff,
                        compressor.maxCompressedLength(len));
                if (compressed <= len - len / 10) {
                    method = METHOD_LZ4;
                    payloadLen = compressed;
                    misses = 0;
                    bypassInterval = INITIAL_BYPASS_INTERVAL;
                } else {
                    missed();
                }
            }
        }
        if (method == METHOD_STORED) {
            System.arraycopy(raw, off, out, payloadOff, len);
        }
        out[outOff] = (byte) MAGIC;
        out[outOff + 1] = (byte) method;
        INT_BE.set(out, outOff + 2, len);
        INT_BE.set(out, outOff + 6, payloadLen);
        INT_BE.set(out, outOff + 10, crc(raw, off, len));
        INT_BE.set(out, outOff + 14, crc(out, outOff, CHECKED_HEADER_LENGTH));

        int frameLen = HEADER_LENGTH + payloadLen;
        rawBytes += len;
        wireBytes += frameLen;
        if (method == METHOD_LZ4) {
            framesCompressed++;
        } else {
            framesStored++;
        }
        return frameLen;
    }

    private void missed() {
        misses = Math.min(misses + 1, BYPASS_AFTER + 1);
        if (misses == BYPASS_AFTER) {
            bypassRemaining = bypassInterval;
        } else if (misses > BYPASS_AFTER) { // a probe after a bypass failed: back off further
            bypassInterval = Math.min(bypassInterval * 2, MAX_BYPASS_INTERVAL);
            bypassRemaining = bypassInterval;
        }
    }

    /**
     * Validates the header at {@code buf[off, off+HEADER_LENGTH)} and returns the length of the
     * whole frame it starts, for cutting frames out of a stream before they have fully arrived.
     *
     * @throws CorruptFrameException if the header is damaged or claims more than the limit
     */
    public int frameLength(byte[] buf, int off) {
        Objects.checkFromIndexSize(off, HEADER_LENGTH, buf.length);
        int magic = buf[off] & 0xFF;
        if (magic != MAGIC) {
            throw new CorruptFrameException(String.format("bad magic 0x%02X (expected 0x%02X)", magic, MAGIC));
        }
        int headerCrc = (int) INT_BE.get(buf, off + 14);
        int actualCrc = crc(buf, off, CHECKED_HEADER_LENGTH);
        if (headerCrc != actualCrc) {
            throw new CorruptFrameException(String.format(
                    "header checksum mismatch (header says %08x, computed %08x)", headerCrc, actualCrc));
        }
        // From here on the fields are what the encoder wrote; checks below catch a different or
        // buggy encoder, or a frame meant for a codec with a higher limit.
        int method = buf[off + 1] & 0xFF;
        if (method != METHOD_STORED && method != METHOD_LZ4) {
            throw new CorruptFrameException("unknown method " + method);
        }
        long rawLen = Integer.toUnsignedLong((int) INT_BE.get(buf, off + 2));
        long payloadLen = Integer.toUnsignedLong((int) INT_BE.get(buf, off + 6));
        if (rawLen > maxRawLength) {
            throw new CorruptFrameException("raw length " + rawLen + " exceeds limit " + maxRawLength);
        }
        long maxPayload = method == METHOD_STORED ? rawLen : compressor.maxCompressedLength((int) rawLen);
        if (method == METHOD_STORED ? payloadLen != rawLen : payloadLen > maxPayload) {
            throw new CorruptFrameException("payload length " + payloadLen + " impossible for "
                    + (method == METHOD_STORED ? "a stored" : "an LZ4") + " frame of raw length " + rawLen);
        }
        return HEADER_LENGTH + (int) payloadLen;
    }

    /** The raw length of the frame whose header, already accepted by {@link #frameLength}, is at {@code off}. */
    private static int rawLength(byte[] buf, int off) {
        return (int) INT_BE.get(buf, off + 2);
    }

    /** Decodes the frame that is exactly {@code frame[offset, offset+length)}. */
    public byte[] decode(byte[] frame, int offset, int length) {
        int frameLen = checkExtent(frame, offset, length);
        byte[] raw = new byte[rawLength(frame, offset)]; // the header is trusted now
        decodeChecked(frame, offset, frameLen, raw, 0);
        return raw;
    }

    /**
     * Decodes the frame that is exactly {@code frame[off, off+len)} into {@code out} at
     * {@code outOff} and returns the raw length. If it throws, {@code out} may hold garbage.
     */
    public int decode(byte[] frame, int off, int len, byte[] out, int outOff) {
        return decodeChecked(frame, off, checkExtent(frame, off, len), out, outOff);
    }

    private int decodeChecked(byte[] frame, int off, int frameLen, byte[] out, int outOff) {
        int method = frame[off + 1] & 0xFF;
        int rawLen = rawLength(frame, off);
        int payloadLen = frameLen - HEADER_LENGTH;
        int payloadOff = off + HEADER_LENGTH;
        Objects.checkFromIndexSize(outOff, rawLen, out.length);
        if (method == METHOD_STORED) {
            System.arraycopy(frame, payloadOff, out, outOff, rawLen);
        } else {
            int n;
            try {
                n = decompressor.decompress(frame, payloadOff, payloadLen, out, outOff, rawLen);
            } catch (LZ4Exception e) {
                throw new CorruptFrameException("LZ4 decompression failed: " + e.getMessage(), e);
            }
            if (n != rawLen) {
                throw new CorruptFrameException("LZ4 decompression produced " + n
                        + " bytes, header says " + rawLen);
            }
        }
        int dataCrc = (int) INT_BE.get(frame, off + 10);
        int actualCrc = crc(out, outOff, rawLen);
        if (dataCrc != actualCrc) {
            throw new CorruptFrameException(String.format(
                    "data checksum mismatch (header says %08x, computed %08x)", dataCrc, actualCrc));
        }
        rawBytesDecoded += rawLen;
        wireBytesDecoded += frameLen;
        framesDecoded++;
        return rawLen;
    }

    /** Validates the header and that {@code len} is exactly the frame's length; returns it. */
    private int checkExtent(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (len < HEADER_LENGTH) {
            throw truncated(HEADER_LENGTH, len);
        }
        int frameLen = frameLength(frame, off);
        if (len < frameLen) {
            throw truncated(frameLen, len);
        }
        if (len > frameLen) {
            throw new CorruptFrameException("payload length mismatch (frame has " + (len - HEADER_LENGTH)
                    + " payload bytes, header says " + (frameLen - HEADER_LENGTH) + ")");
        }
        return frameLen;
    }

    private static CorruptFrameException truncated(int needs, int has) {
        return new CorruptFrameException("truncated frame (needs " + needs + " bytes, has " + has + ")");
    }

    private void checkRawLength(int rawLength) {
        if (rawLength < 0 || rawLength > maxRawLength) {
            throw new IllegalArgumentException("raw length " + rawLength + " outside [0, " + maxRawLength + "]");
        }
    }

    private static int crc(byte[] buf, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buf, off, len);
        return (int) crc.getValue();
    }

    public CodecStats stats() {
        return new CodecStats(rawBytes, wireBytes, framesCompressed, framesStored, lz4Attempts,
                rawBytesDecoded, wireBytesDecoded, framesDecoded);
    }
}
