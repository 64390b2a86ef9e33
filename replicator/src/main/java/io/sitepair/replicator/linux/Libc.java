package io.sitepair.replicator.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Binding libc's calls with the foreign function API and reading the errno a call left. Each
 * user keeps the handles it needs in its own holder class, so that a process binds only the
 * calls it makes, on first use.
 */
public final class Libc {
    /** Allocate one per call (or per thread) and pass it first to a handle bound with {@link #CAPTURE_ERRNO}. */
    public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    /** For calls whose failure matters: the handle then takes a {@link #CALL_STATE} segment first. */
    public static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Libc() {}

    /** libc's function {@code name}; fails if libc has none. */
    public static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(
                () -> new IllegalStateException("libc has no " + name)), descriptor, options);
    }

    /** The errno that the last call given {@code state} left. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
