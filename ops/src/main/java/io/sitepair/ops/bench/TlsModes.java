package io.sitepair.ops.bench;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The {@code --tls} option of the benchmarks that measure the pair's links with TLS and without, side by side. */
public final class TlsModes {
    @Option(names = "--tls", defaultValue = "on,off", split = ",", paramLabel = "on|off",
            description = "The logging channel with mutual TLS 1.3 (on), without (off), or both, taken in turn"
                    + " (default ${DEFAULT-VALUE}).")
    List<String> modes;

    /** The modes asked for, in order: on, off, or both once each. */
    List<String> checked(CommandLine.Model.CommandSpec spec) {
        if (modes.isEmpty() || modes.stream().anyMatch(m -> !m.equals("on") && !m.equals("off"))
                || modes.stream().distinct().count() != modes.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls takes on, off or on,off; got "
                    + String.join(",", modes));
        }
        return modes;
    }
}
