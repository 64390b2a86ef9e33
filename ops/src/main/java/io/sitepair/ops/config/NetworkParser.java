package io.sitepair.ops.config;

import io.sitepair.ops.config.NetworkConfig.Mode;
import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.nic.Station;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The optional {@code network} section, and each site's {@code nic} in mode nic. The guest's identity on the
 * service network (address, port, MAC) is given once for the pair, so it cannot differ between the sites: a
 * client keeps the same address, and its ARP cache the same MAC, when the other site goes live. Each site
 * gives only where its TAP device goes.
 */
final class NetworkParser {
    static final List<String> KEYS = List.of("mode", "address", "port", "mac");
    static final List<String> NIC_KEYS = List.of("bridge", "tap");
    private static final List<String> NIC_ONLY = List.of("address", "port", "mac");
    static final int DEFAULT_PORT = 6379;
    static final String DEFAULT_TAP_PREFIX = "sp-";
    /** First byte 02 (locally administered, unicast), then "sp": a default MAC says whose it is. */
    private static final long DEFAULT_MAC_PREFIX = 0x02_73_70L << 24;
    private static final Pattern MAC = Pattern.compile("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}");
    /** Four decimal parts: InetAddress would also take 10.20.0 (as 10.20.0.0), a likely typo. */
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String CIDR_EXAMPLE = "ADDRESS/PREFIX, such as 10.20.0.10/24";
    private static final String NIC_MODE_ONLY = "applies only to network mode nic, and this pair's network mode is"
            + " socket";

    private NetworkParser() {}

    /** The network mode, socket if the file gives none; null if refused (reported). */
    static Mode mode(YamlSection s) {
        if (s.broken()) {
            return null;
        }
        return s.optional("mode", v -> switch (v) {
            case "socket" -> Mode.SOCKET;
            case "nic" -> Mode.NIC;
            default -> throw new IllegalArgumentException(Scalars.quote(v) + " is not a network mode (socket: each site"
                    + " serves clients at a service address of its own; nic: the guest has a virtual NIC with one"
                    + " address at both sites)");
        }, Mode.SOCKET);
    }

    /**
     * In mode nic, the guest's identity: its address, port and MAC (by default {@link #defaultMac} of the pair);
     * null in mode socket, or if a value is refused (reported). In mode socket the keys of mode nic are refused.
     *
     * @param mode the section's mode, null if refused (then nothing more is said about the section)
     * @param pair the pair's name, null if refused
     */
    static NicIdentity identity(YamlSection s, Mode mode, String pair) {
        if (mode == Mode.SOCKET) {
            NIC_ONLY.stream().filter(s::has).forEach(key -> s.problemWithKey(key, NIC_MODE_ONLY));
        }
        if (mode != Mode.NIC) {
            return null;
        }
        Cidr cidr = s.required("address", NetworkParser::cidr);
        Integer port = s.optional("port", Scalars::port, DEFAULT_PORT);
        Long mac = s.optional("mac", NetworkParser::mac, pair == null ? null : defaultMac(pair));
        return cidr == null || port == null || mac == null ? null
                : new NicIdentity(mac, cidr.address(), cidr.prefixLength(), port);
    }

    /** The pair's {@link NetworkConfig}, or null if the section was refused (reported). */
    static NetworkConfig config(Mode mode, NicIdentity identity) {
        return mode == null || (mode == Mode.NIC && identity == null) ? null : new NetworkConfig(mode, identity);
    }

    /**
     * A site's {@code nic} in mode nic: the bridge its TAP joins (required) and the TAP's name (by default
     * {@code sp-SITE}); null if refused (reported) or the pair's identity is.
     */
    static NicSettings siteNic(YamlSection site, String siteName, NicIdentity identity) {
        YamlSection nic = site.section("nic", NIC_KEYS);
        if (nic.broken()) {
            return null;
        }
        String bridge = nic.required("bridge", NetworkParser::interfaceName);
        String tap = nic.optional("tap", NetworkParser::interfaceName, DEFAULT_TAP_PREFIX + siteName);
        if (!nic.has("tap") && tap.length() > NicSettings.MAX_INTERFACE_NAME) {
            nic.problem("tap", "the default TAP name " + Scalars.quote(tap) + " is longer than "
                    + NicSettings.MAX_INTERFACE_NAME + " characters (Linux's limit on an interface name); give one");
            return null;
        }
        if (tap != null && tap.equals(bridge)) {
            nic.problem("tap", Scalars.quote(tap) + " is the bridge's name; the TAP needs one of its own");
            return null;
        }
        return bridge == null || tap == null || identity == null ? null : new NicSettings(tap, bridge, identity);
    }

