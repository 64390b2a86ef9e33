package io.sitepair.tiebreaker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PairMacTest {
    private static final byte[] KEY = "Jefe".getBytes(StandardCharsets.US_ASCII);
    private static final String MESSAGE = "what do ya want for nothing?";

    @Test
    void isHmacSha256() {
        // RFC 4231, test case 2
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HexFormat.of().formatHex(PairMac.of(KEY, MESSAGE)));
    }

    @Test
    void bufferAndStringFormsAgreeAndTheBufferIsNotConsumed() {
        ByteBuffer buffer = ByteBuffer.wrap(MESSAGE.getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(PairMac.of(KEY, MESSAGE), PairMac.of(KEY, buffer));
        assertEquals(MESSAGE.length(), buffer.remaining());
    }

    @Test
    void matchesOnlyTheSameMac() {
        byte[] mac = PairMac.of(KEY, MESSAGE);
        assertTrue(PairMac.matches(mac, mac.clone()));
        assertFalse(PairMac.matches(mac, PairMac.of(KEY, MESSAGE + "!")));
        assertFalse(PairMac.matches(mac, PairMac.of("other".getBytes(StandardCharsets.US_ASCII), MESSAGE)));
    }
}
