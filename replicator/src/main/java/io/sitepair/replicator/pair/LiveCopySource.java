package io.sitepair.replicator.pair;

import io.sitepair.disk.DiskHistory;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.WriteTracker;
import io.sitepair.replicator.resync.CopySource;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.Snapshot;
import java.io.IOException;
import java.util.List;

/**
 * What re-protection copies from a serving site: its run's disks and VM, asked on the run's loop
 * (so always between events), and its records, except that a live site knows exactly how far it
 * is: its VM's position.
 */
final class LiveCopySource implements CopySource {
    private final ServedRun run;
    private final SiteRecords records;

    LiveCopySource(ServedRun run, SiteRecords records) {
        this.run = run;
        this.records = records;
    }

    @Override
    public List<DiskImage> disks() {
        return run.vm().disks();
    }

    @Override
    public void trackWrites(WriteTracker tracker) {
        run.vm().trackWrites(tracker);
    }

    @Override
    public Capture capture() throws IOException {
        GuestVm vm = run.vm();
        return new Capture(vm.position(), vm.eventsDelivered(), Snapshot.captureState(vm), vm.vmStateHash());
    }

    @Override
    public DiskHistory history() {
        return records.at(() -> run.vm().position());
    }
}