    /** Refuses a site's {@code nic} in mode socket. */
    static void refuseSiteNic(YamlSection site) {
        if (site.has("nic")) {
            site.problemWithKey("nic", NIC_MODE_ONLY);
        }
    }

    /**
     * {@code 02:73:70} and three bytes of the SHA-256 of the pair's name: locally administered and unicast,
     * the same wherever it is computed, and different for different pairs on one network unless the three
     * bytes collide (1 in 16 million for two pairs; {@code network.mac} then sets one).
     */
    static long defaultMac(String pair) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(pair.getBytes(StandardCharsets.UTF_8));
            return DEFAULT_MAC_PREFIX | (hash[0] & 0xffL) << 16 | (hash[1] & 0xffL) << 8 | (hash[2] & 0xffL);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Linux's rule (dev_valid_name): 1 to 15 characters, not "." or "..", no '/', ':' or whitespace. */
    static String interfaceName(String v) {
        if (v.length() > NicSettings.MAX_INTERFACE_NAME) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is " + v.length() + " characters; an interface"
                    + " name has at most " + NicSettings.MAX_INTERFACE_NAME + " (Linux's limit)");
        }
        if (v.isEmpty() || v.equals(".") || v.equals("..") || v.chars().anyMatch(c -> c == '/' || c == ':'
                || Character.isWhitespace(c))) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is not an interface name (no '/', ':' or"
                    + " whitespace, and not \".\" or \"..\")");
        }
        return v;
    }

    private record Cidr(Inet4Address address, int prefixLength) {}

    /** A host's IPv4 address on the service network, with the network's prefix length. */
    private static Cidr cidr(String v) {
        int slash = v.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(Scalars.quote(v) + " needs the service network's prefix length ("
                    + CIDR_EXAMPLE + ")");
        }
        String host = v.substring(0, slash);
        String prefix = v.substring(slash + 1);
        if (host.contains(":")) {
            throw new IllegalArgumentException(Scalars.quote(v) + ": the guest's network stack speaks IPv4 only ("
                    + CIDR_EXAMPLE + ")");
        }
        Inet4Address address = DOTTED_QUAD.matcher(host).matches() && prefix.matches("\\d{1,2}") ? ipv4(host) : null;
        if (address == null) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is not an IPv4 address and prefix length ("
                    + CIDR_EXAMPLE + ")");
        }
        int length = Integer.parseInt(prefix);
        if (length < 1 || length > 32) {
            throw new IllegalArgumentException(Scalars.quote(v) + ": the prefix length must be 1-32");
        }
        int bits = ByteBuffer.wrap(address.getAddress()).getInt();
        if (address.isLoopbackAddress() || address.isMulticastAddress() || address.isAnyLocalAddress() || bits == -1) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is not an address a host can have (loopback,"
                    + " multicast, 0.0.0.0 and 255.255.255.255 are not)");
        }
        int hostMask = (int) ((1L << (32 - length)) - 1);
        if (length <= 30 && (bits & hostMask) == 0) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is the network's own address, not a host's in it");
        }
        if (length <= 30 && (bits & hostMask) == hostMask) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is the network's broadcast address, not a host's"
                    + " in it");
        }
        return new Cidr(address, length);
    }

    /** The address, or null if a part is over 255. */
    private static Inet4Address ipv4(String dottedQuad) {
        try {
            return (Inet4Address) InetAddress.ofLiteral(dottedQuad);
        } catch (IllegalArgumentException overflow) {
            return null;
        }
    }

    /** A unicast MAC, {@code 02:73:70:00:00:0a}. */
    private static long mac(String v) {
        if (!MAC.matcher(v).matches()) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is not a MAC address (six hex bytes separated by"
                    + " ':', such as 02:73:70:00:00:0a)");
        }
        long mac = HexFormat.fromHexDigitsToLong(v.replace(":", ""));
        String unicast = "; the guest's NIC needs a unicast MAC (the first byte even), such as a locally administered"
                + " 02:xx:xx:xx:xx:xx, or leave the key out for one derived from the pair's name";
        if (mac == Station.BROADCAST) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is the broadcast address" + unicast);
        }
        if ((mac >>> 40 & 1) != 0) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is a multicast MAC (the first byte is odd)" + unicast);
        }
        if (mac == 0) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is no NIC's address" + unicast);
        }
        return mac;
    }
}
