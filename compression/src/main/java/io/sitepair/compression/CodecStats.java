package io.sitepair.compression;

/**
 * Counters of a {@link BlockCodec}, as of one moment.
 *
 * @param rawBytes         uncompressed bytes encoded
 * @param wireBytes        frame bytes produced by encoding, headers included
 * @param framesCompressed frames encoded with LZ4
 * @param framesStored     frames encoded as stored (small, incompressible, or bypassed)
 * @param lz4Attempts      times the encoder ran LZ4 (bypassed frames do not count)
 * @param rawBytesDecoded  uncompressed bytes produced by successful decodes
 * @param wireBytesDecoded frame bytes consumed by successful decodes
 * @param framesDecoded    frames decoded successfully
 */
public record CodecStats(long rawBytes, long wireBytes, long framesCompressed, long framesStored,
                         long lz4Attempts, long rawBytesDecoded, long wireBytesDecoded,
                         long framesDecoded) {

    /** Encoding's raw/wire ratio (above 1 means the channel saves bytes); 1.0 before any frame. */
    public double ratio() {
        return wireBytes == 0 ? 1.0 : (double) rawBytes / wireBytes;
    }
}
