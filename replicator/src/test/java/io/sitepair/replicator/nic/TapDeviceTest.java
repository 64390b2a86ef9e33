package io.sitepair.replicator.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real TAP devices on a real bridge (root only): frames cross the bridge while up, never while down. */
class TapDeviceTest {
    private static final String PREFIX = "spn-tap";
    private static final String BRIDGE = PREFIX + "-br";
    private static final Duration QUIET = Duration.ofMillis(500);

    private final List<TapDevice> devices = new ArrayList<>();

    @BeforeEach
    void bridge() throws Exception {
        assumeTrue("0".equals(command("id", "-u").output.trim()), "TAP devices and bridges need root");
        removeLeftovers();
        ip("link", "add", BRIDGE, "type", "bridge");
        ip("link", "set", BRIDGE, "up");
    }

    @AfterEach
    void cleanUp() throws Exception {
        devices.forEach(TapDevice::close);
        removeLeftovers();
    }

    @Test
    void aFrameSentOnOneTapArrivesOnTheOther() throws Exception {
        TapDevice first = open(PREFIX + "-1", BRIDGE);
        TapDevice second = open(PREFIX + "-2", BRIDGE);
        assertEquals("tap spn-tap-1 on spn-tap-br", first.describe());
        assertFalse(flags(first.name()).contains("UP"), "a new device is down: " + flags(first.name()));
        first.up(true);
        second.up(true);
        assertTrue(flags(first.name()).contains("UP"), flags(first.name()));

        byte[] frame = broadcastFrame();
        first.send(frame);

        assertArrayEquals(frame, receiveMatching(second, frame, Duration.ofSeconds(5)));
        assertEquals(1, first.counters().framesOut());
        assertEquals(frame.length, first.counters().bytesOut());
        assertTrue(second.counters().framesIn() >= 1, "counted: " + second.counters());
        assertTrue(second.counters().bytesIn() >= frame.length, "counted: " + second.counters());
    }

    @Test
    void nothingPassesWhileEitherLinkIsDown() throws Exception {
        TapDevice first = open(PREFIX + "-1", BRIDGE);
        TapDevice second = open(PREFIX + "-2", BRIDGE);
        first.up(true);
        second.up(true);

        second.up(false);
        assertFalse(flags(second.name()).contains("UP"), flags(second.name()));
        byte[] toDownReceiver = broadcastFrame();
        first.send(toDownReceiver);
        assertEquals(1, first.counters().framesOut(), "the sender is up: its frame leaves");
        assertNull(receiveMatching(second, toDownReceiver, QUIET), "a device that is down receives nothing");

        second.up(true);
        first.up(false);
        byte[] fromDownSender = broadcastFrame();
        first.send(fromDownSender);
        assertEquals(1, first.counters().droppedOut(), "a device that is down drops what it is given");
        assertEquals(1, first.counters().framesOut());
        assertNull(receiveMatching(second, fromDownSender, QUIET));
    }

