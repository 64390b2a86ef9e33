package io.sitepair.replicator.nic;

import java.net.Inet4Address;

/**
 * Who the guest is on the service network: one MAC, one IPv4 address and the TCP port it serves,
 * the same at both sites, so that a client's connection and ARP cache stay valid when the other
 * site goes live.
 *
 * @param mac the 48-bit MAC address in the low bits
 * @param address the service address the guest answers for
 * @param prefixLength the service network's prefix length (1..32)
 * @param port the TCP port the guest accepts connections on; other ports are refused (RST)
 */
public record NicIdentity(long mac, Inet4Address address, int prefixLength, int port) {
    public NicIdentity {
        if ((mac >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits: " + Long.toHexString(mac));
        }
        if (prefixLength < 1 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 1..32");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /** The address as the guest ABI passes it: big-endian bytes in an int. */
    public int addressBits() {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** An address as the guest ABI passes it (big-endian bytes in an int), dotted: {@code 10.20.0.10}. */
    public static String addressText(int bits) {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }

    /** The address with its prefix length: {@code 10.20.0.10/24}. */
    public String cidr() {
        return address.getHostAddress() + "/" + prefixLength;
    }

    /** {@code 02:00:5e:10:00:0a} form. */
    public String macText() {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                text.append(':');
            }
            text.append(String.format("%02x", (mac >>> shift) & 0xff));
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return cidr() + " port " + port + " (" + macText() + ")";
    }
}
