package io.sitepair.ops.command;

import static io.sitepair.ops.command.CliTest.sitepair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.ops.lab.HostNetwork;
import io.sitepair.ops.lab.NicLab;
import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.nic.TapDevice;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nic lab's network for a pair run by hand (root only): {@code init --lab --nic} builds it to
 * outlive the command, a second build leaves it, a test's lab refuses to take it for leftovers,
 * and {@code nic-lab down} removes it, though not from under a running site unless forced.
 */
class NicLabCommandTest {
    @TempDir
    Path dir;

    @Test
    void initBuildsTheNetworkThatOutlivesItAndNicLabDownRemovesIt() throws Exception {
        assumeTrue(NicLab.missingPrerequisite() == null, NicLab.missingPrerequisite());
        assumeTrue(HostNetwork.quietOutput("ip", "link", "show", NicLab.CLIENTS_BRIDGE) == null,
                "a nic lab network is up on this machine");
        try {
            CliTest.Result init = sitepair("init", "--lab", dir.toString(), "--nic", "--tls", "off");
            assertEquals(0, init.exit(), init.err());
            assertTrue(init.out().contains("\n  nic lab network: created bridges splab-a, splab-b and splab-c"
                    + " (10.77.0.1/24), namespace splab-clients (10.77.0.2) and the veths joining them;"), init.out());
            assertTrue(init.out().contains("remove it with `sitepair nic-lab down` once the pair's sites are stopped"),
                    init.out());
            assertTrue(HostNetwork.output("ip", "-o", "addr", "show", "dev", NicLab.CLIENTS_BRIDGE)
                    .contains("inet 10.77.0.1/24"), "up after the command ended");

            CliTest.Result again = sitepair("nic-lab", "up");
            assertEquals(0, again.exit(), again.err());
            assertTrue(again.out().startsWith("nic lab network: already up, left as it is;"), again.out());

            HostNetwork.Busy busy = assertThrows(HostNetwork.Busy.class, NicLab::create);
            assertTrue(busy.getMessage().contains("remove it first: sitepair nic-lab down"), busy.getMessage());
            assertNotNull(HostNetwork.quietOutput("ip", "link", "show", NicLab.CLIENTS_BRIDGE), "the refusal left it");

            try (TapDevice a = siteTap("a")) {
                CliTest.Result refused = sitepair("nic-lab", "down");
                assertEquals(1, refused.exit(), refused.out());
                assertTrue(refused.err().contains("a site of the nic lab still runs on its network (TAP splab-a-tap);"
                        + " stop the pair's sites first, or remove it anyway with --force"), refused.err());
                assertNotNull(HostNetwork.quietOutput("ip", "link", "show", NicLab.CLIENTS_BRIDGE), "still up");

                CliTest.Result forced = sitepair("nic-lab", "down", "--force");
                assertEquals(0, forced.exit(), forced.err());
                assertTrue(forced.out().contains("TAP splab-a-tap stays with its site, on no bridge"), forced.out());
            }
            for (String link : new String[] {"splab-a", "splab-b", "splab-c", "splab-a-c", "splab-b-c", "splab-c-ns"}) {
                assertNull(HostNetwork.quietOutput("ip", "link", "show", link), link + " is gone");
            }
            assertFalse(HostNetwork.output("ip", "netns", "list").contains(NicLab.CLIENTS_NAMESPACE));

            CliTest.Result nothing = sitepair("nic-lab", "down");
            assertEquals(0, nothing.exit(), nothing.err());
            assertEquals("nic lab network: not up, nothing to remove\n", nothing.out());
        } finally {
            sitepair("nic-lab", "down", "--force");
        }
    }

    private static TapDevice siteTap(String site) throws Exception {
        var address = (Inet4Address) InetAddress.getByName(NicLab.SERVICE_ADDRESS);
        return TapDevice.open(new NicSettings(NicLab.siteTap(site), NicLab.siteBridge(site),
                new NicIdentity(0x02005e10000aL, address, NicLab.PREFIX_LENGTH, NicLab.SERVICE_PORT)));
    }
}
