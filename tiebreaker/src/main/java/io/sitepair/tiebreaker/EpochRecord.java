package io.sitepair.tiebreaker;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pair's arbitration record, one znode: the current epoch, the site that is live in it, the log
 * position at which the epoch began, and where clients reach the live site. Stored as text so that
 * an operator reading it with zkCli sees what it says.
 */
public record EpochRecord(long epoch, String liveSite, long startPosition, String endpoint) {
    public EpochRecord {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be at least 1, not " + epoch);
        }
        if (liveSite == null || liveSite.isBlank() || liveSite.contains("\n")) {
            throw new IllegalArgumentException("live site must be a site name, not '" + liveSite + "'");
        }
    }

    /** The record for the next epoch, with {@code site} live from {@code position}. */
    public EpochRecord next(String site, long position, String newEndpoint) {
        return new EpochRecord(epoch + 1, site, position, newEndpoint);
    }

    byte[] encode() {
        return ("epoch " + epoch + "\nlive " + liveSite + "\nposition " + startPosition + "\nendpoint " + endpoint + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a record; {@code where} names the znode in the error. */
    static EpochRecord decode(byte[] data, String where) {
        Map<String, String> fields = new LinkedHashMap<>();
        String text = new String(data, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0) {
                throw new IllegalStateException(where + ": malformed epoch record line '" + line + "'");
            }
            fields.put(line.substring(0, space), line.substring(space + 1));
        }
        try {
            return new EpochRecord(Long.parseLong(field(fields, "epoch", where)), field(fields, "live", where),
                    Long.parseLong(field(fields, "position", where)), field(fields, "endpoint", where));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": malformed epoch record: " + e.getMessage(), e);
        }
    }

    private static String field(Map<String, String> fields, String name, String where) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalStateException(where + ": epoch record has no '" + name + "'");
        }
        return value;
    }

    @Override
    public String toString() {
        return "epoch " + epoch + " (" + liveSite + " live from position " + startPosition + ", clients at " + endpoint + ")";
    }
}
