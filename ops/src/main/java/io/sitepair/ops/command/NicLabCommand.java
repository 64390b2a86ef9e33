package io.sitepair.ops.command;

import io.sitepair.ops.lab.NicLab;
import io.sitepair.ops.site.OperatorError;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair nic-lab up|down}: the nic lab's service network, for a lab pair in network mode nic run by hand. */
@Command(name = "nic-lab", mixinStandardHelpOptions = true,
        description = "The nic lab's service network on this machine, which a lab written by `sitepair init --lab --nic`"
                + " runs on: bridges splab-a and splab-b (each site's TAP joins its own), joined by veths to splab-c"
                + " (" + NicLab.HOST_ADDRESS + "/" + NicLab.PREFIX_LENGTH + ", this host's address on it), and the"
                + " namespace " + NicLab.CLIENTS_NAMESPACE + " (" + NicLab.CLIENTS_ADDRESS + ", a client host of its"
                + " own: ip netns exec " + NicLab.CLIENTS_NAMESPACE + " redis-cli -h " + NicLab.SERVICE_ADDRESS + ")."
                + " It stays up until `down` or a reboot. Needs root.")
final class NicLabCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Build the network unless it is up (`init --lab --nic` run as root does too); one that is up"
                    + " stays as it is, since a running pair may use it.")
    int up() throws IOException, InterruptedException {
        print(bringUp());
        return 0;
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove the network: the bridges, the veths and the namespace. Refused while a site of the"
                    + " lab runs on it (its TAP splab-a-tap or splab-b-tap exists), unless --force.")
    int down(@Option(names = "--force", description = "Remove it even while a site runs on it: that site's clients"
            + " are cut off.") boolean force) throws IOException, InterruptedException {
        requirePrerequisites();
        List<String> taps = NicLab.tapsInUse();
        if (!NicLab.takeDown(force)) {
            print(List.of("nic lab network: not up, nothing to remove"));
        } else {
            print(List.of("nic lab network: removed bridges splab-a, splab-b, splab-c, their veths and namespace "
                    + NicLab.CLIENTS_NAMESPACE + (taps.isEmpty() ? "" : "; TAP " + String.join(", ", taps)
                    + " stays with its site, on no bridge")));
        }
        return 0;
    }

    /** What {@code up} and {@code init --lab --nic} do: the lines say what happened and how to undo it. */
    static List<String> bringUp() throws IOException, InterruptedException {
        requirePrerequisites();
        String removal = "; remove it with `sitepair nic-lab down` once the pair's sites are stopped";
        if (!NicLab.bringUp()) {
            return List.of("nic lab network: already up, left as it is" + removal);
        }
        return List.of("nic lab network: created bridges splab-a, splab-b and splab-c (" + NicLab.HOST_ADDRESS + "/"
                + NicLab.PREFIX_LENGTH + "), namespace " + NicLab.CLIENTS_NAMESPACE + " (" + NicLab.CLIENTS_ADDRESS
                + ") and the veths joining them; clients reach the guest at " + NicLab.SERVICE_ADDRESS + ":"
                + NicLab.SERVICE_PORT + ". It stays up until a reboot" + removal);
    }

    private static void requirePrerequisites() {
        String missing = NicLab.missingPrerequisite();
        if (missing != null) {
            throw new OperatorError(missing);
        }
    }

    private void print(List<String> lines) {
        PrintWriter out = spec.commandLine().getOut();
        lines.forEach(out::println);
        out.flush();
    }
}
