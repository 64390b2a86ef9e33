package io.sitepair.ops.command;

import io.sitepair.ops.bench.BenchCommand;
import io.sitepair.ops.config.InitCommand;
import io.sitepair.ops.lab.PairDemo;
import io.sitepair.ops.logging.ProcessLogging;
import io.sitepair.ops.site.OperatorError;
import io.sitepair.ops.wan.WanProxyCommand;
import io.sitepair.replicator.channel.NativeEpoll;
import io.sitepair.replicator.log.LogFormatException;
import io.sitepair.replicator.tls.TlsException;
import io.sitepair.replicator.vm.GuestLoadException;
import io.sitepair.replicator.vm.LogUnreadable;
import io.sitepair.replicator.vm.VmException;
import io.sitepair.tiebreaker.NoQuorumException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sitepair} command line. */
@Command(name = "sitepair", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Long-distance fault tolerance for WebAssembly VMs: a primary at one site, a backup replaying"
                + " its log in lockstep at another.",
        subcommands = {GuestCommand.class, LogCommand.class, BenchCommand.class, PairDemo.class, InitCommand.class,
                NicLabCommand.class, UpCommand.class, StatusCommand.class, EndpointCommand.class, WitnessCommand.class,
                FailoverCommand.class, DrillCommand.class, VerifyCommand.class, ResyncCommand.class, InjectCommand.class,
                WanProxyCommand.class, CertCommand.class, ValidateCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** The VM halted: guest fault or replay divergence; or a site of a pair halted (another site is live). */
    public static final int EXIT_VM_HALTED = 3;
    /** The log or snapshot is damaged (corrupt or truncated). */
    static final int EXIT_DAMAGED = 4;

    public static void main(String[] args) {
        ProcessLogging.forCommand(); // the daemons, `up` and `witness`, widen it
        NativeEpoll.prepare(); // before ZooKeeper, Micronaut or the logging channel first touch Netty's epoll
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main(), Main::create);
        cli.setExecutionExceptionHandler(Main::reportFailure);
        return cli;
    }

    /** Makes the commands: {@code init}, in the configuration's layer, is given the lab's network from here. */
    private static <K> K create(Class<K> type) throws Exception {
        if (type == InitCommand.class) {
            return type.cast(new InitCommand(NicLabCommand::bringUp));
        }
        return CommandLine.defaultFactory().create(type);
    }

    /** Errors an operator can act on are one clear line; only an unforeseen exception (a bug) adds its stack trace. */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
        err.flush();
        if (e instanceof LogUnreadable || e instanceof LogFormatException) {
            return EXIT_DAMAGED;
        }
        if (e instanceof VmException) {
            return EXIT_VM_HALTED;
        }
        if (e instanceof GuestLoadException || e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof UncheckedIOException || e instanceof OperatorError
                || e instanceof NoQuorumException || e instanceof SecurityException || e instanceof TlsException) {
            return 1;
        }
        e.printStackTrace(err);
        return 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/sitepair-version.properties")) {
                p.load(in);
            }
            return new String[] {"sitepair " + p.getProperty("version") + " (Java " + Runtime.version() + ", "
                    + System.getProperty("os.arch") + ")"};
        }
    }
}
