package io.sitepair.replicator.nic;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * big-endian words. Sums are kept unfolded in a long so that several pieces (a pseudo-header,
 * then a segment) can be added before {@link #fold}.
 */
public final class InternetChecksum {
    private InternetChecksum() {}

    /** Adds {@code length} bytes from {@code offset} to {@code sum}; an odd last byte is padded with zero. */
    public static long add(long sum, byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += (bytes[i] & 0xff) << 8 | (bytes[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (bytes[i] & 0xff) << 8;
        }
        return sum;
    }

    /** Folds the carries into 16 bits and complements: the value to store in a checksum field. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) ~sum & 0xffff;
    }

    /** The checksum of {@code length} bytes from {@code offset}; 0 over data whose checksum field is right. */
    public static int of(byte[] bytes, int offset, int length) {
        return fold(add(0, bytes, offset, length));
    }

    /** The sum of the IPv4 pseudo-header that TCP's checksum covers (RFC 9293 3.1). */
    public static long pseudoHeader(int source, int destination, int protocol, int length) {
        return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff) + protocol + length;
    }
}
