package io.sitepair.compression;

import static io.sitepair.compression.BlockCodec.BYPASS_AFTER;
import static io.sitepair.compression.BlockCodec.HEADER_LENGTH;
import static io.sitepair.compression.BlockCodec.INITIAL_BYPASS_INTERVAL;
import static io.sitepair.compression.BlockCodec.MAX_BYPASS_INTERVAL;
import static io.sitepair.compression.BlockCodec.METHOD_LZ4;
import static io.sitepair.compression.BlockCodec.METHOD_STORED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ObjIntConsumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BlockCodecTest {

    /** The native and the pure-Java LZ4 must both round-trip and both catch corruption. */
    static Stream<LZ4Factory> factories() {
        return Stream.of(LZ4Factory.fastestInstance(), LZ4Factory.safeInstance());
    }

    static Stream<byte[]> inputs() {
        return Stream.of(
                new byte[0],
                new byte[] {42},
                TestData.logLike(BlockCodec.MIN_COMPRESS_LENGTH - 1, 1),
                TestData.logLike(BlockCodec.MIN_COMPRESS_LENGTH, 2),
                TestData.logLike(4096, 3),
                TestData.random(4096, 4),
                TestData.logLike(1 << 20, 5),
                TestData.random(1 << 20, 6));
    }

    private static int method(byte[] frame) {
        return frame[1] & 0xFF;
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void roundTripsAcrossImplementations(byte[] raw) {
        for (LZ4Factory encoderLz4 : factories().toList()) {
            byte[] frame = new BlockCodec(BlockCodec.DEFAULT_MAX_RAW_LENGTH, encoderLz4).encode(raw, 0, raw.length);
            for (LZ4Factory decoderLz4 : factories().toList()) {
                BlockCodec decoder = new BlockCodec(BlockCodec.DEFAULT_MAX_RAW_LENGTH, decoderLz4);
                assertArrayEquals(raw, decoder.decode(frame, 0, frame.length), encoderLz4 + " -> " + decoderLz4);
            }
        }
    }

    @Test
    void compressibleDataIsCompressedAndRandomDataIsStored() {
        BlockCodec codec = new BlockCodec();
        byte[] log = TestData.logLike(64 << 10, 7);
        byte[] logFrame = codec.encode(log, 0, log.length);
        assertEquals(METHOD_LZ4, method(logFrame));
        assertTrue(logFrame.length < log.length / 2, "log-like text should compress well: " + logFrame.length);

        byte[] rnd = TestData.random(64 << 10, 8);
        byte[] rndFrame = codec.encode(rnd, 0, rnd.length);
        assertEquals(METHOD_STORED, method(rndFrame));
        assertEquals(HEADER_LENGTH + rnd.length, rndFrame.length);
        assertTrue(rndFrame.length <= codec.maxFrameSize(rnd.length));
        assertEquals(2, codec.stats().lz4Attempts());
    }

    @Test
    void smallFramesAreStoredWithoutTryingLz4() {
        BlockCodec codec = new BlockCodec();
        byte[] zeros = new byte[BlockCodec.MIN_COMPRESS_LENGTH - 1];
        assertEquals(METHOD_STORED, method(codec.encode(zeros, 0, zeros.length)));
        assertEquals(0, codec.stats().lz4Attempts());
        byte[] moreZeros = new byte[BlockCodec.MIN_COMPRESS_LENGTH];
        assertEquals(METHOD_LZ4, method(codec.encode(moreZeros, 0, moreZeros.length)));
        assertEquals(1, codec.stats().lz4Attempts());
    }

    @Test
    void compressionMustSaveTenPercent() {
        BlockCodec codec = new BlockCodec();
        // Random bytes plus a run of zeros: LZ4 saves roughly the run's length.
        byte[] barely = Arrays.copyOf(TestData.random(4000, 9), 4200); // ~5% saving
        assertEquals(METHOD_STORED, method(codec.encode(barely, 0, barely.length)));
        byte[] enough = Arrays.copyOf(TestData.random(4000, 10), 5000); // ~20% saving
        assertEquals(METHOD_LZ4, method(codec.encode(enough, 0, enough.length)));
        assertEquals(2, codec.stats().lz4Attempts());
    }

    @Test
    void encodesAndDecodesAtOffsets() {
        BlockCodec codec = new BlockCodec();
        byte[] raw = TestData.logLike(10_000, 11);
        int len = 8000;
        byte[] out = new byte[100 + codec.maxFrameSize(len)];
        int n = codec.encode(raw, 1000, len, out, 100);
        assertEquals(METHOD_LZ4, out[101]);
        byte[] decoded = new byte[50 + len];
        assertEquals(len, codec.decode(out, 100, n, decoded, 50));
        assertArrayEquals(Arrays.copyOfRange(raw, 1000, 1000 + len), Arrays.copyOfRange(decoded, 50, 50 + len));
        assertArrayEquals(Arrays.copyOfRange(raw, 1000, 1000 + len), codec.decode(out, 100, n));
    }

    @Test
    void encodeRefusesTooLittleRoomAndTooMuchInput() {
        BlockCodec codec = new BlockCodec(1000);
        byte[] raw = TestData.random(1001, 12);
        assertThrows(IllegalArgumentException.class, () -> codec.encode(raw, 0, 1001));
        byte[] small = new byte[codec.maxFrameSize(1000) - 1];
        assertThrows(IndexOutOfBoundsException.class, () -> codec.encode(raw, 0, 1000, small, 0));
        assertEquals(0, codec.stats().wireBytes());
        assertThrows(IllegalArgumentException.class, () -> new BlockCodec(-1));
        assertThrows(IllegalArgumentException.class, () -> new BlockCodec(BlockCodec.MAX_RAW_LENGTH_LIMIT + 1));
    }

    // ---- adaptive bypass

    /** Encodes the frames and returns, for each, whether the encoder ran LZ4 on it. */
    private static boolean[] attempted(BlockCodec codec, List<byte[]> frames) {
        boolean[] tried = new boolean[frames.size()];
        for (int i = 0; i < frames.size(); i++) {
            long before = codec.stats().lz4Attempts();
            byte[] f = frames.get(i);
            codec.encode(f, 0, f.length);
            tried[i] = codec.stats().lz4Attempts() == before + 1;
        }
        return tried;
    }

    private static List<byte[]> randomFrames(int count, long seed) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(TestData.random(1024, seed + i));
        }
        return frames;
    }

    @Test
    void bypassStartsAfterConsecutiveIncompressibleFramesAndBacksOffExponentially() {
        BlockCodec codec = new BlockCodec();
        boolean[] tried = attempted(codec, randomFrames(2000, 100));
        List<Integer> probes = new ArrayList<>();
        for (int i = 0; i < tried.length; i++) {
            if (tried[i]) {
                probes.add(i);
            }
        }
        // The first BYPASS_AFTER frames are all tried; then probes after 32, 64, 128, 256, 256, ... skipped.
        for (int i = 0; i < BYPASS_AFTER; i++) {
            assertEquals(i, probes.get(i));
        }
        List<Integer> gaps = new ArrayList<>();
        for (int i = BYPASS_AFTER; i < probes.size(); i++) {
            gaps.add(probes.get(i) - probes.get(i - 1) - 1);
        }
        List<Integer> expected = new ArrayList<>();
        for (int interval = INITIAL_BYPASS_INTERVAL; expected.size() < gaps.size(); ) {
            expected.add(interval);
            interval = Math.min(interval * 2, MAX_BYPASS_INTERVAL);
        }
        assertEquals(expected, gaps);
        assertTrue(gaps.size() >= 6, "should have reached the cap: " + gaps);

        CodecStats s = codec.stats();
        assertEquals(2000, s.framesStored());
        assertEquals(0, s.framesCompressed());
        assertEquals(probes.size(), s.lz4Attempts());
        assertTrue(s.lz4Attempts() < 2000 / 50, "incompressible stream should rarely run LZ4: " + s.lz4Attempts());
    }

    @Test
    void compressionResumesAtTheNextProbeAndResetsTheBypass() {
        BlockCodec codec = new BlockCodec();
        attempted(codec, randomFrames(BYPASS_AFTER, 200)); // now bypassing for 32 frames
        List<byte[]> logs = new ArrayList<>();
        for (int i = 0; i < INITIAL_BYPASS_INTERVAL + 10; i++) {
            logs.add(TestData.logLike(1024, 300 + i));
        }
        long compressedBefore = codec.stats().framesCompressed();
        boolean[] tried = attempted(codec, logs);
        for (int i = 0; i < INITIAL_BYPASS_INTERVAL; i++) {
            assertTrue(!tried[i], "frame " + i + " of the bypass window should be stored untried");
        }
        for (int i = INITIAL_BYPASS_INTERVAL; i < logs.size(); i++) {
            assertTrue(tried[i], "frame " + i + " should be tried once the probe succeeded");
        }
        assertEquals(10, codec.stats().framesCompressed() - compressedBefore);

        // Bypass state was reset: it takes BYPASS_AFTER misses again, then the initial interval.
        boolean[] again = attempted(codec, randomFrames(BYPASS_AFTER + INITIAL_BYPASS_INTERVAL + 1, 400));
        for (int i = 0; i < again.length; i++) {
            boolean expectTried = i < BYPASS_AFTER || i == BYPASS_AFTER + INITIAL_BYPASS_INTERVAL;
            assertEquals(expectTried, again[i], "frame " + i);
        }
    }

    @Test
    void smallFramesDoNotUseUpTheBypassWindow() {
        BlockCodec codec = new BlockCodec();
        attempted(codec, randomFrames(BYPASS_AFTER, 500));
        byte[] tiny = new byte[10];
        for (int i = 0; i < 1000; i++) {
            codec.encode(tiny, 0, tiny.length);
        }
        boolean[] tried = attempted(codec, randomFrames(INITIAL_BYPASS_INTERVAL + 1, 600));
        for (int i = 0; i < INITIAL_BYPASS_INTERVAL; i++) {
            assertTrue(!tried[i], "frame " + i);
        }
        assertTrue(tried[INITIAL_BYPASS_INTERVAL]);
    }

    // ---- corruption

    /** Runs {@code test} on each copy of {@code frame} with one byte in [from, to) changed to another value. */
    private static void forEachSingleByteChange(byte[] frame, int from, int to, ObjIntConsumer<byte[]> test) {
        for (int pos = from; pos < to; pos++) {
            for (int xor = 1; xor < 256; xor++) {
                byte[] bad = frame.clone();
                bad[pos] ^= (byte) xor;
                test.accept(bad, pos);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("factories")
    void everySingleByteChangeOfAHeaderOrStoredFrameIsRefused(LZ4Factory lz4) {
        BlockCodec codec = new BlockCodec(BlockCodec.DEFAULT_MAX_RAW_LENGTH, lz4);
        byte[] log = TestData.logLike(2048, 13);
        byte[] compressed = codec.encode(log, 0, log.length);
        assertEquals(METHOD_LZ4, method(compressed));
        byte[] rnd = TestData.random(300, 14);
        byte[] stored = codec.encode(rnd, 0, rnd.length);
        assertEquals(METHOD_STORED, method(stored));

        // Headers of both kinds: the header checksum catches every change (magic is checked first).
        for (byte[] frame : List.of(compressed, stored)) {
            forEachSingleByteChange(frame, 0, HEADER_LENGTH, (bad, pos) -> {
                String msg = refusal(codec, bad, frame == stored ? rnd : log, "header byte " + pos);
                assertTrue(msg.startsWith(pos == 0 ? "bad magic" : "header checksum mismatch"), pos + ": " + msg);
            });
        }
        // Stored payload: the data checksum catches every change.
        forEachSingleByteChange(stored, HEADER_LENGTH, stored.length, (bad, pos) -> {
            String msg = refusal(codec, bad, rnd, "stored payload byte " + pos);
            assertTrue(msg.startsWith("data checksum mismatch"), pos + ": " + msg);
        });
        assertEquals(0, codec.stats().framesDecoded(), "failed decodes must not count");
    }

    /**
     * An LZ4 payload is checked through what it decodes to. LZ4's encoding is not unique (a match
     * may point at any earlier copy of the same bytes), so a rare change still decodes to exactly
     * the original: that is harmless and accepted. Anything else must be refused.
     */
    @ParameterizedTest
    @MethodSource("factories")
    void noSingleByteChangeOfAnLz4PayloadYieldsWrongData(LZ4Factory lz4) {
        BlockCodec codec = new BlockCodec(BlockCodec.DEFAULT_MAX_RAW_LENGTH, lz4);
        byte[] log = TestData.logLike(2048, 13);
        byte[] frame = codec.encode(log, 0, log.length);
        assertEquals(METHOD_LZ4, method(frame));
        Map<String, Integer> outcomes = new TreeMap<>();
        forEachSingleByteChange(frame, HEADER_LENGTH, frame.length, (bad, pos) -> {
            String outcome;
            try {
                byte[] out = codec.decode(bad, 0, bad.length);
                assertArrayEquals(log, out, "payload byte " + pos + " changed: accepted with WRONG DATA");
                outcome = "decoded to the original";
            } catch (CorruptFrameException e) {
                outcome = e.getMessage().startsWith("data checksum mismatch") ? "data checksum mismatch"
                        : e.getMessage().startsWith("LZ4 decompression") ? "LZ4 decompression" : e.getMessage();
            }
            outcomes.merge(outcome, 1, Integer::sum);
        });
        int changes = (frame.length - HEADER_LENGTH) * 255;
        assertEquals(changes, outcomes.values().stream().mapToInt(Integer::intValue).sum());
        // Both layers are exercised, and benign re-encodings stay rare.
        assertTrue(outcomes.getOrDefault("data checksum mismatch", 0) > 0, outcomes.toString());
        assertTrue(outcomes.getOrDefault("LZ4 decompression", 0) > 0, outcomes.toString());
        assertTrue(outcomes.getOrDefault("decoded to the original", 0) < changes / 1000, outcomes.toString());
        System.out.println(lz4 + ": " + changes + " single-byte changes of an LZ4 payload: " + outcomes);
    }

    /** Decodes a damaged frame, which must be refused; returns the refusal's message. */
    private static String refusal(BlockCodec codec, byte[] bad, byte[] original, String what) {
        byte[] out;
        try {
            out = codec.decode(bad, 0, bad.length);
        } catch (CorruptFrameException expected) {
            return expected.getMessage();
        }
        return fail(what + " was accepted and decoded to " + (Arrays.equals(out, original) ? "the original" : "WRONG DATA"));
    }

    @Test
    void everyTruncationAndExtensionIsDetected() {
        BlockCodec codec = new BlockCodec();
        byte[] log = TestData.logLike(2048, 15);
        byte[] rnd = TestData.random(300, 16);
        for (byte[] frame : List.of(codec.encode(log, 0, log.length), codec.encode(rnd, 0, rnd.length))) {
            for (int len = 0; len < frame.length; len++) {
                int l = len;
                CorruptFrameException e = assertThrows(CorruptFrameException.class,
                        () -> codec.decode(Arrays.copyOf(frame, l), 0, l));
                int needs = len < HEADER_LENGTH ? HEADER_LENGTH : frame.length;
                assertEquals("truncated frame (needs " + needs + " bytes, has " + len + ")", e.getMessage());
            }
            byte[] longer = Arrays.copyOf(frame, frame.length + 1);
            CorruptFrameException e = assertThrows(CorruptFrameException.class,
                    () -> codec.decode(longer, 0, longer.length));
            int payload = frame.length - HEADER_LENGTH;
            assertEquals("payload length mismatch (frame has " + (payload + 1) + " payload bytes, header says "
                    + payload + ")", e.getMessage());
        }
        assertEquals(0, codec.stats().framesDecoded());
    }

    /** A header with a valid header checksum, followed by {@code payloadBytes} zero bytes. */
    private static byte[] frameWithHeader(int method, long rawLen, long payloadLen, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + payloadBytes);
        b.put((byte) BlockCodec.MAGIC).put((byte) method).putInt((int) rawLen).putInt((int) payloadLen).putInt(0);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 14);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static long allocatedBytes(Runnable r) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(id);
        r.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void oversizedOrUnbackedRawLengthIsRefusedWithoutAllocating() {
        BlockCodec codec = new BlockCodec(); // 16 MiB limit
        long limit = BlockCodec.DEFAULT_MAX_RAW_LENGTH;
        for (long rawLen : new long[] {limit + 1, Integer.MAX_VALUE, 0xFFFF_FFFFL}) {
            byte[] frame = frameWithHeader(METHOD_STORED, rawLen, rawLen, 16);
            long allocated = allocatedBytes(() -> {
                CorruptFrameException e = assertThrows(CorruptFrameException.class,
                        () -> codec.decode(frame, 0, frame.length));
                assertEquals("raw length " + rawLen + " exceeds limit " + limit, e.getMessage());
                assertThrows(CorruptFrameException.class, () -> codec.frameLength(frame, 0));
            });
            assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes for raw length " + rawLen);
        }
        // Within the limit, but the payload is not there: refused before allocating the raw length.
        byte[] unbacked = frameWithHeader(METHOD_LZ4, limit, 1000, 16);
        long allocated = allocatedBytes(() -> {
            CorruptFrameException e = assertThrows(CorruptFrameException.class,
                    () -> codec.decode(unbacked, 0, unbacked.length));
            assertEquals("truncated frame (needs " + (HEADER_LENGTH + 1000) + " bytes, has "
                    + unbacked.length + ")", e.getMessage());
        });
        assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes");
    }

    @Test
    void aLowerLimitRefusesFramesItWouldNotEncode() {
        byte[] raw = TestData.logLike(2000, 17);
        byte[] frame = new BlockCodec().encode(raw, 0, raw.length);
        CorruptFrameException e = assertThrows(CorruptFrameException.class,
                () -> new BlockCodec(1999).decode(frame, 0, frame.length));
        assertEquals("raw length 2000 exceeds limit 1999", e.getMessage());
        assertArrayEquals(raw, new BlockCodec(2000).decode(frame, 0, frame.length));
    }

    @Test
    void headerFieldsAreValidatedEvenWithAValidChecksum() {
        BlockCodec codec = new BlockCodec();
        byte[] unknown = frameWithHeader(2, 10, 10, 10);
        assertEquals("unknown method 2", assertThrows(CorruptFrameException.class,
                () -> codec.decode(unknown, 0, unknown.length)).getMessage());

        byte[] storedMismatch = frameWithHeader(METHOD_STORED, 10, 11, 11);
        assertTrue(assertThrows(CorruptFrameException.class, () -> codec.decode(storedMismatch, 0, storedMismatch.length))
                .getMessage().startsWith("payload length 11 impossible for a stored frame of raw length 10"));

        byte[] lz4TooLong = frameWithHeader(METHOD_LZ4, 10, 1000, 1000);
        assertTrue(assertThrows(CorruptFrameException.class, () -> codec.decode(lz4TooLong, 0, lz4TooLong.length))
                .getMessage().startsWith("payload length 1000 impossible for an LZ4 frame"));

        // A well-formed header over an LZ4 payload that is garbage (a literal run past the end).
        byte[] garbage = frameWithHeader(METHOD_LZ4, 100, 20, 20);
        Arrays.fill(garbage, HEADER_LENGTH, garbage.length, (byte) 0xFF);
        for (LZ4Factory lz4 : factories().toList()) {
            BlockCodec c = new BlockCodec(BlockCodec.DEFAULT_MAX_RAW_LENGTH, lz4);
            String msg = assertThrows(CorruptFrameException.class, () -> c.decode(garbage, 0, garbage.length)).getMessage();
            assertTrue(msg.startsWith("LZ4 decompression failed"), lz4 + ": " + msg);
        }

        byte[] wrongCrc = frameWithHeader(METHOD_STORED, 4, 4, 4); // data CRC field says 0
        assertTrue(assertThrows(CorruptFrameException.class, () -> codec.decode(wrongCrc, 0, wrongCrc.length))
                .getMessage().startsWith("data checksum mismatch"));
    }

    @Test
    void frameLengthCutsFramesOutOfAStream() {
        BlockCodec sender = new BlockCodec();
        List<byte[]> batches = List.of(TestData.logLike(5000, 18), new byte[0], TestData.random(700, 19),
                TestData.logLike(30, 20));
        ByteBuffer stream = ByteBuffer.allocate(64 << 10);
        for (byte[] b : batches) {
            stream.put(sender.encode(b, 0, b.length));
        }
        byte[] wire = Arrays.copyOf(stream.array(), stream.position());

        BlockCodec receiver = new BlockCodec();
        int pos = 0;
        for (byte[] expected : batches) {
            int len = receiver.frameLength(wire, pos);
            assertArrayEquals(expected, receiver.decode(wire, pos, len));
            pos += len;
        }
        assertEquals(wire.length, pos);
        assertThrows(IndexOutOfBoundsException.class, () -> receiver.frameLength(wire, wire.length - 1));
    }

    // ---- counters

    @Test
    void countersAndRatio() {
        BlockCodec sender = new BlockCodec();
        CodecStats zero = sender.stats();
        assertEquals(new CodecStats(0, 0, 0, 0, 0, 0, 0, 0), zero);
        assertEquals(1.0, zero.ratio());

        byte[] log = TestData.logLike(16 << 10, 21);
        byte[] rnd = TestData.random(4096, 22);
        byte[] tiny = {1, 2, 3};
        byte[] f1 = sender.encode(log, 0, log.length);
        byte[] f2 = sender.encode(rnd, 0, rnd.length);
        byte[] f3 = sender.encode(tiny, 0, tiny.length);
        long raw = log.length + rnd.length + tiny.length;
        long wire = f1.length + f2.length + f3.length;

        CodecStats s = sender.stats();
        assertEquals(new CodecStats(raw, wire, 1, 2, 2, 0, 0, 0), s);
        assertEquals((double) raw / wire, s.ratio(), 1e-12);
        assertTrue(s.ratio() > 1.5, "ratio " + s.ratio());

        BlockCodec receiver = new BlockCodec();
        for (byte[] f : List.of(f1, f2, f3)) {
            receiver.decode(f, 0, f.length);
        }
        byte[] bad = f1.clone();
        bad[bad.length - 1] ^= 1;
        assertThrows(CorruptFrameException.class, () -> receiver.decode(bad, 0, bad.length));
        assertEquals(new CodecStats(0, 0, 0, 0, 0, raw, wire, 3), receiver.stats());
        assertEquals(1.0, receiver.stats().ratio());
    }
}
