package io.sitepair.ops.config;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import io.sitepair.tiebreaker.QuorumMember;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair init --lab DIR [--nic]}: a ready-to-run pair on this machine, in network mode socket or nic;
 * {@code sitepair init --pair NAME --site a=HOST --site b=HOST --witness HOST}: a pair on three machines. The
 * last line is the config's path.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a site-pair configuration, a new secret and the pair's certificates (a new CA, a"
                + " certificate for each site, the witness and an operator, naming their hosts). --lab: a pair named"
                + " 'lab' with both sites on this machine (loopback, free ports) and their data directories; with --nic,"
                + " in network mode nic on the nic lab's service network, which it builds when run as root (until"
                + " `sitepair nic-lab down`). --pair:"
                + " two sites and a witness on machines of their own, on the default ports. Never overwrites a file."
                + " Says which file goes to which machine, and prints the configuration file's path as the last line.")
public final class InitCommand implements Callable<Integer> {
    /** {@code --tls on|off}. */
    enum Tls { on, off }

    /** Either a lab or a pair on three machines. */
    static final class Kind {
        @Option(names = "--lab", required = true, paramLabel = "DIR",
                description = "Directory for pair.yaml, pair.secret, the data directories a/ and b/ and the"
                        + " certificates in tls/ (created if needed).")
        Path lab;

        @ArgGroup(exclusive = false)
        Machines machines;
    }

    /** The options of {@code --pair}. */
    static final class Machines {
        @Option(names = "--pair", required = true, paramLabel = "NAME",
                description = "The pair's name: lower-case letters, digits and '-'.")
        String pair;

        @Option(names = "--site", required = true, paramLabel = "NAME=HOST",
                description = "A site and its machine's host name or IP address; twice, the initial primary first.")
        Map<String, String> sites;

        @Option(names = "--witness", required = true, paramLabel = "HOST",
                description = "The witness's machine (the third ZooKeeper peer), ideally at a third place.")
        String witness;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".",
                description = "Directory for pair.yaml, pair.secret and the certificates in tls/. Default: the"
                        + " current directory.")
        Path dir;
    }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;

    @Option(names = "--tls", paramLabel = "on|off", defaultValue = "on",
            description = "With --lab, off: no certificates, and `tls: {mode: off}` in the file, so no link is"
                    + " encrypted (a lab on loopback, or to measure what TLS costs). Default: ${DEFAULT-VALUE}.")
    Tls tls;

    @Option(names = "--nic",
            description = "With --lab: network mode nic, the guest's own virtual NIC at 10.77.0.10/24 port 6379 on the"
                    + " nic lab's service network (each site's TAP on bridge splab-a or splab-b), so clients keep"
                    + " their connections across a failover. Running it needs root; as root, init also builds the nic"
                    + " lab's network (bridges, a namespace, veths) unless it is up: see `sitepair nic-lab`.")
    boolean nic;

    /** Whether this process runs as root: a site in network mode nic needs it to open its TAP. */
    BooleanSupplier root = InitCommand::runsAsRoot;

    /** Brings up the nic lab's network, which {@code --nic} run as root does. */
    private final LabNetwork labNetwork;

    public InitCommand(LabNetwork labNetwork) {
        this.labNetwork = labNetwork;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PairConfig config;
        if (kind.lab != null) {
            // Reading the new file back checks it and gives the values to report.
            config = PairConfigParser.load(LabConfig.write(kind.lab, tls == Tls.on, nic));
            out.printf("wrote pair '%s': guest %s, %d disk(s), both sites on this machine%n", config.pair(),
                    config.guest(), config.diskSizes().size());
        } else {
            if (tls == Tls.off) {
                throw new IllegalArgumentException("--tls off is for --lab only: the links of a pair on three"
                        + " machines cross networks, and are encrypted");
            }
            if (nic) {
                throw new IllegalArgumentException("--nic is for --lab only: on three machines the service network's"
                        + " address and each site's bridge are the network's to give; fill in the network section"
                        + " pair.yaml shows commented out (docs/config.md#network)");
            }
            Machines m = kind.machines;
            config = PairConfigParser.load(ThreeMachineConfig.write(m.dir, m.pair, m.sites, m.witness));
            out.printf("wrote pair '%s': guest %s, %d disk(s), two sites and a witness on machines of their own%n",
                    config.pair(), config.guest(), config.diskSizes().size());
        }
        out.printf("  secret %s (%d random bytes)%n", config.file().resolveSibling(LabConfig.SECRET_FILE),
                config.secret().length);
        for (String name : config.siteNames()) {
            SiteConfig s = config.site(name);
            out.printf("  site %s: channel %s, service %s%s, admin %s, data %s%s%n", name, Addresses.format(s.channel()),
                    Addresses.format(s.service()), s.nic() == null ? ""
                            : " (the guest's NIC: tap " + s.nic().tap() + " on bridge " + s.nic().bridge() + ")",
                    Addresses.format(s.admin()), s.dataDir(),
                    name.equals(config.initialPrimary()) ? " (initial primary)" : "");
        }
        out.printf("  network mode %s%n", config.network());
        if (config.network().nic() && !root.getAsBoolean()) {
            out.println("  note: running this pair needs root (CAP_NET_ADMIN): each site opens its TAP device and"
                    + " attaches it to its bridge, and the nic lab's network (`sitepair nic-lab up`) needs root"
                    + " to build; without root, write a lab in network mode socket (no --nic)");
        } else if (config.network().nic()) {
            upLabNetwork(out);
        }
        QuorumMember witness = config.coordination().member(CoordinationConfig.WITNESS);
        out.printf("  witness: ZooKeeper peer %s, data %s%n", Addresses.format(witness.client()),
                config.coordination().witnessDataDir());
        if (config.tls().on()) {
            printPki(out, config);
        } else {
            out.println("  tls: off: no link is encrypted or authenticated by certificate; for a lab on loopback only");
        }
        out.println(config.file());
        out.flush();
        return 0;
    }

    /** The file is written whatever happens here: a network that cannot be built now can be later. */
    private void upLabNetwork(PrintWriter out) {
        try {
            labNetwork.up().forEach(line -> out.println("  " + line));
        } catch (IOException e) {
            out.println("  note: the nic lab's network was not built: " + e.getMessage() + "; build it later with"
                    + " `sitepair nic-lab up`");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("  note: interrupted while building the nic lab's network; build it with `sitepair nic-lab up`");
        }
    }

    private static boolean runsAsRoot() {
        try {
            // /proc/self belongs to the process's effective user.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The certificates written, and which files each machine of a real deployment needs. */
    public static void printPki(PrintWriter out, PairConfig config) {
        List<TlsHolder> holders = TlsHolder.of(config);
        out.printf("  tls: a new pair CA %s (its key %s), certificates for %s%n", config.nameOf(config.tls().ca()),
                TlsHolder.CA_KEY, String.join(", ", holders.stream().map(TlsHolder::key).toList()));
        out.println("  on separate machines, copy:");
        out.printf("    to every machine: %s, %s, %s%n", LabConfig.CONFIG_FILE, LabConfig.SECRET_FILE,
                config.nameOf(config.tls().ca()));
        for (TlsHolder h : holders) {
            out.printf("    to %s only: %s, %s%s%n", h.machine(), config.nameOf(h.files().certificate()),
                    config.nameOf(h.files().key()), h.key().equals(TlsConfig.OPERATOR)
                            ? "; the CA's key " + TlsHolder.CA_KEY + " stays there too (no site needs it)" : "");
        }
    }
}
