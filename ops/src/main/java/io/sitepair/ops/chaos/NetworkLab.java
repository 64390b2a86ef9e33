package io.sitepair.ops.chaos;

import static io.sitepair.ops.lab.HostNetwork.run;

import io.sitepair.ops.lab.HostNetwork;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The campaign's network: one namespace per node (site a, site b, the witness) joined by a
 * bridge that also carries this process's traffic (the clients and the campaign itself stay in
 * the root namespace). Faults are iptables DROP rules on the receiving node's INPUT chain, so a
 * sender sees a silent loss as on a real link, never a local send error. The names are fixed, so
 * one campaign runs per machine: a lock file guards them.
 */
final class NetworkLab implements AutoCloseable {
    static final String PREFIX = "sp-chaos-";
    static final String BRIDGE = PREFIX + "br";
    static final String HOST_ADDRESS = "10.213.0.1";
    /** Node name to its address on the bridge. */
    static final Map<String, String> ADDRESSES = Map.of("a", "10.213.0.2", "b", "10.213.0.3", "witness", "10.213.0.4");

    /** Held for the campaign's life: the network's names are fixed, so one campaign per machine. */
    private final HostNetwork.Claim claim;

    private NetworkLab(HostNetwork.Claim claim) {
        this.claim = claim;
    }

    /** Why the campaign cannot run here, or null: it needs root, {@code ip} and {@code iptables}. */
    static String missingPrerequisite() {
        if (!HostNetwork.root()) {
            return "the chaos campaign needs root (it creates network namespaces, a bridge and iptables rules)";
        }
        return HostNetwork.missingTool("the chaos campaign");
    }

    /**
     * Creates the namespaces and the bridge, first removing any left over from a crashed run;
     * refuses ({@link HostNetwork.Busy}) while another campaign runs on this machine.
     */
    static NetworkLab create() throws IOException, InterruptedException {
        NetworkLab lab = new NetworkLab(HostNetwork.claim("chaos", "another chaos campaign is running on this machine"
                + " (it holds " + HostNetwork.lockFile("chaos") + " and the " + PREFIX + "* namespaces); wait for it to end"));
        try {
            removeLeftovers();
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        try {
            run("ip", "link", "add", BRIDGE, "type", "bridge");
            run("ip", "addr", "add", HOST_ADDRESS + "/24", "dev", BRIDGE);
            run("ip", "link", "set", BRIDGE, "up");
            for (String node : List.of("a", "b", "witness")) {
                String ns = namespace(node);
                String hostEnd = ns + "-h"; // interface names are limited to 15 characters
                run("ip", "netns", "add", ns);
                run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns);
                run("ip", "link", "set", hostEnd, "master", BRIDGE, "up");
                run("ip", "-n", ns, "addr", "add", ADDRESSES.get(node) + "/24", "dev", "eth0");
                run("ip", "-n", ns, "link", "set", "eth0", "up");
                run("ip", "-n", ns, "link", "set", "lo", "up");
            }
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    static String namespace(String node) {
        return PREFIX + (node.equals("witness") ? "w" : node);
    }

    /** The command prefix that runs a command inside {@code node}'s namespace. */
    List<String> inside(String node) {
        return List.of("ip", "netns", "exec", namespace(node));
    }

    /** From now on {@code to} drops every packet from {@code from}. */
    void drop(String from, String to) throws IOException, InterruptedException {
        iptables(to, "-A", "INPUT", "-s", ADDRESSES.get(from), "-j", "DROP");
    }

    /** Neither node hears the other. */
    void partition(String x, String y) throws IOException, InterruptedException {
        drop(x, y);
        drop(y, x);
    }

    /** TCP between the two nodes to or from {@code port} is dropped both ways; UDP keeps passing. */
    void dropTcp(String x, String y, int port) throws IOException, InterruptedException {
        for (String[] pair : new String[][] {{x, y}, {y, x}}) {
            for (String direction : List.of("--sport", "--dport")) {
                iptables(pair[1], "-A", "INPUT", "-p", "tcp", "-s", ADDRESSES.get(pair[0]), direction,
                        String.valueOf(port), "-j", "DROP");
            }
        }
    }

    /** Removes every rule: the network is whole again. */
    void heal() throws IOException, InterruptedException {
        for (String node : ADDRESSES.keySet()) {
            iptables(node, "-F", "INPUT");
        }
    }

    private void iptables(String node, String... rule) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(inside(node));
        command.add("iptables");
        command.add("-w"); // wait for the xtables lock instead of failing
        command.addAll(List.of(rule));
        run(command.toArray(String[]::new));
    }

    @Override
    public void close() {
        try {
            removeLeftovers();
        } catch (IOException | InterruptedException e) {
            System.err.println("sitepair bench chaos: removing the namespaces failed: " + e.getMessage());
        }
        claim.close();
    }

    /** Deletes every {@code sp-chaos-} namespace, the bridge and the veth pairs. */
    private static void removeLeftovers() throws IOException, InterruptedException {
        HostNetwork.deleteNamespaces(PREFIX);
        // A deleted namespace lives on while anything still refers to it (its sockets in TIME_WAIT
        // do, for a minute), and its veth pairs with it: delete their host ends, which takes the pairs.
        List<String> links = new ArrayList<>(List.of(BRIDGE));
        ADDRESSES.keySet().forEach(node -> links.add(namespace(node) + "-h"));
        HostNetwork.deleteLinks(links);
    }
}
