package io.sitepair.ops.pair;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The least Redis client the failover benchmark and the chaos campaign need: SET, GET and INCR, one at a time. */
public final class RespClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    public RespClient(InetSocketAddress address, int timeoutMs) throws IOException {
        socket.connect(address, timeoutMs);
        socket.setSoTimeout(timeoutMs);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Whether the server answered +OK. */
    public boolean set(String key, String value) throws IOException {
        send("SET", key, value);
        return "+OK".equals(line());
    }

    /** The value, or null for a missing key. */
    public String get(String key) throws IOException {
        send("GET", key);
        String header = line();
        if (header.equals("$-1")) {
            return null;
        }
        if (!header.startsWith("$")) {
            throw new IOException("unexpected reply to GET: " + header);
        }
        byte[] value = in.readNBytes(Integer.parseInt(header.substring(1)) + 2);
        return new String(value, 0, value.length - 2, StandardCharsets.UTF_8);
    }

    /** The counter's new value; an error reply (the command was refused) throws {@link ErrorReply}. */
    public long incr(String key) throws IOException {
        send("INCR", key);
        String reply = line();
        if (!reply.startsWith(":")) {
            throw new ErrorReply(reply);
        }
        return Long.parseLong(reply.substring(1));
    }

    /** The server answered with an error: the command was refused, not lost. */
    public static final class ErrorReply extends IOException {
        ErrorReply(String reply) {
            super("error reply: " + reply);
        }
    }

    private void send(String... parts) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + parts.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(bytes);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(request.toByteArray());
        out.flush();
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
