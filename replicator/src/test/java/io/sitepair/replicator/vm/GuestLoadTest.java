package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestLoadTest {
    @TempDir
    Path dir;

    /** The smallest module: magic, version, one type () -> (). */
    static final String HEADER_AND_TYPE = "0061736d01000000" + "010401600000";

    @Test
    void aGuestOfAnotherAbiVersionIsRefused() {
        GuestLoadException e = assertThrows(GuestLoadException.class, Guests::wrongAbi);
        assertEquals("wrong-abi: built for sitepair guest ABI version 2; this host speaks version 1", e.getMessage());
    }

    @Test
    void hostCallsFromInitializeAreRefusedBecauseTheyWouldGoUnlogged() {
        GuestModule early = GuestModule.of("early-clock", io.sitepair.guests.ShippedGuest.load("early-clock"));
        GuestFault e = assertThrows(GuestFault.class, () -> VmThread.call("t",
                () -> GuestVm.create(early, Guests.quiet(VmOptions.Engine.COMPILED), List.of())));
        assertTrue(e.getMessage().startsWith("guest fault in _initialize (module start-up, log position 0): host call"
                + " clock_now outside an event handler"), e.getMessage());
    }

    @Test
    void aModuleImportingAnythingButTheHostCallsIsRefused() {
        byte[] importsEnvFoo = HexFormat.of().parseHex(HEADER_AND_TYPE + "020b0103656e7603666f6f0000");
        GuestLoadException e = assertThrows(GuestLoadException.class, () -> GuestModule.of("x.wasm", importsEnvFoo));
        assertTrue(e.getMessage().startsWith("x.wasm: imports [env.foo]; a sitepair guest may import only"), e.getMessage());
    }

    @Test
    void aModuleWithoutAnAbiVersionOrNotWasmAtAllIsRefused() {
        GuestLoadException none = assertThrows(GuestLoadException.class,
                () -> GuestModule.of("plain.wasm", HexFormat.of().parseHex(HEADER_AND_TYPE)));
        assertTrue(none.getMessage().contains("does not declare a sitepair ABI version"), none.getMessage());
        GuestLoadException junk = assertThrows(GuestLoadException.class,
                () -> GuestModule.of("junk.wasm", "hello".getBytes()));
        assertTrue(junk.getMessage().startsWith("junk.wasm: not a valid WebAssembly module"), junk.getMessage());
    }

    @Test
    void aLogRecordedFromAnotherGuestOrOtherDisksIsRefusedBeforeAnythingRuns() throws Exception {
        OfflineRun stress = new OfflineRun(Guests.stress(), Guests.quiet(VmOptions.Engine.COMPILED));
        stress.synthetic(List.of(dir.resolve("a.img")), 1 << 20, new OfflineRun.Workload(1, 50, dir.resolve("s.log"), false), null);

        OfflineRun faulty = new OfflineRun(Guests.faulty(), Guests.quiet(VmOptions.Engine.COMPILED));
        IllegalArgumentException wrongGuest = assertThrows(IllegalArgumentException.class,
                () -> faulty.replay(List.of(dir.resolve("b.img")), dir.resolve("s.log"), null, null));
        assertTrue(wrongGuest.getMessage().startsWith("the log was recorded from guest module " + Guests.stress().hashHex()
                + ", but faulty is " + Guests.faulty().hashHex()), wrongGuest.getMessage());
        assertTrue(java.nio.file.Files.notExists(dir.resolve("b.img")), "a refused log creates no disk");

        io.sitepair.disk.DiskImage.create(dir.resolve("small.img"), 1 << 19);
        IllegalArgumentException wrongDisk = assertThrows(IllegalArgumentException.class,
                () -> stress.replay(List.of(dir.resolve("small.img")), dir.resolve("s.log"), null, null));
        assertTrue(wrongDisk.getMessage().contains("the log's disks have [256] blocks, the local disks [128]"),
                wrongDisk.getMessage());
    }
}
