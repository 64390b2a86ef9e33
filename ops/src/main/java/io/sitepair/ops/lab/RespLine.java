package io.sitepair.ops.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** One line of a Redis-protocol reply, for lab clients that speak RESP on a plain socket. */
public final class RespLine {
    private RespLine() {}

    /** The next line from {@code in}, without its CRLF; throws if the server closes the connection first. */
    public static String read(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the server closed the connection mid-reply");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
