package io.sitepair.ops.wan;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.UnitConverters;
import io.sitepair.ops.config.Units;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair wan-proxy}: runs a {@link WanProxy} and takes control commands on stdin, one a
 * line, so a drill script (or a person) can cut, blackhole and reshape the link while it runs.
 */
@Command(name = "wan-proxy", mixinStandardHelpOptions = true,
        description = {"Relay TCP connections to a target through an emulated long-distance link: one-way delay,"
                + " a bandwidth cap, and on command a cut or a blackhole.",
                "Prints 'listening on HOST:PORT', then reads commands from stdin, one a line: cut, blackhole,"
                        + " restore, delay DURATION, rtt DURATION, rate RATE, stats, quit. When stdin ends it keeps"
                        + " running until interrupted, so it can run as a background job."})
public final class WanProxyCommand implements Callable<Integer> {
    private static final String COMMANDS = "cut, blackhole, restore, delay DURATION, rtt DURATION, rate RATE, stats, quit";

    /** {@code --delay} or {@code --rtt}; neither means no delay. */
    static final class Latency {
        @Option(names = "--delay", paramLabel = "DURATION", converter = UnitConverters.Durations.class,
                description = "One-way delay added to each direction (e.g. 5ms, 250us, 0).")
        Duration oneWay;

        @Option(names = "--rtt", paramLabel = "DURATION", converter = UnitConverters.Durations.class,
                description = "Round-trip time to add, split evenly between the directions.")
        Duration rtt;

        Duration oneWay() {
            return oneWay != null ? oneWay : rtt.dividedBy(2);
        }
    }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Addresses.class,
            description = "Address to accept connections on (port 0: any free port).")
    InetSocketAddress listen;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", converter = Addresses.class,
            description = "Where to relay each connection.")
    InetSocketAddress target;

    @ArgGroup(exclusive = true)
    Latency latency;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "RATE", converter = UnitConverters.BitsPerSecond.class,
            description = "Bandwidth cap per direction in bits/s, decimal units (e.g. 100mbit, 1gbit; default 0 ="
                    + " unlimited).")
    long rate;

    @Option(names = "--max-in-flight", defaultValue = "0", paramLabel = "BYTES",
            description = "Bytes one direction of a connection may hold before the proxy stops reading its source"
                    + " (default 0: max(8 MiB, 2 x bandwidth-delay product)).")
    long maxInFlight;

    private final Reader input;

    public WanProxyCommand() {
        this(new InputStreamReader(System.in));
    }

    WanProxyCommand(Reader input) {
        this.input = input;
    }

    @Override
    public Integer call() throws Exception {
        if (maxInFlight < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-in-flight cannot be negative");
        }
        WanProfile profile = WanProfile.symmetric(latency == null ? Duration.ZERO : latency.oneWay(), rate);
        PrintWriter out = spec.commandLine().getOut();
        try (WanProxy proxy = WanProxy.start(listen, target, profile, maxInFlight)) {
            out.println("listening on " + Addresses.format(proxy.address()));
            out.println("relaying to " + Addresses.format(target) + ": " + profile + (proxy.usesEpoll() ? ", epoll" : ", nio"));
            out.flush();
            // SIGINT/SIGTERM: close the proxy so its connections are not left to the OS.
            Thread hook = new Thread(proxy::close, "wan-proxy-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                if (!control(proxy, new BufferedReader(input), out)) {
                    WanProxy.LOG.info("wan-proxy: stdin closed; running until interrupted");
                    new CountDownLatch(1).await();
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running and closes the proxy
                }
            }
        }
        return 0;
    }

    /** Runs commands until {@code quit} (returns true) or the end of the input (false). */
    private boolean control(WanProxy proxy, BufferedReader in, PrintWriter out) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+", 2);
            String verb = words[0].toLowerCase(Locale.ROOT);
            String arg = words.length > 1 ? words[1].trim() : null;
            try {
                switch (verb) {
                    case "" -> { }
                    case "cut" -> proxy.cut();
                    case "blackhole" -> proxy.blackhole();
                    case "restore" -> proxy.restore();
                    case "delay" -> reshape(proxy, out, proxy.profile().withDelay(Units.duration(need(arg, verb))));
                    case "rtt" -> reshape(proxy, out,
                            proxy.profile().withDelay(Units.duration(need(arg, verb)).dividedBy(2)));
                    case "rate" -> reshape(proxy, out, proxy.profile().withRate(Units.bitsPerSecond(need(arg, verb))));
                    case "stats" -> out.println(statsLine(proxy));
                    case "quit", "exit" -> {
                        return true;
                    }
                    default -> throw new IllegalArgumentException("unknown command '" + verb + "' (" + COMMANDS + ")");
                }
            } catch (IllegalArgumentException e) {
                err.println("wan-proxy: " + e.getMessage());
                err.flush();
            }
            out.flush();
        }
        return false;
    }

    private static String need(String arg, String verb) {
        if (arg == null) {
            throw new IllegalArgumentException(verb + " needs a value (e.g. '" + verb
                    + (verb.equals("rate") ? " 100mbit" : " 5ms") + "')");
        }
        return arg;
    }

    private static void reshape(WanProxy proxy, PrintWriter out, WanProfile profile) {
        proxy.setProfile(profile);
        out.println("profile " + profile);
    }

    /** One line of key=value pairs, easy for a script to pick apart. */
    static String statsLine(WanProxy proxy) {
        WanProxy.Stats s = proxy.stats();
        return "stats mode=" + proxy.mode().name().toLowerCase(Locale.ROOT) + " accepted=" + s.accepted()
                + " refused=" + s.refused() + " open=" + s.open() + " forward=" + s.forwardBytes()
                + " reverse=" + s.reverseBytes() + " dropped=" + s.droppedBytes() + " in-flight=" + s.inFlightBytes();
    }
}
