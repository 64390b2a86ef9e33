package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.nic.Frames;
import io.sitepair.replicator.nic.MemoryLink;
import io.sitepair.replicator.nic.NicGuest;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.nic.Station;
import io.sitepair.replicator.service.ClientNetwork;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.status.NicStatus;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.VmOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtual NIC's part of the status, read from a serving run of the kv guest on an in-memory link. */
class NicReportTest {
    static final Station CLIENT = new Station(0x02_00_00_00_00_01L, 0x0a140001);

    @TempDir
    Path dir;

    @Test
    void aNicModeRunReportsItsNicTheHostsDropsAndTheGuestsCounters() throws Exception {
        assumeTrue(NicGuest.nicCapable("kv"), "the shipped kv guest has no TCP/IP stack yet");
        MemoryLink link = new MemoryLink();
        ServedRun run = ServedRun.start(kv(), VmOptions.defaults().withConsole((m, l) -> {}).withNic(true),
                List.of(dir.resolve("kv.img")), 16L << 20,
                new ClientNetwork.Nic(new NicSettings("mem0", "br-none", NicGuest.IDENTITY), s -> link), null);
        try {
            link.offer(new byte[65537]); // larger than the guest's receive buffer: the host drops it
            link.offer(Frames.arpRequest(CLIENT, NicGuest.STATION.address())); // answered
            link.offer(new byte[] {1, 2, 3}); // shorter than an Ethernet header
            NicStatus nic = awaitFramesIn(run, 2);

            assertEquals("mem0", nic.tap());
            assertEquals("br-none", nic.bridge());
            assertEquals("10.20.0.10/24", nic.address());
            assertEquals(6379, nic.port());
            assertEquals("02:00:5e:10:00:0a", nic.mac());
            assertTrue(nic.linkUp());
            assertNull(nic.tapCounters(), "an in-memory link is no TAP device");
            assertEquals(new NicStatus.HostDropped(1, 0), nic.hostDropped());
            assertEquals(Map.of("malformed", 1L, "checksum", 0L, "not_for_us", 0L, "fragment", 0L,
                    "unsupported", 0L), nic.guest().dropped());
            assertEquals(2, nic.guest().framesOut(), "the announcement and the ARP reply");
            assertEquals(0, nic.guest().connectionsOpen());
        } finally {
            run.stop();
        }
    }

    @Test
    void aSocketModeRunHasNoNic() throws Exception {
        ServedRun run = ServedRun.start(kv(), VmOptions.defaults().withConsole((m, l) -> {}),
                List.of(dir.resolve("kv.img")), 16L << 20,
                new ClientNetwork.Socket(new InetSocketAddress("127.0.0.1", 0)), null);
        try {
            assertNull(run.loop().submit(() -> NicReport.of(run)).get());
        } finally {
            run.stop();
        }
    }

    private static GuestModule kv() {
        return GuestModule.of("kv", ShippedGuest.load("kv"));
    }

    /** The NIC's status once the guest has taken {@code frames} frames (the reader hands them over on its own thread). */
    private static NicStatus awaitFramesIn(ServedRun run, long frames) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        NicStatus nic = run.loop().submit(() -> NicReport.of(run)).get();
        while (nic.guest().framesIn() < frames && System.nanoTime() < deadline) {
            Thread.sleep(10);
            nic = run.loop().submit(() -> NicReport.of(run)).get();
        }
        assertEquals(frames, nic.guest().framesIn());
        return nic;
    }
}
