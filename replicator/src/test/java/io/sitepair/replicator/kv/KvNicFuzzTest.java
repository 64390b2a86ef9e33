package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.replicator.nic.FrameFuzzer;
import io.sitepair.replicator.nic.MalformedFrameException;
import io.sitepair.replicator.nic.MemoryLink;
import io.sitepair.replicator.nic.NicCounter;
import io.sitepair.replicator.nic.NicGuest;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.nic.Station;
import io.sitepair.replicator.nic.TcpClient;
import io.sitepair.replicator.nic.TcpFrame;
import io.sitepair.replicator.service.ClientNetwork;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.VmOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile frames through the host path (an in-memory link, the NIC's reader, the event loop) to
 * the kv guest's stack while a real client keeps doing SET/GET on its own connection. The run's
 * length is {@code -Dsitepair.fuzz.frames} (default 100,000; the long run is a million).
 */
class KvNicFuzzTest {
    static final Station CLIENT = new Station(0x02_00_00_00_00_01L, 0x0a140001);
    static final long FRAMES = Long.getLong("sitepair.fuzz.frames", 100_000);
    static final int ROUND_EVERY = 1000;
    static final Duration REPLY_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    MemoryLink link = new MemoryLink();
    ServedRun run;
    TcpClient client;
    long clientFrames;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void theStackDropsAndCountsHostileFramesAndARealConnectionIsUnaffected() throws Exception {
        assumeTrue(NicGuest.nicCapable("kv"), "the shipped kv guest has no TCP/IP stack yet");
        NicSettings settings = new NicSettings("mem0", "none", NicGuest.IDENTITY);
        run = ServedRun.start(KvServer.module(), VmOptions.defaults().withConsole((m, l) -> {}).withNic(true),
                List.of(dir.resolve("kv.img")), 16L << 20, new ClientNetwork.Nic(settings, s -> link), null);
        try {
            FrameFuzzer fuzzer = new FrameFuzzer(42, NicGuest.STATION, NicGuest.IDENTITY.port(), CLIENT);
            client = new TcpClient(CLIENT, 40000, NicGuest.STATION, NicGuest.IDENTITY.port(), 0x7fff_0000,
                    200_000_000L, frame -> {
                        fuzzer.learn(frame);
                        link.offer(frame);
                        clientFrames++;
                    });
            client.connect(System.nanoTime());
            assertEquals("+PONG\r\n", roundTrip(Resp.command("PING"), "+PONG\r\n".length()));
            long[] before = settledCounters();
            long clientFramesBefore = clientFrames;
            long start = System.nanoTime();
            for (long i = 0; i < FRAMES; i++) {
                link.offer(fuzzer.next().frame());
                if (i % ROUND_EVERY == ROUND_EVERY - 1) {
                    String key = "key-" + i;
                    String value = "value-" + Long.toHexString(i * 0x9e3779b97f4a7c15L);
                    assertEquals("+OK\r\n", roundTrip(Resp.command("SET", key, value), 5), "SET after " + i);
                    String expected = "$" + value.length() + "\r\n" + value + "\r\n";
                    assertEquals(expected, roundTrip(Resp.command("GET", key), expected.length()), "GET after " + i);
                }
                while (link.pending() > 256) {
                    pump(Duration.ofMillis(1));
                }
            }
            long[] after = awaitFramesIn(before, () -> fuzzer.generated() + clientFrames - clientFramesBefore);
            System.out.printf("fuzz: %d frames in %.1f s; counters %s%n", fuzzer.generated(),
                    (System.nanoTime() - start) / 1e9, describe(before, after));
            assertEquals(GuestVm.Status.RUNNING, run.loop().submit(() -> run.vm().status()).get());
            for (Map.Entry<NicCounter, Long> expected : fuzzer.expectedDrops().entrySet()) {
                long counted = delta(expected.getKey(), before, after);
                assertTrue(counted >= expected.getValue(), expected.getKey() + ": " + expected.getValue()
                        + " frames had that defect alone, " + counted + " counted");
            }
            long accounted = 0;
            for (NicCounter counter : List.of(NicCounter.DROPPED_MALFORMED, NicCounter.DROPPED_CHECKSUM,
                    NicCounter.DROPPED_NOT_FOR_US, NicCounter.DROPPED_FRAGMENT, NicCounter.DROPPED_UNSUPPORTED,
                    NicCounter.ARP_REPLIES, NicCounter.ICMP_ECHO_REPLIES, NicCounter.TCP_SEGMENTS_IN)) {
                accounted += delta(counter, before, after);
            }
            assertEquals(delta(NicCounter.FRAMES_IN, before, after), accounted,
                    "every frame is dropped for one reason or handled once");
            assertTrue(delta(NicCounter.TCP_OUT_OF_WINDOW, before, after) > 0, "out-of-window segments were counted");
            assertEquals(TcpClient.State.ESTABLISHED, client.state());
        } finally {
            run.stop();
        }
    }

    /** Sends {@code request} and waits for {@code replyLength} bytes, moving frames both ways meanwhile. */
    String roundTrip(byte[] request, int replyLength) throws Exception {
        client.write(request, System.nanoTime());
        StringBuilder reply = new StringBuilder();
        long deadline = System.nanoTime() + REPLY_WAIT.toNanos();
        while (reply.length() < replyLength) {
            if (System.nanoTime() > deadline) {
                fail("no reply within " + REPLY_WAIT + " (have '" + reply + "'); " + client);
            }
            pump(Duration.ofMillis(1));
            reply.append(new String(client.takeReceived(), StandardCharsets.ISO_8859_1));
        }
        return reply.toString();
    }

    /** Hands the client what the guest sent (every frame must be well formed) and runs its timer. */
    void pump(Duration wait) throws Exception {
        for (byte[] frame = link.take(wait); frame != null; frame = link.take(Duration.ZERO)) {
            TcpFrame tcp;
            try {
                tcp = TcpFrame.parse(frame);
            } catch (MalformedFrameException e) {
                throw new AssertionError("the guest sent a malformed frame: " + e.getMessage(), e);
            }
            if (tcp != null && client.accepts(tcp)) {
                client.receive(tcp, System.nanoTime());
            }
        }
        client.tick(System.nanoTime());
    }

    /**
     * The counters once the client's last frames (its acknowledgement of a reply) have reached
     * the guest: until then they would be counted as delivered without having been put on the wire
     * in the measured span.
     */
    long[] settledCounters() throws Exception {
        long[] now = counters();
        while (true) {
            while (link.pending() > 0) {
                Thread.sleep(5);
            }
            Thread.sleep(50); // the reader may hold a frame it took from the wire
            long[] later = counters();
            if (java.util.Arrays.equals(now, later)) {
                return later;
            }
            now = later;
        }
    }

    long[] counters() throws Exception {
        return run.loop().submit(() -> run.vm().nicCounters()).get();
    }

    /** The counters once the guest has taken every frame put on the wire since {@code before}. */
    long[] awaitFramesIn(long[] before, LongSupplier frames) throws Exception {
        long deadline = System.nanoTime() + REPLY_WAIT.toNanos();
        long[] now = counters();
        while (delta(NicCounter.FRAMES_IN, before, now) < frames.getAsLong() && System.nanoTime() < deadline) {
            pump(Duration.ofMillis(5)); // the client may answer, adding to the frames
            now = counters();
        }
        assertEquals(frames.getAsLong(), delta(NicCounter.FRAMES_IN, before, now), "every frame put on the wire was delivered");
        return now;
    }

    static long delta(NicCounter counter, long[] before, long[] after) {
        return counter.in(after) - counter.in(before);
    }

    static String describe(long[] before, long[] after) {
        StringBuilder text = new StringBuilder();
        for (NicCounter counter : NicCounter.values()) {
            long delta = delta(counter, before, after);
            if (delta != 0) {
                text.append(counter.name().toLowerCase()).append('=').append(delta).append(' ');
            }
        }
        return text.toString().trim();
    }
}
