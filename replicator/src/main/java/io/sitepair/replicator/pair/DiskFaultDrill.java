package io.sitepair.replicator.pair;

import io.sitepair.disk.DiskImage;
import java.util.List;

/** The disk-fault drill ({@code sitepair inject --fault}): from now on every write to a site's disks fails. */
final class DiskFaultDrill {
    private DiskFaultDrill() {}

    /** Arms {@code error} on every disk; returns what the operator is told. */
    static String inject(String site, List<DiskImage> disks, String error) {
        disks.forEach(disk -> disk.injectWriteFault(error));
        return "site '" + site + "': every disk write fails from now on with \"" + error + "\"";
    }
}