    @Test
    void closingRemovesTheDeviceAndEndsAWaitingReceive() throws Exception {
        TapDevice device = open(PREFIX + "-1", BRIDGE);
        device.up(true);
        CompletableFuture<byte[]> waiting = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                byte[] frame;
                do { // the kernel's own frames (IPv6 neighbour discovery) may arrive first
                    frame = device.receive(Duration.ofSeconds(30));
                } while (frame != null);
                waiting.complete(null);
            } catch (Throwable e) {
                waiting.completeExceptionally(e);
            }
        });
        Thread.sleep(200);

        device.close();

        assertNull(waiting.get(2, TimeUnit.SECONDS), "the reader's receive returns null within 2 s, not 30");
        reader.join();
        assertNotEquals(0, command("ip", "link", "show", device.name()).exit, "the device is gone");
        assertNull(device.receive(Duration.ofSeconds(5)), "a closed device returns at once");
        device.send(broadcastFrame());
        assertEquals(1, device.counters().droppedOut(), "a closed device drops what it is given");
        assertThrows(IOException.class, () -> device.up(true));
    }

    @Test
    void aMissingBridgeIsNamedAndLeavesNoDevice() throws Exception {
        IOException e = assertThrows(IOException.class, () -> open(PREFIX + "-1", PREFIX + "-none"));
        assertEquals("bridge spn-tap-none does not exist on this machine", e.getMessage());
        assertNotEquals(0, command("ip", "link", "show", PREFIX + "-1").exit, "no device left behind");

        e = assertThrows(IOException.class, () -> open(PREFIX + "-1", "lo"));
        assertEquals("lo is not a bridge (ip -d link show lo)", e.getMessage());
    }

    @Test
    void aNameLongerThanLinuxAllowsIsRefused() {
        IOException e = assertThrows(IOException.class, () -> open(PREFIX + "-sixteen-b", BRIDGE));
        assertEquals("TAP device name spn-tap-sixteen-b is 17 bytes long; Linux allows at most 15", e.getMessage());
        e = assertThrows(IOException.class, () -> open("a/b", BRIDGE));
        assertTrue(e.getMessage().startsWith("TAP device name 'a/b' is not a valid interface name"), e.getMessage());
    }

    @Test
    void aNameInUseIsRefused() throws Exception {
        TapDevice first = open(PREFIX + "-1", BRIDGE);

        IOException e = assertThrows(IOException.class, () -> open(PREFIX + "-1", BRIDGE));
        assertEquals("opening TAP device spn-tap-1: the name is already in use on this machine"
                + " (by another site, or a leftover: ip link show spn-tap-1)", e.getMessage());
        e = assertThrows(IOException.class, () -> open(BRIDGE, BRIDGE));
        assertTrue(e.getMessage().contains("already in use"), "a bridge's name too: " + e.getMessage());
        assertEquals(0, command("ip", "link", "show", first.name()).exit, "the first device is untouched");
    }

    @Test
    void withoutCapNetAdminTheMessageSaysWhatToDo() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Result child = command("setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                OpenAndPrint.class.getName(), PREFIX + "-1", BRIDGE);

        assertEquals("opening TAP device spn-tap-1 needs CAP_NET_ADMIN: run the site as root,"
                + " or use network mode socket", child.output.trim());
        assertNotEquals(0, command("ip", "link", "show", PREFIX + "-1").exit);
    }

    /** Opens a device in a process without CAP_NET_ADMIN and prints why it could not. */
    static final class OpenAndPrint {
        public static void main(String[] args) throws Exception {
            try (TapDevice device = TapDevice.open(settings(args[0], args[1]))) {
                System.out.println("opened " + device.describe());
            } catch (IOException e) {
                System.out.println(e.getMessage());
            }
        }
    }

    private TapDevice open(String tap, String bridge) throws IOException {
        TapDevice device = TapDevice.open(settings(tap, bridge));
        devices.add(device);
        return device;
    }

    private static NicSettings settings(String tap, String bridge) throws IOException {
        var address = (Inet4Address) InetAddress.getByName("10.77.0.10");
        return new NicSettings(tap, bridge, new NicIdentity(0x02005e10000aL, address, 24, 6379));
    }

    /** A broadcast frame of a local experimental EtherType, with a random payload to tell it apart. */
    private static byte[] broadcastFrame() {
        byte[] frame = new byte[64];
        Arrays.fill(frame, 0, 6, (byte) 0xff);
        byte[] source = {0x02, 0, 0, 0, 0, 1};
        System.arraycopy(source, 0, frame, 6, 6);
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        byte[] payload = new byte[frame.length - 14];
        ThreadLocalRandom.current().nextBytes(payload);
        System.arraycopy(payload, 0, frame, 14, payload.length);
        return frame;
    }

    /** The first received frame equal to {@code expected}, skipping others; null if none within {@code wait}. */
    private static byte[] receiveMatching(TapDevice device, byte[] expected, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            byte[] frame = device.receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame != null && Arrays.equals(frame, expected)) {
                return frame;
            }
        }
        return null;
    }

    /** The interface's flags as {@code ip link show} prints them, e.g. {@code <BROADCAST,MULTICAST,UP,LOWER_UP>}. */
    private static String flags(String name) throws Exception {
        String output = ip("link", "show", name);
        return output.substring(output.indexOf('<'), output.indexOf('>') + 1);
    }

    private static void removeLeftovers() throws Exception {
        for (String line : ip("-o", "link", "show").split("\n")) {
            String[] fields = line.split(": ");
            if (fields.length > 1 && fields[1].startsWith(PREFIX)) {
                ip("link", "del", fields[1].split("@")[0]);
            }
        }
    }

    private static String ip(String... arguments) throws Exception {
        List<String> line = new ArrayList<>(List.of("ip"));
        line.addAll(List.of(arguments));
        Result result = command(line.toArray(String[]::new));
        assertEquals(0, result.exit, String.join(" ", line) + ": " + result.output);
        return result.output;
    }

    private record Result(int exit, String output) {}

    private static Result command(String... line) throws Exception {
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", line) + " did not end");
        return new Result(p.exitValue(), output);
    }
}
