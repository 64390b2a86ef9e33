package io.sitepair.replicator.log;

import io.sitepair.replicator.nic.NicIdentity;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Every record the primary's log can carry, and its payload encoding (big-endian).
 *
 * <p>Three families: <em>events</em> the host delivers to the guest; <em>results</em> of
 * non-deterministic host calls made while handling an event; and <em>outputs</em>, which carry
 * only a CRC32C of what left the VM so that replay can check it produced the same bytes.
 */
public sealed interface LogRecord {

    /** The one-byte type code written in the entry header. */
    int type();

    /** Encoded payload size in bytes. */
    int payloadSize();

    void writePayload(ByteBuffer out);

    /** One readable line, used by {@code sitepair log dump} and in errors. */
    String describe();

    /** A record that is delivered to the guest as a handler call. */
    sealed interface Event extends LogRecord permits Init, Opened, Data, Closed, TimerFired, Frame, NicUp {}

    /**
     * A record the primary appends between events for the backup itself, not for the guest: a
     * state check or an operation. Never inside a handler.
     */
    sealed interface Marker extends LogRecord permits StateCheck, Control, DiskCheck, BlockRepair {}

    // ---- events ----

    record Init() implements Event {
        public int type() { return 0x01; }
        public int payloadSize() { return 0; }
        public void writePayload(ByteBuffer out) {}
        public String describe() { return "event init"; }
    }

    record Opened(int conn) implements Event {
        public int type() { return 0x02; }
        public int payloadSize() { return 4; }
        public void writePayload(ByteBuffer out) { out.putInt(conn); }
        public String describe() { return "event open conn=" + conn; }
    }

    record Data(int conn, byte[] bytes) implements Event {
        public int type() { return 0x03; }
        public int payloadSize() { return 4 + bytes.length; }
        public void writePayload(ByteBuffer out) { out.putInt(conn).put(bytes); }
        public String describe() { return "event data conn=" + conn + " len=" + bytes.length + " " + preview(bytes); }
    }

    record Closed(int conn) implements Event {
        public int type() { return 0x04; }
        public int payloadSize() { return 4; }
        public void writePayload(ByteBuffer out) { out.putInt(conn); }
        public String describe() { return "event closed conn=" + conn; }
    }

    record TimerFired(long timer) implements Event {
        public int type() { return 0x05; }
        public int payloadSize() { return 8; }
        public void writePayload(ByteBuffer out) { out.putLong(timer); }
        public String describe() { return "event timer id=" + timer; }
    }

    /** One Ethernet frame from the service network, for the guest's own TCP/IP stack (network mode nic). */
    record Frame(byte[] bytes) implements Event {
        public int type() { return 0x06; }
        public int payloadSize() { return bytes.length; }
        public void writePayload(ByteBuffer out) { out.put(bytes); }
        public String describe() { return "event frame len=" + bytes.length; }
    }

    /**
     * The virtual NIC's link came up at the site that serves, with the guest's identity on the
     * service network: on boot, and on each go-live, when the guest announces its address and
     * prompts its connections' clients.
     */
    record NicUp(long mac, int address, int prefixLength, int port) implements Event {
        public int type() { return 0x07; }
        public int payloadSize() { return 8 + 4 + 1 + 2; }
        public void writePayload(ByteBuffer out) {
            out.putLong(mac).putInt(address).put((byte) prefixLength).putShort((short) port);
        }
        public String describe() {
            return "event nic-up " + NicIdentity.addressText(address) + "/" + prefixLength
                    + " port " + port;
        }
    }

    // ---- results of non-deterministic host calls ----

    record Clock(long nanos) implements LogRecord {
        public int type() { return 0x10; }
        public int payloadSize() { return 8; }
        public void writePayload(ByteBuffer out) { out.putLong(nanos); }
        public String describe() { return "clock " + nanos; }
    }

    record Random(byte[] bytes) implements LogRecord {
        public int type() { return 0x11; }
        public int payloadSize() { return bytes.length; }
        public void writePayload(ByteBuffer out) { out.put(bytes); }
        public String describe() { return "random len=" + bytes.length + " " + preview(bytes); }
    }

    /** A disk read served locally on both sites; the CRC32C lets the backup detect a differing disk. */
    record DiskRead(int disk, long block, int count, int crc) implements LogRecord {
        public int type() { return 0x12; }
        public int payloadSize() { return 20; }
        public void writePayload(ByteBuffer out) { out.putInt(disk).putLong(block).putInt(count).putInt(crc); }
        public String describe() {
            return "disk-read disk=" + disk + " block=" + block + " count=" + count + " crc=" + hex(crc);
        }
    }

    /** A disk read whose data travels in the log (logged-read mode). */
    record DiskReadData(int disk, long block, int count, byte[] data) implements LogRecord {
        public int type() { return 0x13; }
        public int payloadSize() { return 16 + data.length; }
        public void writePayload(ByteBuffer out) { out.putInt(disk).putLong(block).putInt(count).put(data); }
        public String describe() {
            return "disk-read-data disk=" + disk + " block=" + block + " count=" + count;
        }
    }

    // ---- outputs ----

    record Sent(int conn, int length, int crc) implements LogRecord {
        public int type() { return 0x20; }
        public int payloadSize() { return 12; }
        public void writePayload(ByteBuffer out) { out.putInt(conn).putInt(length).putInt(crc); }
        public String describe() { return "output send conn=" + conn + " len=" + length + " crc=" + hex(crc); }
    }

    record Hangup(int conn) implements LogRecord {
        public int type() { return 0x21; }
        public int payloadSize() { return 4; }
        public void writePayload(ByteBuffer out) { out.putInt(conn); }
        public String describe() { return "output close conn=" + conn; }
    }

