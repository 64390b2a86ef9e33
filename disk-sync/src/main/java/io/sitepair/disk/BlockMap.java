package io.sitepair.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A site's block map, in RocksDB: for every block of every disk, the {@link Stamp} (epoch and log
 * position) of its last write, recorded on the write path of both sites (the primary as it
 * executes, the backup as it replays). After an outage the blocks stamped after the two sites'
 * divergence point are exactly the ones to resync.
 *
 * <p>Crash safety: the map never claims a block is older than it is. A write's record reaches
 * RocksDB's write-ahead log before the write reaches the disk image (so it survives kill -9, whose
 * page cache survives too), and {@link #sync()} makes the log durable before the images are
 * fsynced. For a power cut, which can lose an unsynced log record while the page cache has already
 * written the block back, the map keeps an activity log in the style of DRBD's: before the first
 * write into a 4 MiB extent, the extent is marked hot with a synced write; an extent cools (its
 * mark removed) only once the precise records of its blocks are durable. After an unclean stop,
 * every block of every extent still marked hot counts as written at an unknown point of the last
 * epoch. Hot extents are bounded ({@link #HOT_EXTENTS}), so that is all a crash can add to a
 * resync.
 *
 * <p>Thread-safe: the VM's thread records, the network's reads the map for a resync, and a closed
 * map refuses every call rather than touch freed native memory.
 */
public final class BlockMap implements AutoCloseable {
    /** Blocks per activity-log extent: 4 MiB. */
    public static final int EXTENT_BLOCKS = 1024;
    /** Extents kept hot at most; the least recently heated cools first. */
    public static final int HOT_EXTENTS = 256;

    private static final int META = 0xFFFF; // key prefix of the activity log: above any disk number
    private static final byte[] CLEAN = key(META, -1);

    static {
        NativeRocksDb.load();
    }

    private final RocksDB db;
    private final Path dir;
    private final WriteOptions logged = new WriteOptions().setSync(false);
    private final WriteOptions synced = new WriteOptions().setSync(true);
    /** Hot extents (key: disk << 48 | extent), least recently heated first. */
    private final LinkedHashMap<Long, Boolean> hot = new LinkedHashMap<>(16, 0.75f, true);
    private final java.util.Map<Long, Long> lastExact = new java.util.HashMap<>(); // epoch -> lastPositionIn
    private int scans; // writtenAfter scans running without the lock; close() waits for them
    private final Stamp recoveredUnknown;
    private long records;
    private long alWrites;
    private boolean closed;

    private BlockMap(RocksDB db, Path dir, Stamp recoveredUnknown) {
        this.db = db;
        this.dir = dir;
        this.recoveredUnknown = recoveredUnknown;
    }

    /**
     * Opens (creating) the map in {@code dir}. If the last run did not {@link #close()} cleanly,
     * the blocks of the extents it had hot are stamped as written at an unknown point of
     * {@code lastEpoch} (the epoch the site was in), since their precise records may be lost. A map
     * created here had no last run, so nothing to recover.
     */
    public static BlockMap open(Path dir, long lastEpoch) throws IOException {
        Files.createDirectories(dir);
        boolean created = !Files.exists(dir.resolve("CURRENT")); // RocksDB's pointer to its manifest
        try (Options options = new Options().setCreateIfMissing(true)) {
            RocksDB db = RocksDB.open(options, dir.toString());
            boolean clean = created || db.get(CLEAN) != null;
            List<Long> stillHot = new ArrayList<>();
            try (RocksIterator it = db.newIterator()) {
                for (it.seek(key(META, 0)); it.isValid() && disk(it.key()) == META; it.next()) {
                    if (block(it.key()) >= 0) {
                        stillHot.add(block(it.key()));
                    }
                }
            }
            Stamp unknown = clean ? null : Stamp.unknownIn(lastEpoch);
            BlockMap map = new BlockMap(db, dir, unknown);
            if (!clean) {
                map.recover(stillHot, unknown);
            }
            db.delete(map.synced, CLEAN); // from here on, a stop is clean only once close() says so
            return map;
        } catch (RocksDBException e) {
            throw new IOException(dir + ": opening the block map: " + e.getMessage(), e);
        }
    }

    /** Removes the map in {@code dir} with everything it recorded; nothing is left to open. */
    public static void destroy(Path dir) throws IOException {
        try (Options options = new Options()) {
            RocksDB.destroyDB(dir.toString(), options);
        } catch (RocksDBException e) {
            throw new IOException(dir + ": removing the block map: " + e.getMessage(), e);
        }
    }

    /** Stamps every block of the extents an unclean stop left hot, then cools them. */
    private void recover(List<Long> extents, Stamp unknown) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            for (long id : extents) {
                int disk = (int) (id >>> 48);
                long first = (id & ((1L << 48) - 1)) * EXTENT_BLOCKS;
                for (long block = first; block < first + EXTENT_BLOCKS; block++) {
                    batch.put(key(disk, block), value(unknown));
                }
                batch.delete(key(META, id));
            }
            db.write(synced, batch);
        }
    }

    /**
     * Records that blocks {@code [block, block+count)} of {@code disk} are written at
     * {@code stamp}; call before the write itself. Heats the extents first (a synced write, once
     * per extent while it stays hot).
     */
    public synchronized void record(int disk, long block, int count, Stamp stamp) {
        requireOpen();
        try {
            for (long extent = block / EXTENT_BLOCKS; extent <= (block + count - 1) / EXTENT_BLOCKS; extent++) {
                heat(((long) disk << 48) | extent, stamp);
            }
            try (WriteBatch batch = new WriteBatch()) {
                byte[] value = value(stamp);
                for (long b = block; b < block + count; b++) {
                    batch.put(key(disk, b), value);
                }
                db.write(logged, batch);
            }
            records += count;
            if (stamp.position() != Long.MAX_VALUE) {
                lastExact.computeIfPresent(stamp.epoch(), (e, last) -> Math.max(last, stamp.position()));
            }
        } catch (RocksDBException e) {
            throw new java.io.UncheckedIOException(new IOException(dir + ": recording a write: " + e.getMessage(), e));
        }
    }

    private void heat(long extent, Stamp stamp) throws RocksDBException {
        if (hot.get(extent) != null) {
            return; // the access refreshes its place in the LRU order
        }
        if (hot.size() >= HOT_EXTENTS) {
            long coldest = hot.keySet().iterator().next();
            db.flushWal(true); // its blocks' precise records are durable before its mark goes
            db.delete(synced, key(META, coldest));
            hot.remove(coldest);
        }
        db.put(synced, key(META, extent), value(stamp));
        hot.put(extent, Boolean.TRUE);
        alWrites++;
    }

    /**
     * A tracker that records each write the VM makes at {@code epoch}'s current value and the
     * VM's log position.
     */
    public WriteTracker tracker(java.util.function.LongSupplier epoch) {
        return (disk, block, count, position) -> record(disk, block, count, new Stamp(epoch.getAsLong(), position));
    }

    /**
     * The highest exact position recorded in {@code epoch}: how far this site at least got in it.
     * Scanned once per epoch and run of the map, then kept up by {@link #record} (every handshake
     * asks, and a scan of a large disk's map is long).
     */
    public synchronized long lastPositionIn(long epoch) {
        requireOpen();
        Long known = lastExact.get(epoch);
        if (known != null) {
            return known;
        }
        long last = 0;
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid() && disk(it.key()) != META; it.next()) {
                Stamp stamp = stamp(it.value());
                if (stamp.epoch() == epoch && stamp.position() != Long.MAX_VALUE) {
                    last = Math.max(last, stamp.position());
                }
            }
        }
        lastExact.put(epoch, last);
        return last;
    }

    /** Makes every record so far durable; call before fsyncing the disk images. */
    public synchronized void sync() {
        requireOpen();
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw new java.io.UncheckedIOException(new IOException(dir + ": syncing: " + e.getMessage(), e));
        }
    }

    /** The stamp of a block's last write ({@link Stamp#ZERO}: never written). */
    public synchronized Stamp stamp(int disk, long block) throws IOException {
        requireOpen();
        try {
            byte[] value = db.get(key(disk, block));
            return value == null ? Stamp.ZERO : stamp(value);
        } catch (RocksDBException e) {
            throw new IOException(dir + ": reading: " + e.getMessage(), e);
        }
    }

    /**
     * The blocks of {@code disk} (of {@code blocks}) written after {@code point}. The scan does not
     * hold the map's lock, so the guest's writes go on meanwhile (RocksDB's iterator reads a
     * consistent view); a write recorded during the scan may or may not be in the answer, so a
     * caller tracks writes from before it calls.
     */
    public BitSet writtenAfter(int disk, long blocks, Stamp point) throws IOException {
        RocksIterator it;
        synchronized (this) {
            requireOpen();
            it = db.newIterator();
            scans++;
        }
        try {
            BitSet set = new BitSet();
            for (it.seek(key(disk, 0)); it.isValid() && disk(it.key()) == disk; it.next()) {
                long block = block(it.key());
                if (block < blocks && stamp(it.value()).after(point)) {
                    set.set((int) block);
                }
            }
            return set;
        } finally {
            synchronized (this) {
                it.close();
                scans--;
                notifyAll(); // close() waits for the last scan
            }
        }
    }

    /**
     * Counters for status and benchmarks.
     *
     * @param recoveredUnknown the stamp an unclean stop left the hot extents at; null after a clean stop
     */
    public record Stats(long records, long activityLogWrites, int hotExtents, Stamp recoveredUnknown) {}

    public synchronized Stats stats() {
        return new Stats(records, alWrites, hot.size(), recoveredUnknown);
    }

    /** A clean stop: every record durable, every extent cool, and the map says so. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        while (scans > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(dir + ": interrupted while a scan of the map was running", e);
            }
        }
        try {
            db.flushWal(true);
            try (WriteBatch batch = new WriteBatch()) {
                for (long extent : hot.keySet()) {
                    batch.delete(key(META, extent));
                }
                batch.put(CLEAN, new byte[0]);
                db.write(synced, batch);
            }
            hot.clear();
        } catch (RocksDBException e) {
            throw new IOException(dir + ": closing: " + e.getMessage(), e);
        } finally {
            db.close();
            logged.close();
            synced.close();
        }
    }

    /**
     * Drops the map without a clean stop, as a crash would (for tests): the activity log stays as
     * it is on disk.
     */
    synchronized void abandon() {
        closed = true;
        db.close();
        logged.close();
        synced.close();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(dir + ": the block map is closed");
        }
    }

    private static byte[] key(int disk, long block) {
        return ByteBuffer.allocate(10).putShort((short) disk).putLong(block).array();
    }

    private static int disk(byte[] key) {
        return ByteBuffer.wrap(key).getShort() & 0xFFFF;
    }

    private static long block(byte[] key) {
        return ByteBuffer.wrap(key).getLong(2);
    }

    private static byte[] value(Stamp stamp) {
        return ByteBuffer.allocate(16).putLong(stamp.epoch()).putLong(stamp.position()).array();
    }

    private static Stamp stamp(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        return new Stamp(in.getLong(), in.getLong());
    }
}
