package io.sitepair.replicator.nic;

/**
 * One end of an Ethernet/IPv4 exchange: a 48-bit MAC address (low bits) and an IPv4 address as a
 * big-endian int (10.20.0.10 is {@code 0x0A14000A}), the forms the guest ABI uses.
 */
public record Station(long mac, int address) {
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    public Station {
        if ((mac >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits: " + Long.toHexString(mac));
        }
    }

    /** The guest as {@code identity} describes it. */
    public static Station of(NicIdentity identity) {
        return new Station(identity.mac(), identity.addressBits());
    }

    @Override
    public String toString() {
        return NicIdentity.addressText(address) + " (" + Long.toHexString(mac) + ")";
    }
}
