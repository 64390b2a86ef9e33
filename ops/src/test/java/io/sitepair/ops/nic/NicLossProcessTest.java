package io.sitepair.ops.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.ops.lab.CountingConnection;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.NicLab;
import io.sitepair.ops.lab.NicLabQueue;
import io.sitepair.ops.lab.RespLine;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.SiteStatus;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network mode nic on a lossy service network, with the pair protected (every frame the guest
 * sends waits for the backup): with 1% and then 5% of the packets to and from the guest dropped
 * at random, a client writes a 10 MB value and reads it back intact, and at 1% no connection
 * stalls for more than 2 s, neither the transfer's nor a counting connection running beside it.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS) // the run takes about 2 minutes; the rest is waiting for the lab
class NicLossProcessTest {
    private static final int VALUE_BYTES = 10 << 20;
    private static final double STALL_LIMIT_MILLIS = 2000;
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void transfersCompleteWithCorrectDataUnderPacketLoss() throws Exception {
        assumeTrue(NicLab.missingPrerequisite() == null, "needs root: " + NicLab.missingPrerequisite());
        try (NicLab network = NicLabQueue.create(Duration.ofMinutes(6), System.out::println);
             LocalPair lab = LocalPair.nic(dir, yaml -> yaml)) {
            lab.startProtected();
            InetSocketAddress service = lab.service("a");

            try (NicLab.PacketLoss loss = network.packetLoss(0.01);
                 CountingConnection counter = CountingConnection.open(service, "loss:count")) {
                Transfer transfer = Transfer.roundTrip(service, "loss:1", 1);
                System.out.printf("1%% loss: %s; the counting connection did %d increments and waited at most %.0f ms%n",
                        transfer, counter.count(), counter.longestWaitMillis());
                assertArrayEquals(transfer.sent(), transfer.received(), "the value read back at 1% loss");
                assertTrue(transfer.longestStallMillis() < STALL_LIMIT_MILLIS, "the transfer stalled at 1% loss: " + transfer);
                assertNull(counter.problem(), "the counting connection at 1% loss");
                assertTrue(counter.count() > 0, "the counting connection never got a reply");
                assertTrue(counter.longestWaitMillis() < STALL_LIMIT_MILLIS,
                        "the counting connection stalled at 1% loss for " + counter.longestWaitMillis() + " ms");
            }
            assertProtectedPrimary(lab, "the 1% phase");

            try (NicLab.PacketLoss loss = network.packetLoss(0.05)) {
                Transfer transfer = Transfer.roundTrip(service, "loss:5", 5);
                System.out.printf("5%% loss: %s%n", transfer);
                assertArrayEquals(transfer.sent(), transfer.received(), "the value read back at 5% loss");
            }
            assertProtectedPrimary(lab, "the 5% phase");
        }
    }

    /** The transfers ran under the Output Rule: a is still the primary, its backup streaming. */
    private static void assertProtectedPrimary(LocalPair lab, String after) {
        SiteStatus status = lab.status("a");
        assertEquals(Role.PRIMARY, status.role(), "site a's role after " + after);
        assertTrue(status.pairProtected(), "the pair was not protected after " + after);
    }

    /**
     * One value written with SET and read back with GET over a fresh connection: the SHA-256 of
     * what was sent and of what came back, and the longest time the client's writes or reads made
     * no progress.
     */
    private record Transfer(byte[] sent, byte[] received, double seconds, double longestStallMillis) {
        static Transfer roundTrip(InetSocketAddress service, String key, long seed) throws IOException {
            byte[] value = new byte[VALUE_BYTES];
            new SplittableRandom(seed).nextBytes(value);
            long start = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(service, 10_000);
                socket.setSoTimeout(60_000);
                Progress progress = new Progress();
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream(), CHUNK);
                out.write(header(3, "SET", key, VALUE_BYTES));
                for (int at = 0; at < value.length; at += CHUNK) {
                    out.write(value, at, Math.min(CHUNK, value.length - at));
                    progress.made();
                }
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("+OK", RespLine.read(in), "the reply to SET " + key);
                progress.made();

                out.write(header(2, "GET", key, -1));
                assertEquals("$" + VALUE_BYTES, RespLine.read(in), "the reply to GET " + key);
                MessageDigest received = sha256();
                byte[] buffer = new byte[CHUNK];
                for (int left = VALUE_BYTES; left > 0; ) {
                    int n = in.read(buffer, 0, Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new IOException("the guest closed the connection with " + left + " bytes of " + key
                                + " still due");
                    }
                    received.update(buffer, 0, n);
                    left -= n;
                    progress.made();
                }
                assertEquals("", RespLine.read(in), "the end of the value of " + key);
                return new Transfer(sha256().digest(value), received.digest(), (System.nanoTime() - start) / 1e9,
                        progress.longestGapMillis());
            }
        }

        /** A RESP array of {@code count} items: the command, the key and, for a value of {@code valueBytes} >= 0, its length line. */
        private static byte[] header(int count, String command, String key, int valueBytes) {
            StringBuilder resp = new StringBuilder("*" + count + "\r\n$" + command.length() + "\r\n" + command + "\r\n$"
                    + key.length() + "\r\n" + key + "\r\n");
            if (valueBytes >= 0) {
                resp.append('$').append(valueBytes).append("\r\n");
            }
            return resp.toString().getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public String toString() {
            return "10 MB written and read back in %.1f s, the longest stall %.0f ms, SHA-256 sent %s, received %s"
                    .formatted(seconds, longestStallMillis, HexFormat.of().formatHex(sent),
                            HexFormat.of().formatHex(received));
        }
    }

    /** The longest time between two steps of a transfer. */
    private static final class Progress {
        private long last = System.nanoTime();
        private long longest;

        void made() {
            long now = System.nanoTime();
            longest = Math.max(longest, now - last);
            last = now;
        }

        double longestGapMillis() {
            return longest / 1e6;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
