package io.sitepair.replicator.vm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A guest's module bytes, validated against the ABI (imports, ABI version, handlers, memory) and
 * identified by SHA-256. Every load-time refusal happens here, before anything else is touched.
 *
 * <p>Each VM parses the bytes again: Chicory's parsed module is mutable (table.grow changes it),
 * so sharing one between instances would let one VM affect another.
 */
public final class GuestModule {
    private static final List<String> REQUIRED_EXPORTS = List.of(GuestAbi.EXPORT_ABI_VERSION, GuestAbi.ON_INIT,
            GuestAbi.ON_OPEN, GuestAbi.ON_DATA, GuestAbi.ON_CLOSED, GuestAbi.ON_TIMER, GuestAbi.EXPORT_RX_BUFFER,
            GuestAbi.EXPORT_RX_CAPACITY, "memory");

    private final String name;
    private final byte[] bytes;
    private final byte[] hash;
    private final List<HostImports.WasiImport> wasiImports;
    private final MemoryLimits declaredMemory;
    private final boolean reactorInitializer;
    private final boolean nicCapable;

    private GuestModule(String name, byte[] bytes, byte[] hash, List<HostImports.WasiImport> wasiImports,
                        MemoryLimits declaredMemory, boolean reactorInitializer, boolean nicCapable) {
        this.name = name;
        this.bytes = bytes;
        this.hash = hash;
        this.wasiImports = wasiImports;
        this.declaredMemory = declaredMemory;
        this.reactorInitializer = reactorInitializer;
        this.nicCapable = nicCapable;
    }

    /**
     * Validates a module. {@code name} is how errors refer to it (a shipped name or a path).
     *
     * @throws GuestLoadException naming what is wrong
     */
    public static GuestModule of(String name, byte[] bytes) {
        WasmModule wasm;
        try {
            wasm = Parser.parse(bytes);
        } catch (ChicoryException | IllegalArgumentException e) {
            throw new GuestLoadException(name + ": not a valid WebAssembly module: " + e.getMessage());
        }
        List<HostImports.WasiImport> wasi = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (int i = 0; i < wasm.importSection().importCount(); i++) {
            Import imp = wasm.importSection().getImport(i);
            if (imp.importType() == ExternalType.FUNCTION && imp.module().equals(GuestAbi.IMPORT_MODULE)) {
                continue;
            }
            if (imp instanceof FunctionImport f && imp.module().equals(HostImports.WASI_MODULE)) {
                wasi.add(new HostImports.WasiImport(imp.name(), wasm.typeSection().getType(f.typeIndex())));
                continue;
            }
            foreign.add(imp.module() + "." + imp.name());
        }
        if (!foreign.isEmpty()) {
            throw new GuestLoadException(name + ": imports " + foreign + "; a sitepair guest may import only the "
                    + GuestAbi.IMPORT_MODULE + " host calls (see native/sdk/sitepair.h)");
        }
        Set<String> exports = new HashSet<>();
        for (int i = 0; i < wasm.exportSection().exportCount(); i++) {
            exports.add(wasm.exportSection().getExport(i).name());
        }
        if (!exports.contains(GuestAbi.EXPORT_ABI_VERSION)) {
            throw new GuestLoadException(name + ": does not declare a sitepair ABI version (no export "
                    + GuestAbi.EXPORT_ABI_VERSION + "); build it against native/sdk/sitepair.h");
        }
        int version = probeAbiVersion(name, wasm);
        if (version != GuestAbi.VERSION) {
            throw new GuestLoadException(name + ": built for sitepair guest ABI version " + version
                    + "; this host speaks version " + GuestAbi.VERSION);
        }
        List<String> missing = REQUIRED_EXPORTS.stream().filter(e -> !exports.contains(e)).toList();
        if (!missing.isEmpty()) {
            throw new GuestLoadException(name + ": does not export " + missing);
        }
        MemoryLimits memory = wasm.memorySection().filter(s -> s.memoryCount() == 1)
                .map(s -> s.getMemory(0).limits()).orElse(null);
        if (memory == null) {
            throw new GuestLoadException(name + ": declares no linear memory");
        }
        return new GuestModule(name, bytes, sha256(bytes), List.copyOf(wasi), memory,
                exports.contains(GuestAbi.EXPORT_INITIALIZE),
                exports.contains(GuestAbi.ON_FRAME) && exports.contains(GuestAbi.ON_NIC_UP));
    }

    /**
     * Calls the module's {@code sp_abi_version} in a throwaway interpreted instance whose imports
     * all refuse, so a guest of another ABI is refused before any disk or log is touched.
     */
    private static int probeAbiVersion(String name, WasmModule wasm) {
        List<ImportFunction> refusing = new ArrayList<>();
        for (int i = 0; i < wasm.importSection().importCount(); i++) {
            if (wasm.importSection().getImport(i) instanceof FunctionImport f) {
                refusing.add(new HostFunction(f.module(), f.name(), wasm.typeSection().getType(f.typeIndex()),
                        (instance, args) -> {
                            throw new GuestLoadException(name + ": " + GuestAbi.EXPORT_ABI_VERSION
                                    + " must not make host calls");
                        }));
            }
        }
        try {
            Instance probe = Instance.builder(wasm).withStart(false)
                    .withImportValues(ImportValues.builder().withFunctions(refusing).build()).build();
            return (int) probe.export(GuestAbi.EXPORT_ABI_VERSION).apply()[0];
        } catch (ChicoryException | ArrayIndexOutOfBoundsException e) {
            throw new GuestLoadException(name + ": cannot be instantiated to read its ABI version: " + e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** SHA-256 of the module bytes: what the log header and snapshots name. */
    public byte[] hash() {
        return hash.clone();
    }

    public String hashHex() {
        return HexFormat.of().formatHex(hash);
    }

    WasmModule parse() {
        return Parser.parse(bytes);
    }

    List<HostImports.WasiImport> wasiImports() {
        return wasiImports;
    }

    /** True if the guest carries the SDK's TCP/IP stack, so it can run in network mode nic. */
    public boolean nicCapable() {
        return nicCapable;
    }

    /** True if the module exports {@code _initialize} (wasi-libc reactors do: it runs C constructors). */
    boolean hasReactorInitializer() {
        return reactorInitializer;
    }

    /** The memory limits the module declares. */
    MemoryLimits declaredMemory() {
        return declaredMemory;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is always available", e);
        }
    }
}
