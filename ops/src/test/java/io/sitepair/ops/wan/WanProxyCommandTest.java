package io.sitepair.ops.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code wan-proxy}'s units and its stdin control loop. */
class WanProxyCommandTest {

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofMillis(5), WanUnits.parseDuration("5ms"));
        assertEquals(Duration.ofSeconds(1), WanUnits.parseDuration("1s"));
        assertEquals(Duration.ofNanos(250_000), WanUnits.parseDuration("250us"));
        assertEquals(Duration.ofNanos(1_500_000), WanUnits.parseDuration("1.5ms"));
        assertEquals(Duration.ZERO, WanUnits.parseDuration("0"));
        assertThrows(IllegalArgumentException.class, () -> WanUnits.parseDuration("5"));
        assertThrows(IllegalArgumentException.class, () -> WanUnits.parseDuration("-5ms"));
        assertEquals("1.5ms", WanUnits.formatDuration(Duration.ofNanos(1_500_000)));
        assertEquals("250us", WanUnits.formatDuration(Duration.ofNanos(250_000)));
    }

    @Test
    void parsesRatesInDecimalBits() {
        assertEquals(1_000_000_000L, WanUnits.parseRate("1gbit"));
        assertEquals(100_000_000L, WanUnits.parseRate("100mbit"));
        assertEquals(2_500_000L, WanUnits.parseRate("2.5Mbit"));
        assertEquals(0, WanUnits.parseRate("0"));
        assertEquals(0, WanUnits.parseRate("unlimited"));
        assertThrows(IllegalArgumentException.class, () -> WanUnits.parseRate("10mbps")); // bytes or bits?
        assertEquals("100mbit", WanUnits.formatRate(100_000_000L));
    }

    @Test
    void rttIsSplitEvenly() {
        WanProfile p = WanProfile.rtt(Duration.ofMillis(20), 1_000_000);
        assertEquals(Duration.ofMillis(10), p.forwardDelay());
        assertEquals(Duration.ofMillis(10), p.reverseDelay());
        assertEquals(1_000_000, p.bitsPerSecond(Direction.REVERSE));
    }

    @Test
    @Timeout(20)
    void controlCommandsOnStdinDriveTheProxy() throws Exception {
        try (TestServer server = TestServer.echo()) {
            PipedWriter stdin = new PipedWriter();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new WanProxyCommand(new PipedReader(stdin)));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            String to = "127.0.0.1:" + server.address().getPort();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                    () -> cli.execute("--listen", "127.0.0.1:0", "--to", to, "--rtt", "10ms", "--rate", "1gbit"));

            WanProxyTest.awaitTrue(() -> out.toString().contains("\n"), Duration.ofSeconds(5), "the listening line");
            Matcher m = Pattern.compile("^listening on 127\\.0\\.0\\.1:(\\d+)\\n").matcher(out.toString());
            assertTrue(m.find(), "[" + out.toString().replace("\n", "\\n").replace("\r", "\\r") + "]");
            int port = Integer.parseInt(m.group(1));

            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write(7);
                assertEquals(7, s.getInputStream().read());
                send(stdin, "cut");
                int got;
                try {
                    got = s.getInputStream().read();
                } catch (SocketException reset) {
                    got = -1;
                }
                assertEquals(-1, got, "cut should end the connection");
            }
            send(stdin, "restore");
            send(stdin, "delay 5ms");
            send(stdin, "rate 100mbit");
            send(stdin, "bogus");
            send(stdin, "stats");
            send(stdin, "quit");
            assertEquals(0, exit.get(10, TimeUnit.SECONDS), err.toString());

            String printed = out.toString();
            assertTrue(printed.contains("relaying to " + to + ": delay 5ms/5ms, rate 1gbit/1gbit"), printed);
            assertTrue(printed.contains("profile delay 5ms/5ms, rate 100mbit/100mbit"), printed);
            assertTrue(printed.contains("stats mode=up accepted=1 refused=0 open=0 forward=1 reverse=1"), printed);
            assertTrue(err.toString().contains("unknown command 'bogus'"), err.toString());
        }
    }

    @Test
    void rejectsBadOptions() {
        CommandLine cli = new CommandLine(new WanProxyCommand(new java.io.StringReader("")));
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--rate", "10mbps"));
        assertEquals(2, cli.execute("--listen", "127.0.0.1:0", "--to", "nowhere", "--delay", "1ms"));
        assertEquals(2, cli.execute("--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--delay", "1ms", "--rtt", "2ms"));
    }

    private static void send(PipedWriter stdin, String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }
}
