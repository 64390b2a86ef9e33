package io.sitepair.replicator.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The handshake's proofs are bound to one TLS session, and an old peer is refused with both versions named. */
class HandshakeTest {
    private static final byte[] SECRET = "0123456789abcdef0123".getBytes();
    private static final PairIdentity B = new PairIdentity("lab", SECRET, "b", "a", new byte[32], "amd64",
            List.of(16384L), false, null);
    private static final ChannelMessage.Hello HELLO = hello(ChannelMessage.PROTOCOL_VERSION);
    private static final ChannelMessage.Welcome WELCOME = new ChannelMessage.Welcome("b", 1, 0, 0, false, List.of(),
            0, null, Handshake.nonce(), new byte[0]);

    private static ChannelMessage.Hello hello(int protocol) {
        return new ChannelMessage.Hello(protocol, "lab", "a", 1, new byte[32], "amd64", List.of(16384L), false, 42,
                Handshake.nonce());
    }

    private static byte[] binding(int seed) {
        byte[] binding = new byte[ChannelTls.BINDING_BYTES];
        binding[0] = (byte) seed;
        return binding;
    }

    @Test
    void aProofMadeForOneTlsSessionFailsInAnother() {
        byte[] welcome = Handshake.welcomeMac(SECRET, binding(1), HELLO, WELCOME);
        assertTrue(Handshake.verify(Handshake.welcomeMac(SECRET, binding(1), HELLO, WELCOME), welcome));
        assertFalse(Handshake.verify(Handshake.welcomeMac(SECRET, binding(2), HELLO, WELCOME), welcome));
        assertFalse(Handshake.verify(Handshake.welcomeMac(SECRET, new byte[0], HELLO, WELCOME), welcome),
                "nor on a connection without TLS");

        byte[] proof = Handshake.proofMac(SECRET, binding(1), HELLO, WELCOME);
        assertTrue(Handshake.verify(Handshake.proofMac(SECRET, binding(1), HELLO, WELCOME), proof));
        assertFalse(Handshake.verify(Handshake.proofMac(SECRET, binding(2), HELLO, WELCOME), proof));
    }

    @Test
    void aPeerOfAnotherProtocolVersionIsRefusedWithBothVersionsNamed() {
        assertEquals(null, Handshake.refusal(HELLO, B, 1, 0));
        String refusal = Handshake.refusal(hello(ChannelMessage.PROTOCOL_VERSION - 1), B, 1, 0);
        assertEquals("the peer speaks protocol version " + (ChannelMessage.PROTOCOL_VERSION - 1) + ", this site version "
                + ChannelMessage.PROTOCOL_VERSION + " (run the same sitepair release on both sites)", refusal);
    }
}
