package io.sitepair.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The epochs a site has lived through, in order: for each, the log position it began at and the
 * site that was primary in it. An epoch's entry is durable (synced, with its directory) before any
 * write of that epoch lands on the site's disks. Comparing two sites' lineages finds the last point
 * of history they share (DRBD compares generation identifiers for the same purpose).
 *
 * <p>The file holds one line per epoch: {@code <epoch> <start position> <primary site>}.
 */
public final class Lineage {
    /** Epoch {@code epoch} began at log position {@code start} with {@code primary} live. */
    public record Entry(long epoch, long start, String primary) {}

    private final Path file;
    private final List<Entry> entries;

    private Lineage(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /** A lineage known only from its entries (another site's, as it sent them); it cannot be extended. */
    public static Lineage of(List<Entry> entries) {
        return new Lineage(null, new ArrayList<>(entries));
    }

    /** Reads the lineage in {@code file} (empty if there is none yet); a malformed line is an error naming it. */
    public static Lineage open(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split(" ");
                try {
                    if (f.length != 3) {
                        throw new NumberFormatException();
                    }
                    Entry entry = new Entry(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]);
                    // A later epoch may begin at a lower position: a primary restarted cold begins its
                    // log again, in a new epoch. Only epochs must rise.
                    if (!entries.isEmpty() && entry.epoch() <= entries.getLast().epoch()) {
                        throw new IOException(file + ":" + (i + 1) + ": epoch " + entry.epoch() + " at position "
                                + entry.start() + " does not follow " + entries.getLast());
                    }
                    entries.add(entry);
                } catch (NumberFormatException e) {
                    throw new IOException(file + ":" + (i + 1) + ": \"" + line + "\" is not \"<epoch> <position>"
                            + " <site>\"");
                }
            }
        }
        return new Lineage(file, entries);
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Whether {@code site} was primary in {@code epoch} on this history. */
    public boolean served(long epoch, String site) {
        return entries.stream().anyMatch(e -> e.epoch() == epoch && e.primary().equals(site));
    }

    /** The epoch this site is in (0 before any). */
    public long lastEpoch() {
        return entries.isEmpty() ? 0 : entries.getLast().epoch();
    }

    /**
     * Records that this site enters {@code epoch} at log position {@code start} with
     * {@code primary} live; durable when it returns. Entering the current epoch again changes
     * nothing; an older epoch is refused.
     */
    public void enter(long epoch, long start, String primary) throws IOException {
        if (!entries.isEmpty() && entries.getLast().epoch() == epoch) {
            return;
        }
        if (!entries.isEmpty() && epoch < entries.getLast().epoch()) {
            throw new IllegalStateException("this site is in epoch " + entries.getLast().epoch()
                    + "; it cannot enter epoch " + epoch);
        }
        Entry entry = new Entry(epoch, start, primary);
        DurableFiles.append(file, line(entry).getBytes(StandardCharsets.UTF_8));
        entries.add(entry);
    }

    /**
     * Replaces the whole history with {@code history} (another site's, whose disks this site now
     * holds after a resync), atomically and durably. A resync discarding this site's writes after a split-brain
     * leaves none of its own epochs behind.
     */
    public void replaceWith(List<Entry> history) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < history.size(); i++) {
            Entry e = history.get(i);
            if (i > 0 && e.epoch() <= history.get(i - 1).epoch()) {
                throw new IllegalArgumentException("epoch " + e.epoch() + " does not follow epoch "
                        + history.get(i - 1).epoch());
            }
            text.append(line(e));
        }
        DurableFiles.replace(file, text.toString().getBytes(StandardCharsets.UTF_8));
        entries.clear();
        entries.addAll(history);
    }

    /** An entry as a line of the file. */
    private static String line(Entry e) {
        return e.epoch() + " " + e.start() + " " + e.primary() + "\n";
    }

    /**
     * Where two sites' histories part: the last stamp both share. Each site's history in an epoch
     * runs from the epoch's start to the start of its next epoch (or to {@code lastPosition}, the
     * site's position now, in its last epoch). Sites share an epoch when both lineages hold it
     * with the same start and primary; they share its history up to the shorter of the two, with
     * one refinement: a backup's history in an epoch is a prefix of its primary's (it replayed the
     * primary's log, or was copied from it), so when the epoch is the primary's last, whose end is
     * only a lower bound (after kill -9, its latest durable record), they share all of the backup's.
     * Null when they share nothing (a full copy is needed).
     */
    public static Stamp divergence(Lineage a, long aLastPosition, String aSite, Lineage b, long bLastPosition,
                                   String bSite) {
        for (int i = a.entries.size() - 1; i >= 0; i--) {
            Entry e = a.entries.get(i);
            int j = b.entries.indexOf(e);
            if (j >= 0) {
                boolean aLast = i + 1 == a.entries.size();
                boolean bLast = j + 1 == b.entries.size();
                long aEnd = aLast ? aLastPosition : a.entries.get(i + 1).start();
                long bEnd = bLast ? bLastPosition : b.entries.get(j + 1).start();
                long shared = aLast && e.primary().equals(aSite) ? bEnd
                        : bLast && e.primary().equals(bSite) ? aEnd
                        : Math.min(aEnd, bEnd);
                return new Stamp(e.epoch(), shared);
            }
        }
        return null;
    }

    /**
     * Whether the two sites both served after {@code point} (each was primary in an epoch the
     * other never had): a split-brain, which only an operator can resolve.
     */
    public static boolean splitBrain(Lineage a, String aSite, Lineage b, String bSite, Stamp point) {
        return servedAlone(a, aSite, b, point) && servedAlone(b, bSite, a, point);
    }

    private static boolean servedAlone(Lineage mine, String site, Lineage other, Stamp point) {
        return mine.entries.stream().anyMatch(e -> e.epoch() > point.epoch() && e.primary().equals(site)
                && !other.entries.contains(e));
    }
}
