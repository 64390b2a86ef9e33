package io.sitepair.ops.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.nic.TapDevice;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The nic lab's network on this machine (root only): built, reachable across its bridges, removed whole. */
class NicLabTest {
    private NicLab lab;

    @BeforeEach
    void create() throws Exception {
        String missing = NicLab.missingPrerequisite();
        assumeTrue(missing == null, missing);
        try {
            lab = NicLab.create();
        } catch (HostNetwork.Busy busy) {
            assumeTrue(false, "a nic lab of another process runs here: " + busy.getMessage());
        }
    }

    @AfterEach
    void close() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theNamespaceReachesTheHostOverTheClientsBridge() throws Exception {
        assertTrue(HostNetwork.output("ip", "-o", "addr", "show", "dev", NicLab.CLIENTS_BRIDGE)
                .contains("inet 10.77.0.1/24"));
        try (ServerSocket host = new ServerSocket()) {
            host.bind(new InetSocketAddress(NicLab.HOST_ADDRESS, 0));
            CompletableFuture<String> said = CompletableFuture.supplyAsync(() -> {
                try (Socket client = host.accept()) {
                    return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            // bash's /dev/tcp: a TCP connection from the namespace's own address, no extra tool needed
            HostNetwork.run("ip", "netns", "exec", NicLab.CLIENTS_NAMESPACE, "timeout", "10", "bash", "-c",
                    "echo hello > /dev/tcp/" + NicLab.HOST_ADDRESS + "/" + host.getLocalPort());

            assertEquals("hello\n", said.get());
        }
    }

    @Test
    void eachSitesBridgeHearsTheClientsAskForTheServiceAddress() throws Exception {
        try (TapDevice a = tap("a"); TapDevice b = tap("b")) {
            a.up(true);
            b.up(true);
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(NicLab.SERVICE_ADDRESS, NicLab.SERVICE_PORT), 300);
            } catch (IOException expected) {
                // nobody answers: the host's ARP request is what the TAPs should see
            }

            for (TapDevice site : List.of(a, b)) {
                assertNotNull(arpRequestFor(site, NicLab.SERVICE_ADDRESS, Duration.ofSeconds(5)),
                        site.describe() + " heard no ARP request for the service address");
            }
        }
    }

    @Test
    void totalLossKeepsTheHostsPacketsFromTheServiceAddress() throws Exception {
        try (TapDevice a = tap("a"); NicLab.PacketLoss loss = lab.packetLoss(1)) {
            a.up(true);
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(NicLab.SERVICE_ADDRESS, NicLab.SERVICE_PORT), 300);
            } catch (IOException expected) {
                // dropped in OUTPUT before the host even asks who has the address
            }

            assertNull(arpRequestFor(a, NicLab.SERVICE_ADDRESS, Duration.ofSeconds(1)), "nothing left the host");
        }
    }

    @Test
    void closeRemovesEveryName() throws Exception {
        try (var loss = lab.packetLoss(0.5)) {
            lab.close();
            lab = null;

            for (String link : NicLab.links()) {
                assertNull(HostNetwork.quietOutput("ip", "link", "show", link), link + " is gone");
            }
            assertFalse(HostNetwork.output("ip", "netns", "list").contains(NicLab.CLIENTS_NAMESPACE));
            assertFalse(HostNetwork.output("iptables", "-w", "-S").contains("sitepair-nic-lab"), "the loss rules too");
        }
    }

    @Test
    void aSecondLabIsRefusedWhileOneRuns() throws Exception {
        HostNetwork.Busy busy = assertThrows(HostNetwork.Busy.class, NicLab::create);

        assertEquals("another nic lab is running on this machine (it holds " + HostNetwork.lockFile("nic-lab")
                + " and the splab-* interfaces); stop it first", busy.getMessage());
        assertNotNull(HostNetwork.quietOutput("ip", "link", "show", NicLab.CLIENTS_BRIDGE), "the first lab stands");
    }

    @Test
    void packetLossAddsRulesForTheServiceAddressAndRemovesThem() throws Exception {
        try (NicLab.PacketLoss loss = lab.packetLoss(0.25)) {
            List<String> rules = lossRules();
            assertEquals(2, rules.size(), "one rule each way: " + rules);
            assertTrue(rules.stream().anyMatch(r -> r.startsWith("-A OUTPUT -d 10.77.0.10/32 -m statistic --mode random"
                    + " --probability 0.25")), rules.toString());
            assertTrue(rules.stream().anyMatch(r -> r.startsWith("-A INPUT -s 10.77.0.10/32 -m statistic --mode random"
                    + " --probability 0.25")), rules.toString());
            assertTrue(rules.stream().allMatch(r -> r.endsWith("-j DROP")), rules.toString());
        }
        assertEquals(List.of(), lossRules());
        assertThrows(IllegalArgumentException.class, () -> lab.packetLoss(0));
    }

    private static List<String> lossRules() throws Exception {
        return HostNetwork.output("iptables", "-w", "-S").lines().filter(r -> r.contains("sitepair-nic-lab")).toList();
    }

    private static TapDevice tap(String site) throws IOException {
        var address = (Inet4Address) InetAddress.getByName(NicLab.SERVICE_ADDRESS);
        return TapDevice.open(new NicSettings(NicLab.siteTap(site), NicLab.siteBridge(site),
                new NicIdentity(0x02005e10000aL, address, NicLab.PREFIX_LENGTH, NicLab.SERVICE_PORT)));
    }

    /** The first ARP request for {@code address} the device receives within {@code wait}, or null. */
    private static byte[] arpRequestFor(TapDevice device, String address, Duration wait) throws IOException {
        byte[] target = InetAddress.getByName(address).getAddress();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            byte[] frame = device.receive(Duration.ofMillis(100));
            boolean arpRequest = frame != null && frame.length >= 42 && frame[12] == 0x08 && frame[13] == 0x06
                    && frame[21] == 1;
            if (arpRequest && Arrays.equals(Arrays.copyOfRange(frame, 38, 42), target)) {
                assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1}, Arrays.copyOfRange(frame, 0, 6), "broadcast");
                return frame;
            }
        }
        return null;
    }
}
