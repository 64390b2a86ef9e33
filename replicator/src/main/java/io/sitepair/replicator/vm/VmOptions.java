package io.sitepair.replicator.vm;

import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a VM is run on this host.
 *
 * @param engine          compiled (production) or interpreted (tests cross-check the compiler)
 * @param maxMemoryBytes  host cap on guest linear memory, on top of the module's own maximum
 * @param console         where the guest's diagnostic lines go, tagged with the mode that made them
 * @param writeStamps     told of every block the guest writes, before it lands (a site's block map)
 * @param nic             network mode nic: the guest has a virtual NIC (frames in, {@code nic_send} out)
 *                        and must carry the SDK's TCP/IP stack; both sites of a pair agree on it
 */
public record VmOptions(Engine engine, long maxMemoryBytes, BiConsumer<VmMode, String> console,
                        io.sitepair.disk.WriteTracker writeStamps, boolean nic) {
    public VmOptions(Engine engine, long maxMemoryBytes, BiConsumer<VmMode, String> console) {
        this(engine, maxMemoryBytes, console, io.sitepair.disk.WriteTracker.NONE, false);
    }

    public static final long DEFAULT_MAX_MEMORY = 256L << 20;

    /**
     * The guest's console, named for what it carries rather than for a class: its lines are the
     * guest's own, tagged {@code [guest]} and not as sitepair's.
     */
    private static final Logger GUEST_CONSOLE = LoggerFactory.getLogger("guest");

    public enum Engine { COMPILED, INTERPRETED }

    public static VmOptions defaults() {
        return new VmOptions(Engine.COMPILED, DEFAULT_MAX_MEMORY, (mode, line) -> GUEST_CONSOLE.info("{}{}",
                mode == VmMode.REPLAY ? "[guest, replaying] " : "[guest] ", line));
    }

    public VmOptions withEngine(Engine e) {
        return new VmOptions(e, maxMemoryBytes, console, writeStamps, nic);
    }

    public VmOptions withConsole(BiConsumer<VmMode, String> c) {
        return new VmOptions(engine, maxMemoryBytes, c, writeStamps, nic);
    }

    public VmOptions withWriteStamps(io.sitepair.disk.WriteTracker stamps) {
        return new VmOptions(engine, maxMemoryBytes, console, stamps, nic);
    }

    public VmOptions withNic(boolean n) {
        return new VmOptions(engine, maxMemoryBytes, console, writeStamps, n);
    }
}
