package io.sitepair.ops.chaos;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The history file: UTF-8, one operation a line, tab-separated under a header line. A null field
 * is {@code \N}; a backslash, tab, newline or carriage return in a value is escaped as
 * {@code \\ \t \n \r}; the completion time of an UNKNOWN operation is {@code inf}.
 */
final class HistoryFile {
    static final String HEADER = "process\tkind\tkey\targument\tresult\tinvoke_nanos\tcomplete_nanos\toutcome\tsite";
    private static final int FIELDS = 9;
    private static final String NULL = "\\N";
    private static final String NEVER = "inf";

    private HistoryFile() {
    }

    static void write(List<Operation> operations, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.write('\n');
            for (Operation op : operations) {
                out.write(String.join("\t", String.valueOf(op.process()), op.kind().name(), escape(op.key()),
                        escape(op.argument()), escape(op.result()), String.valueOf(op.invokeNanos()),
                        op.completed() ? String.valueOf(op.completeNanos()) : NEVER, op.outcome().name(),
                        escape(op.site())));
                out.write('\n');
            }
        }
    }

    static List<Operation> read(Path file) throws IOException {
        List<Operation> operations = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (!HEADER.equals(header)) {
                throw malformed(file, 1, header == null ? "empty file, expected the header line" : "expected the header line \""
                        + HEADER.replace("\t", "\\t") + "\"");
            }
            int lineNumber = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                try {
                    operations.add(parse(line));
                } catch (IllegalArgumentException e) {
                    throw malformed(file, lineNumber, e.getMessage());
                }
            }
        }
        return operations;
    }

    private static IOException malformed(Path file, int line, String problem) {
        return new IOException(file + " line " + line + ": " + problem);
    }

    private static Operation parse(String line) {
        String[] fields = line.split("\t", -1);
        if (fields.length != FIELDS) {
            throw new IllegalArgumentException("expected " + FIELDS + " tab-separated fields, found " + fields.length);
        }
        int process = (int) number("process", fields[0]);
        Operation.Kind kind = constant(Operation.Kind.class, "kind", fields[1]);
        String key = unescape(fields[2]);
        if (key == null) {
            throw new IllegalArgumentException("key is missing");
        }
        long invoke = number("invoke_nanos", fields[5]);
        long complete = NEVER.equals(fields[6]) ? Long.MAX_VALUE : number("complete_nanos", fields[6]);
        Operation.Outcome outcome = constant(Operation.Outcome.class, "outcome", fields[7]);
        return new Operation(process, kind, key, unescape(fields[3]), unescape(fields[4]), invoke, complete, outcome,
                unescape(fields[8]));
    }

    private static long number(String field, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " is not a whole number: \"" + text + "\"");
        }
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String field, String text) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) {
                return constant;
            }
        }
        throw new IllegalArgumentException(field + " \"" + text + "\" is not one of " + List.of(type.getEnumConstants()));
    }

    static String escape(String value) {
        if (value == null) {
            return NULL;
        }
        StringBuilder escaped = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\t' -> escaped.append("\\t");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    static String unescape(String field) {
        if (field.equals(NULL)) {
            return null;
        }
        StringBuilder value = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (++i == field.length()) {
                throw new IllegalArgumentException("a field ends in an unfinished escape: \"" + field + "\"");
            }
            value.append(switch (field.charAt(i)) {
                case '\\' -> '\\';
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                default -> throw new IllegalArgumentException("unknown escape \\" + field.charAt(i) + " in \"" + field + "\"");
            });
        }
        return value.toString();
    }
}
