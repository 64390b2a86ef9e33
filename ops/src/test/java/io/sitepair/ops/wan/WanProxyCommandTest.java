package io.sitepair.ops.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** {@code wan-proxy}'s profile and its stdin control loop. */
class WanProxyCommandTest {

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
