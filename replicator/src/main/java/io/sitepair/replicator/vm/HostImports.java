package io.sitepair.replicator.vm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a {@link GuestAbi} implementation to wasm imports. The signatures here are the ABI's
 * wire types; a guest whose imports disagree fails to link with Chicory's error.
 *
 * <p>Guests built with wasi-libc may import WASI functions that their code never calls (stdio
 * reached through vsnprintf). Those are linked to a stub that faults the guest if it does call
 * them: the same deterministic halt on both sites, and no non-determinism gets in.
 */
final class HostImports {
    static final String WASI_MODULE = "wasi_snapshot_preview1";

    private HostImports() {}

    static List<ImportFunction> bind(GuestAbi abi, List<WasiImport> wasiImports) {
        final ValType i32 = ValType.I32;
        final ValType i64 = ValType.I64;
        List<ImportFunction> f = new ArrayList<>();
        f.add(fn("send", List.of(i32, i32, i32), List.of(i32),
                a -> new long[] {abi.send((int) a[0], (int) a[1], (int) a[2])}));
        f.add(fn("close", List.of(i32), List.of(i32), a -> new long[] {abi.close((int) a[0])}));
        f.add(fn("nic_send", List.of(i32, i32), List.of(i32), a -> new long[] {abi.nic_send((int) a[0], (int) a[1])}));
        f.add(fn("disk_count", List.of(), List.of(i32), a -> new long[] {abi.disk_count()}));
        f.add(fn("disk_blocks", List.of(i32), List.of(i64), a -> new long[] {abi.disk_blocks((int) a[0])}));
        f.add(fn("disk_read", List.of(i32, i64, i32, i32), List.of(i32),
                a -> new long[] {abi.disk_read((int) a[0], a[1], (int) a[2], (int) a[3])}));
        f.add(fn("disk_write", List.of(i32, i64, i32, i32), List.of(i32),
                a -> new long[] {abi.disk_write((int) a[0], a[1], (int) a[2], (int) a[3])}));
        f.add(fn("disk_flush", List.of(i32), List.of(i32), a -> new long[] {abi.disk_flush((int) a[0])}));
        f.add(fn("clock_now", List.of(), List.of(i64), a -> new long[] {abi.clock_now()}));
        f.add(fn("random", List.of(i32, i32), List.of(), a -> {
            abi.random((int) a[0], (int) a[1]);
            return null;
        }));
        f.add(fn("timer_set", List.of(i64, i64), List.of(i32), a -> new long[] {abi.timer_set(a[0], a[1])}));
        f.add(fn("timer_cancel", List.of(i64), List.of(i32), a -> new long[] {abi.timer_cancel(a[0])}));
        f.add(fn("console", List.of(i32, i32), List.of(), a -> {
            abi.console((int) a[0], (int) a[1]);
            return null;
        }));
        for (WasiImport wasi : wasiImports) {
            f.add(new HostFunction(WASI_MODULE, wasi.name(), wasi.type(), (instance, args) -> {
                throw new GuestFault("guest called WASI function " + wasi.name()
                        + "; sitepair guests may use only the sitepair host calls");
            }));
        }
        return f;
    }

    /** A WASI function the module imports, with the type it declares. */
    record WasiImport(String name, FunctionType type) {}

    private interface Call {
        long[] apply(long[] args);
    }

    private static HostFunction fn(String name, List<ValType> params, List<ValType> results, Call call) {
        return new HostFunction(GuestAbi.IMPORT_MODULE, name, FunctionType.of(params, results),
                (instance, args) -> call.apply(args));
    }
}
