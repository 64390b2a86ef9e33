package io.sitepair.ops.lab;

import static io.sitepair.ops.lab.HostNetwork.run;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-machine lab's service network for network mode {@code nic}: the layer-2 segment that
 * the guest's service address lives on, stretched over both sites as a real deployment's would be.
 *
 * <pre>
 *   splab-a-tap (site a's TAP)        splab-b-tap (site b's TAP)
 *        |                                  |
 *     splab-a ---veth---+      +---veth--- splab-b        (each site's service bridge)
 *                       |      |
 *                       splab-c  10.77.0.1/24             (the clients' bridge; the host is a client)
 *                          |
 *                        veth --- eth0 10.77.0.2/24 in namespace splab-clients
 * </pre>
 *
 * The guest answers at {@value #SERVICE_ADDRESS}/{@value #PREFIX_LENGTH} port {@value #SERVICE_PORT}
 * through whichever site's TAP is up; the site daemons create their TAPs, this class only builds
 * the network around them. Processes in the root namespace (tests, redis-benchmark) reach the
 * guest through splab-c; a tool run with {@code ip netns exec splab-clients} does from a host of
 * its own. The names are fixed, so one nic lab runs per machine: a lock file guards them.
 *
 * <p>Two flavours share the names. A test or demo {@link #create creates} the network for the life
 * of its process, holding the lock throughout. For a pair run by hand, {@link #bringUp} builds it
 * to outlive the command (until {@link #takeDown} or a reboot), holding the lock only while it
 * builds; a mark on the clients' bridge tells that network from a crashed run's leftovers.
 */
public final class NicLab implements AutoCloseable {
    public static final String CLIENTS_BRIDGE = "splab-c";
    public static final String CLIENTS_NAMESPACE = "splab-clients";
    public static final String HOST_ADDRESS = "10.77.0.1";
    public static final String CLIENTS_ADDRESS = "10.77.0.2";
    public static final String SERVICE_ADDRESS = "10.77.0.10";
    public static final int PREFIX_LENGTH = 24;
    public static final int SERVICE_PORT = 6379;

    private static final String LAB = "nic-lab";
    /** Marks this lab's iptables rules, so that leftovers of a crashed run can be found and deleted. */
    private static final String RULE_MARK = "sitepair-nic-lab";
    private static final List<String> SITES = List.of("a", "b");
    private static final String NAMESPACE_END = CLIENTS_BRIDGE + "-ns";
    private static final String BUSY = "another nic lab is running on this machine (it holds "
            + HostNetwork.lockFile(LAB) + " and the splab-* interfaces); stop it first";
    /** The lasting network's mark: the clients' bridge's alias. */
    private static final String LASTING_MARK = "sitepair nic lab, up until sitepair nic-lab down";

    private final HostNetwork.Claim claim;
    private final List<PacketLoss> losses = new ArrayList<>();

    private NicLab(HostNetwork.Claim claim) {
        this.claim = claim;
    }

    /** Site {@code site}'s ("a" or "b") service bridge, which its TAP joins. */
    public static String siteBridge(String site) {
        return "splab-" + site;
    }

    /** The name of site {@code site}'s TAP device. */
    public static String siteTap(String site) {
        return siteBridge(site) + "-tap";
    }

    /** Every interface this lab creates (not the sites' TAPs); deleting a veth's end deletes the pair. */
    static List<String> links() {
        List<String> links = new ArrayList<>(List.of(CLIENTS_BRIDGE, NAMESPACE_END));
        for (String site : SITES) {
            links.add(siteBridge(site));
            links.add(siteEnd(site));
        }
        return links;
    }

    /** Why the lab cannot be built here, or null: it needs root, {@code ip} and {@code iptables}. */
    public static String missingPrerequisite() {
        if (!HostNetwork.root()) {
            return "network mode nic needs root (the sites create TAP devices, the lab bridges, a namespace and"
                    + " iptables rules); run as root, or use network mode socket";
        }
        return HostNetwork.missingTool("network mode nic");
    }

    /**
     * Builds the network for the life of this lab, first removing whatever a crashed run left;
     * refuses ({@link HostNetwork.Busy}) while another nic lab runs on this machine, or the
     * lasting network is up (a pair run by hand may be using it).
     */
    public static NicLab create() throws IOException, InterruptedException {
        HostNetwork.Claim claim = HostNetwork.claim(LAB, BUSY);
        if (lasting()) {
            claim.close();
            throw new HostNetwork.Busy("the nic lab's network is up for a pair run by hand (`sitepair init --lab"
                    + " --nic` or `sitepair nic-lab up` built it); remove it first: sitepair nic-lab down");
        }
        NicLab lab = new NicLab(claim);
        try {
            removeLeftovers();
            build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /**
     * Builds the network to outlive this process, unless it is up already: one that is stays as
     * it is, since a running pair may use it. Whether it built it; refuses ({@link HostNetwork.Busy})
     * while a test's or demo's nic lab runs.
     */
    public static boolean bringUp() throws IOException, InterruptedException {
        try (HostNetwork.Claim claim = HostNetwork.claim(LAB, BUSY)) {
            if (lasting()) {
                return false;
            }
            removeLeftovers();
            try {
                build();
                run("ip", "link", "set", "dev", CLIENTS_BRIDGE, "alias", LASTING_MARK);
            } catch (IOException | InterruptedException | RuntimeException e) {
                removeLeftovers();
                throw e;
            }
            return true;
        }
    }

    /** The sites' TAPs that exist now: each belongs to a running site of a nic lab pair. */
    public static List<String> tapsInUse() {
        return SITES.stream().map(NicLab::siteTap).filter(tap -> HostNetwork.quietOutput("ip", "link", "show", tap)
                != null).toList();
    }

    /**
     * Removes the network {@link #bringUp} built, or what a crashed run left; whether there was
     * anything. Refuses ({@link InUse}) while a site's TAP exists, unless {@code force}: removing
     * it then leaves that site's TAP on no bridge, its clients cut off.
     */
    public static boolean takeDown(boolean force) throws IOException, InterruptedException {
        try (HostNetwork.Claim claim = HostNetwork.claim(LAB, BUSY)) {
            List<String> taps = tapsInUse();
            if (!taps.isEmpty() && !force) {
                throw new InUse(taps);
            }
            boolean present = links().stream().anyMatch(l -> HostNetwork.quietOutput("ip", "link", "show", l) != null);
            removeLeftovers();
            return present;
        }
    }

    /** A site of the lab still serves on the network: its TAP is there. */
    public static final class InUse extends IOException {
        InUse(List<String> taps) {
            super("a site of the nic lab still runs on its network (TAP " + String.join(", ", taps) + "); stop the"
                    + " pair's sites first, or remove it anyway with --force (their clients are cut off)");
        }
    }

    /** Whether the lasting network is up: its mark is on the clients' bridge. */
    private static boolean lasting() throws IOException {
        Path alias = Path.of("/sys/class/net", CLIENTS_BRIDGE, "ifalias");
        return Files.exists(alias) && Files.readString(alias).strip().equals(LASTING_MARK);
    }

    private static void build() throws IOException, InterruptedException {
        addBridge(CLIENTS_BRIDGE);
        run("ip", "addr", "add", HOST_ADDRESS + "/" + PREFIX_LENGTH, "dev", CLIENTS_BRIDGE);
        for (String site : SITES) {
            addBridge(siteBridge(site));
            run("ip", "link", "add", siteEnd(site), "type", "veth", "peer", "name", clientsEnd(site));
            run("ip", "link", "set", siteEnd(site), "master", siteBridge(site), "up");
            run("ip", "link", "set", clientsEnd(site), "master", CLIENTS_BRIDGE, "up");
        }
        run("ip", "netns", "add", CLIENTS_NAMESPACE);
        run("ip", "link", "add", NAMESPACE_END, "type", "veth", "peer", "name", "eth0", "netns", CLIENTS_NAMESPACE);
        run("ip", "link", "set", NAMESPACE_END, "master", CLIENTS_BRIDGE, "up");
        run("ip", "-n", CLIENTS_NAMESPACE, "addr", "add", CLIENTS_ADDRESS + "/" + PREFIX_LENGTH, "dev", "eth0");
        run("ip", "-n", CLIENTS_NAMESPACE, "link", "set", "eth0", "up");
        run("ip", "-n", CLIENTS_NAMESPACE, "link", "set", "lo", "up");
    }

    /**
     * From now on, each packet between the root namespace and the service address is dropped
     * with {@code probability}, each direction on its own, until the returned loss is closed.
     *
     * <p>The rules sit in the root namespace's OUTPUT (to the guest) and INPUT (from it) chains,
     * inserted first so that no ACCEPT rule of the host's goes before them: the lab's main
     * clients (tests, redis-benchmark) run there, and a Java test cannot move its sockets into
     * another namespace. They match the service address only, so the host's other traffic
     * passes, and clients in {@value #CLIENTS_NAMESPACE} (bridged, not through INPUT/OUTPUT)
     * are not affected. Each rule carries a mark, so a crashed run's rules go at the next
     * {@link #create} or {@link #close}.
     */
    public PacketLoss packetLoss(double probability) throws IOException, InterruptedException {
        if (!(probability > 0 && probability <= 1)) {
            throw new IllegalArgumentException("a loss probability is in (0, 1]: " + probability);
        }
        PacketLoss loss = new PacketLoss(BigDecimal.valueOf(probability).toPlainString());
        loss.apply("-I");
        synchronized (losses) {
            losses.add(loss);
        }
        return loss;
    }

    /** Random loss of the service address's packets, as {@link #packetLoss} describes. */
    public static final class PacketLoss implements AutoCloseable {
        private final String probability;
        private boolean removed;

        private PacketLoss(String probability) {
            this.probability = probability;
        }

        /** The lab's close removes every rule it made. */
        private synchronized void removedWithTheLab() {
            removed = true;
        }

        /** Removes this loss's rules; the lab's other losses, if any, stay. */
        @Override
        public synchronized void close() throws IOException {
            if (removed) {
                return;
            }
            removed = true;
            try {
                apply("-D");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while removing the loss rules", e);
            }
        }

        private void apply(String action) throws IOException, InterruptedException {
            for (String[] match : new String[][] {{"OUTPUT", "-d"}, {"INPUT", "-s"}}) {
                List<String> command = new ArrayList<>(List.of("iptables", "-w", action, match[0]));
                if (action.equals("-I")) {
                    command.add("1");
                }
                command.addAll(List.of(match[1], SERVICE_ADDRESS + "/32", "-m", "statistic", "--mode", "random",
                        "--probability", probability, "-m", "comment", "--comment", RULE_MARK, "-j", "DROP"));
                run(command.toArray(String[]::new));
            }
        }
    }

    /** Removes everything the lab built, its loss rules included, and lets another lab run. */
    @Override
    public void close() {
        synchronized (losses) {
            losses.forEach(PacketLoss::removedWithTheLab);
        }
        try {
            removeLeftovers();
        } catch (IOException | InterruptedException e) {
            System.err.println("sitepair nic lab: removing the lab's network failed: " + e.getMessage());
        } finally {
            claim.close();
        }
    }

    private static void removeLeftovers() throws IOException, InterruptedException {
        for (String rule : HostNetwork.output("iptables", "-w", "-S").split("\n")) {
            if (rule.startsWith("-A ") && rule.contains("--comment " + RULE_MARK + " ")) {
                List<String> command = new ArrayList<>(List.of("iptables", "-w", "-D"));
                command.addAll(List.of(rule.substring("-A ".length()).split(" ")));
                run(command.toArray(String[]::new));
            }
        }
        HostNetwork.deleteNamespaces(CLIENTS_NAMESPACE);
        // Delete the veths' root ends too: a deleted namespace lingers while anything refers to it.
        HostNetwork.deleteLinks(links());
    }

    private static void addBridge(String name) throws IOException, InterruptedException {
        run("ip", "link", "add", name, "type", "bridge");
        run("ip", "link", "set", name, "up");
    }

    /** The veth end on site {@code site}'s bridge. */
    private static String siteEnd(String site) {
        return siteBridge(site) + "-c";
    }

    /** Its peer, on the clients' bridge. */
    private static String clientsEnd(String site) {
        return CLIENTS_BRIDGE + "-" + site;
    }
}
