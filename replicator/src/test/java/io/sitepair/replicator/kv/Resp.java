package io.sitepair.replicator.kv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal RESP2 client side: request encoding, and a strict reply parser. */
final class Resp {
    private Resp() {}

    /** One error reply, as parsed. */
    record Error(String message) {}

    static byte[] command(String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return command(raw);
    }

    static byte[] command(byte[]... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            b.writeBytes(a);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return b.toByteArray();
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The payload of a single bulk reply. */
    static String bulkText(String reply) {
        Object v = parseOne(reply.getBytes(StandardCharsets.ISO_8859_1));
        if (!(v instanceof byte[] b)) {
            throw new AssertionError("not a bulk reply: " + reply);
        }
        return text(b);
    }

    static Object parseOne(byte[] data) {
        int[] pos = {0};
        Object v = parse(data, pos);
        if (pos[0] != data.length) {
            throw new IllegalArgumentException("trailing bytes after one reply: " + text(data));
        }
        return v;
    }

    /** Parses a stream of complete replies; throws if any is malformed or cut short. */
    static List<Object> parseAll(byte[] data) {
        List<Object> replies = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < data.length) {
            replies.add(parse(data, pos));
        }
        return replies;
    }

    /** Status replies as "+TEXT", errors as {@link Error}, integers as Long, bulks as byte[], nil as null. */
    static Object parse(byte[] d, int[] pos) {
        if (pos[0] >= d.length) {
            throw new IllegalArgumentException("reply cut short at " + pos[0]);
        }
        byte type = d[pos[0]++];
        String line = line(d, pos);
        switch (type) {
            case '+':
                return "+" + line;
            case '-':
                return new Error(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n == -1) {
                    return null;
                }
                if (n < 0 || pos[0] + n + 2 > d.length || d[pos[0] + n] != '\r' || d[pos[0] + n + 1] != '\n') {
                    throw new IllegalArgumentException("bad bulk of " + n + " at " + pos[0]);
                }
                byte[] b = java.util.Arrays.copyOfRange(d, pos[0], pos[0] + n);
                pos[0] += n + 2;
                return b;
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n == -1) {
                    return null;
                }
                if (n < 0) {
                    throw new IllegalArgumentException("bad array length " + n);
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(parse(d, pos));
                }
                return items;
            }
            default:
                throw new IllegalArgumentException("bad reply type '" + (char) type + "' at " + (pos[0] - 1));
        }
    }

    private static String line(byte[] d, int[] pos) {
        for (int i = pos[0]; i + 1 < d.length; i++) {
            if (d[i] == '\r') {
                if (d[i + 1] != '\n') {
                    throw new IllegalArgumentException("CR without LF at " + i);
                }
                String s = new String(d, pos[0], i - pos[0], StandardCharsets.ISO_8859_1);
                pos[0] = i + 2;
                return s;
            }
            if (d[i] == '\n') {
                throw new IllegalArgumentException("LF without CR at " + i);
            }
        }
        throw new IllegalArgumentException("line cut short at " + pos[0]);
    }
}
