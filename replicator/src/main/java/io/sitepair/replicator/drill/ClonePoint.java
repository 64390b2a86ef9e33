package io.sitepair.replicator.drill;

import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a test clone starts from, taken on the replay thread between two events: the VM's state
 * at that log position and copies of the disks as replay left them there.
 *
 * @param pauseNanos how long replay was held to take it
 */
record ClonePoint(long position, long events, byte[] state, Path directory, List<DiskCopier.Copied> copies,
                  long pauseNanos) {
    ClonePoint {
        copies = List.copyOf(copies);
    }

    /**
     * Captures {@code vm} (between events, on its thread) and copies {@code disks} into {@code
     * directory}, which must not exist; on failure nothing is left behind.
     */
    static ClonePoint take(GuestVm vm, List<Path> disks, Path directory) throws IOException {
        long start = System.nanoTime();
        byte[] state = Snapshot.captureState(vm);
        List<DiskCopier.Copied> copies = new ArrayList<>();
        try {
            Files.createDirectory(directory);
            for (int i = 0; i < disks.size(); i++) {
                Path disk = disks.get(i);
                copies.add(DiskCopier.copy(disk, directory.resolve(i + "-" + disk.getFileName())));
            }
        } catch (IOException | RuntimeException e) {
            TestClone.deleteDirectory(directory);
            throw e;
        }
        return new ClonePoint(vm.position(), vm.eventsDelivered(), state, directory, copies, System.nanoTime() - start);
    }

    List<Path> copyPaths() {
        return copies.stream().map(DiskCopier.Copied::target).toList();
    }

    /** {@code reflink} if every disk was cloned, else {@code sparse copy}. */
    String method() {
        return copies.stream().allMatch(c -> c.method() == DiskCopier.Method.REFLINK)
                ? DiskCopier.Method.REFLINK.words() : DiskCopier.Method.SPARSE_COPY.words();
    }

    long bytes() {
        return copies.stream().mapToLong(DiskCopier.Copied::bytes).sum();
    }

    /** Deletes the copies; says what was deleted, or why not. */
    String deleteCopies() {
        try {
            int files = TestClone.deleteDirectory(directory);
            return "copies deleted (" + files + " files in " + directory + ", " + bytes() + " bytes)";
        } catch (IOException e) {
            return "the copies in " + directory + " could not all be deleted: " + e.getMessage();
        }
    }
}
