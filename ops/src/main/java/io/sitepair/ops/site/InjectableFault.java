package io.sitepair.ops.site;

import java.util.Map;

/**
 * A fault a drill ({@code sitepair inject}) makes a site suffer: its disks fail ({@code
 * disk-io-error}, {@code disk-full}), or its process crashes ({@code crash}).
 */
public sealed interface InjectableFault {
    /** Every write to the site's disks fails from now on with {@code deviceError}, as a failing or full device would. */
    record DiskFault(String deviceError) implements InjectableFault {}

    /** The site's process halts at once with no clean-up, as a power loss would. */
    record Crash() implements InjectableFault {}

    /** Each disk fault, and the device error it raises. */
    Map<String, String> DEVICE_ERRORS = Map.of("disk-io-error", "Input/output error",
            "disk-full", "No space left on device");

    /** The fault named {@code name}; an unknown one is refused naming the known ones. */
    static InjectableFault named(String name) {
        if ("crash".equals(name)) {
            return new Crash();
        }
        String error = name == null ? null : DEVICE_ERRORS.get(name);
        if (error == null) {
            throw new IllegalArgumentException("unknown fault \"" + name + "\" (faults: disk-io-error, disk-full,"
                    + " crash)");
        }
        return new DiskFault(error);
    }
}