    // ---- markers ----

    /** SHA-256 of the VM's state (memory, globals, tables, host state) at this point between events. */
    record StateCheck(byte[] hash) implements Marker {
        public StateCheck {
            if (hash.length != 32) {
                throw new IllegalArgumentException("state check of " + hash.length + " bytes, not 32 (SHA-256)");
            }
        }
        public int type() { return 0x30; }
        public int payloadSize() { return 32; }
        public void writePayload(ByteBuffer out) { out.put(hash); }
        public String describe() { return "marker state-check " + HexFormat.of().formatHex(hash, 0, 8) + "..."; }
    }

    /**
     * Online verify: the CRC32C of each of {@code crcs.length / 4} blocks of {@code disk} from
     * {@code first} on, as the primary's disk holds them at this point between events. The backup
     * compares its own and reports the blocks that differ; {@code last} ends one verify run.
     */
    record DiskCheck(int disk, long first, byte[] crcs, boolean last) implements Marker {
        public DiskCheck {
            if (crcs.length % 4 != 0) {
                throw new IllegalArgumentException("disk check of " + crcs.length + " bytes, not whole CRC32Cs");
            }
        }
        public int blocks() { return crcs.length / 4; }
        public int crc(int i) { return ByteBuffer.wrap(crcs).getInt(4 * i); }
        public int type() { return 0x32; }
        public int payloadSize() { return 2 + 8 + 1 + crcs.length; }
        public void writePayload(ByteBuffer out) { out.putShort((short) disk).putLong(first).put((byte) (last ? 1 : 0)).put(crcs); }
        public String describe() {
            return "marker disk-check disk=" + disk + " blocks " + first + "+" + blocks() + (last ? " (last)" : "");
        }
    }

    /**
     * Verify's repair: blocks {@code first..} of {@code disk} as the primary holds them at this
     * point between events; the backup writes them over its own when it replays this entry.
     */
    record BlockRepair(int disk, long first, byte[] data) implements Marker {
        public BlockRepair {
            if (data.length == 0 || data.length % 4096 != 0) {
                throw new IllegalArgumentException("block repair of " + data.length + " bytes, not whole blocks");
            }
        }
        public int blocks() { return data.length / 4096; }
        public int type() { return 0x33; }
        public int payloadSize() { return 2 + 8 + data.length; }
        public void writePayload(ByteBuffer out) { out.putShort((short) disk).putLong(first).put(data); }
        public String describe() { return "marker block-repair disk=" + disk + " blocks " + first + "+" + blocks(); }
    }

    /** An operation from the primary to its backup. */
    record Control(Operation operation) implements Marker {
        /**
         * POWER_OFF: the primary stopped cleanly here; the backup stops too and must not go live.
         * SWITCHOVER: the primary delivers nothing after this entry; the backup goes live from here.
         */
        public enum Operation { POWER_OFF, SWITCHOVER }

        public int type() { return 0x31; }
        public int payloadSize() { return 1; }
        public void writePayload(ByteBuffer out) { out.put((byte) operation.ordinal()); }
        public String describe() { return "marker control " + operation.name().toLowerCase(java.util.Locale.ROOT); }

        static Control decode(int code) {
            Operation[] all = Operation.values();
            if (code < 0 || code >= all.length) {
                throw new IllegalArgumentException("unknown control operation " + code);
            }
            return new Control(all[code]);
        }
    }

    /**
     * Decodes a payload. Throws {@link IllegalArgumentException} naming the problem for an unknown
     * type or a payload of the wrong size; the reader adds the entry position.
     */
    static LogRecord decode(int type, ByteBuffer in) {
        LogRecord record = switch (type) {
            case 0x01 -> new Init();
            case 0x02 -> new Opened(in.getInt());
            case 0x03 -> new Data(in.getInt(), rest(in));
            case 0x04 -> new Closed(in.getInt());
            case 0x05 -> new TimerFired(in.getLong());
            case 0x06 -> new Frame(rest(in));
            case 0x07 -> new NicUp(in.getLong(), in.getInt(), in.get() & 0xff, in.getShort() & 0xffff);
            case 0x10 -> new Clock(in.getLong());
            case 0x11 -> new Random(rest(in));
            case 0x12 -> new DiskRead(in.getInt(), in.getLong(), in.getInt(), in.getInt());
            case 0x13 -> new DiskReadData(in.getInt(), in.getLong(), in.getInt(), rest(in));
            case 0x20 -> new Sent(in.getInt(), in.getInt(), in.getInt());
            case 0x21 -> new Hangup(in.getInt());
            case 0x30 -> new StateCheck(rest(in));
            case 0x31 -> Control.decode(in.get() & 0xff);
            case 0x33 -> {
                int disk = in.getShort() & 0xFFFF;
                long first = in.getLong();
                yield new BlockRepair(disk, first, rest(in));
            }
            case 0x32 -> {
                int disk = in.getShort() & 0xFFFF;
                long first = in.getLong();
                boolean last = in.get() != 0;
                yield new DiskCheck(disk, first, rest(in), last);
            }
            default -> throw new IllegalArgumentException("unknown record type 0x" + Integer.toHexString(type));
        };
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " unexpected trailing payload bytes for type 0x"
                    + Integer.toHexString(type));
        }
        return record;
    }

    private static byte[] rest(ByteBuffer in) {
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        return bytes;
    }

    private static String hex(int value) {
        return String.format("%08x", value);
    }

    private static String preview(byte[] bytes) {
        int n = Math.min(bytes.length, 16);
        return HexFormat.of().formatHex(bytes, 0, n) + (bytes.length > n ? "..." : "");
    }
}
