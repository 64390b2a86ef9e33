package io.sitepair.ops.site;

import java.util.Map;

/** The disk faults a drill ({@code sitepair inject}) can make a site's disks fail with. */
public final class DiskFaults {
    /** Each fault, and the device error it raises. */
    private static final Map<String, String> DEVICE_ERRORS = Map.of("disk-io-error", "Input/output error",
            "disk-full", "No space left on device");

    private DiskFaults() {}

    /** The device error for {@code fault}; an unknown fault is refused naming the known ones. */
    public static String deviceError(String fault) {
        String error = fault == null ? null : DEVICE_ERRORS.get(fault);
        if (error == null) {
            throw new IllegalArgumentException("unknown fault \"" + fault + "\" (faults: disk-io-error, disk-full)");
        }
        return error;
    }
}
