package io.sitepair.replicator.drill;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a test clone starts from, taken on the replay thread between two events: the VM's state
 * at that log position and copies of the disks as replay left them there. A copy may still be
 * written in the background after replay goes on ({@link BlockCopy}); it holds the disk as it was
 * at the clone point all the same.
 *
 * @param pauseNanos how long replay was held to take it (the state, and beginning the copies)
 */
record ClonePoint(long position, long events, byte[] state, Path directory, List<DiskCopy> copies,
                  long pauseNanos) {
    ClonePoint {
        copies = List.copyOf(copies);
    }

    /**
     * Captures {@code vm} (between events, on its thread) and begins copying its disks into {@code
     * directory}, which must not exist; on failure nothing is left behind.
     */
    static ClonePoint take(GuestVm vm, Path directory) throws IOException {
        long start = System.nanoTime();
        byte[] state = Snapshot.captureState(vm);
        List<DiskCopy> copies = new ArrayList<>();
        try {
            Files.createDirectory(directory);
            List<DiskImage> disks = vm.disks();
            for (int i = 0; i < disks.size(); i++) {
                DiskImage disk = disks.get(i);
                copies.add(DiskCopier.start(disk, directory.resolve(i + "-" + disk.path().getFileName()),
                        DiskCopier.CHUNK_BLOCKS));
            }
        } catch (IOException | RuntimeException e) {
            copies.forEach(DiskCopy::stop);
            TestClone.deleteDirectory(directory);
            throw e;
        }
        return new ClonePoint(vm.position(), vm.eventsDelivered(), state, directory, copies, System.nanoTime() - start);
    }

    /** Waits until every copy holds its disk as it was at the clone point; throws why one cannot. */
    void awaitCopies() throws IOException, InterruptedException {
        for (DiskCopy copy : copies) {
            copy.await();
        }
    }

    /** Stops the copies still being written; the disks are no longer watched once this returns. */
    void stopCopies() {
        copies.forEach(DiskCopy::stop);
    }

    List<Path> copyPaths() {
        return copies.stream().map(DiskCopy::target).toList();
    }

    /** {@code reflink} if every disk was cloned, else {@code sparse copy}. */
    String method() {
        return copies.stream().allMatch(c -> c.method() == DiskCopier.Method.REFLINK)
                ? DiskCopier.Method.REFLINK.words() : DiskCopier.Method.SPARSE_COPY.words();
    }

    long bytes() {
        return copies.stream().mapToLong(DiskCopy::bytes).sum();
    }

    /** Stops the copies being written, then deletes them; says what was deleted, or why not. */
    String deleteCopies() {
        stopCopies();
        try {
            int files = TestClone.deleteDirectory(directory);
            return "copies deleted (" + files + " files in " + directory + ", " + bytes() + " bytes)";
        } catch (IOException e) {
            return "the copies in " + directory + " could not all be deleted: " + e.getMessage();
        }
    }
}
