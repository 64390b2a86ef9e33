package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogRecord.Event;
import java.util.function.Supplier;

/**
 * The mode-specific half of every host call that involves the outside world. {@link VmHost} does
 * the deterministic half (argument checks, host state, local disk writes) and asks the mode for
 * inputs and about outputs.
 */
interface ExecutionMode {
    VmMode kind();

    /** Called before an event's handler runs. RECORD logs it. */
    void beforeEvent(Event event);

    long clock();

    void random(byte[] into);

    /** The data a disk read returns; {@code local} reads this site's image. */
    byte[] diskRead(int disk, long block, int count, Supplier<byte[]> local);

    void send(int conn, byte[] data);

    void close(int conn);

    /** Position of the last log entry produced or consumed (0 in LIVE mode). */
    long position();
}
