package io.sitepair.replicator.log;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The log file's header: what the log can be replayed on.
 *
 * <pre>
 *   magic        8 bytes  "SPLOG\r\n\032"
 *   version      u16      FORMAT_VERSION
 *   flags        u16      bit 0: disk reads carry their data
 *   guest hash   32 bytes SHA-256 of the guest module
 *   cpu arch     u16 length + UTF-8 (NaN bit patterns pass through raw: same arch only)
 *   block size   u32
 *   disks        u16 count, then u64 blocks per disk
 *   first pos    u64      position of the first entry
 *   crc32c       u32      of everything above
 * </pre>
 */
public record LogHeader(byte[] guestHash, String cpuArch, List<Long> diskBlocks, boolean loggedReads,
                        long firstPosition) {
    public static final byte[] MAGIC = {'S', 'P', 'L', 'O', 'G', '\r', '\n', 032};
    public static final int FORMAT_VERSION = 1;
    public static final int BLOCK_SIZE = 4096;

    public LogHeader {
        if (guestHash.length != 32) {
            throw new IllegalArgumentException("guest hash must be 32 bytes (SHA-256)");
        }
        diskBlocks = List.copyOf(diskBlocks);
    }

    public String guestHashHex() {
        return HexFormat.of().formatHex(guestHash);
    }

    public void write(OutputStream stream) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(stream, new CRC32C());
        DataOutputStream out = new DataOutputStream(checked);
        out.write(MAGIC);
        out.writeShort(FORMAT_VERSION);
        out.writeShort(loggedReads ? 1 : 0);
        out.write(guestHash);
        out.writeUTF(cpuArch);
        out.writeInt(BLOCK_SIZE);
        out.writeShort(diskBlocks.size());
        for (long blocks : diskBlocks) {
            out.writeLong(blocks);
        }
        out.writeLong(firstPosition);
        out.flush();
        new DataOutputStream(stream).writeInt((int) checked.getChecksum().getValue());
    }

    /** Reads and validates a header; errors say what is wrong with the file. */
    public static LogHeader read(InputStream stream) throws IOException {
        CheckedInputStream checked = new CheckedInputStream(stream, new CRC32C());
        DataInputStream in = new DataInputStream(checked);
        try {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new LogFormatException("not a sitepair log (bad magic)");
            }
            int version = in.readUnsignedShort();
            if (version != FORMAT_VERSION) {
                throw new LogFormatException("log format version " + version + " is not supported (this build reads "
                        + FORMAT_VERSION + ")");
            }
            int flags = in.readUnsignedShort();
            byte[] hash = in.readNBytes(32);
            String arch = in.readUTF();
            int blockSize = in.readInt();
            int disks = in.readUnsignedShort();
            Long[] blocks = new Long[disks];
            for (int i = 0; i < disks; i++) {
                blocks[i] = in.readLong();
            }
            long first = in.readLong();
            int expected = (int) checked.getChecksum().getValue();
            int actual = new DataInputStream(stream).readInt();
            if (expected != actual) {
                throw new LogFormatException("log header is corrupt (checksum mismatch)");
            }
            if (blockSize != BLOCK_SIZE) {
                throw new LogFormatException("log block size " + blockSize + " is not " + BLOCK_SIZE);
            }
            return new LogHeader(hash, arch, List.of(blocks), (flags & 1) != 0, first);
        } catch (java.io.EOFException e) {
            throw new LogFormatException("log header is truncated");
        }
    }
}
