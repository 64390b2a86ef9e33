package io.sitepair.replicator.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.vm.GuestFault;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.VmOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A guest serving real sockets: the faulty test guest echoes what it gets unless told to fail. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // sockets: a hang must fail, never stall CI
class ServedRunTest {
    @TempDir
    Path dir;

    static final GuestModule FAULTY = GuestModule.of("faulty", ShippedGuest.load("faulty"));
    static final VmOptions QUIET = VmOptions.defaults().withConsole((m, l) -> {});

    ServedRun start(Path record) throws Exception {
        return ServedRun.start(FAULTY, QUIET, List.of(dir.resolve("d.img")), 1 << 20,
                new ClientNetwork.Socket(new InetSocketAddress("127.0.0.1", 0)), record);
    }

    static String exchange(Socket socket, String request, int replyLength) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes());
        out.flush();
        InputStream in = socket.getInputStream();
        return new String(in.readNBytes(replyLength));
    }

    @Test
    void realConnectionsBecomeEventsAndARecordingReplaysToTheSameState() throws Exception {
        Path log = dir.resolve("served.log");
        ServedRun run = start(log);
        InetSocketAddress at = run.address();
        try (Socket a = new Socket(at.getAddress(), at.getPort()); Socket b = new Socket(at.getAddress(), at.getPort())) {
            assertEquals("hello", exchange(a, "hello", 5));
            assertEquals("world", exchange(b, "world", 5));
            String big = "x".repeat(200_000); // several receive buffers' worth: split into data events
            assertEquals(big, exchange(a, big, big.length()));
        }
        ServedRun.Result result = run.stop();
        assertTrue(result.events() >= 7, "init, two opens, data, two closes: " + result.events());

        OfflineRun.Outcome replayed = new OfflineRun(FAULTY, QUIET).replay(List.of(dir.resolve("replica.img")), log, null, null);
        assertEquals(result.events(), replayed.events());
        assertArrayEquals(result.stateHash(), replayed.stateHash());
    }

    @Test
    void aGuestTrapEndsTheRunWithTheFaultAndDropsTheClients() throws Exception {
        ServedRun run = start(null);
        InetSocketAddress at = run.address();
        try (Socket a = new Socket(at.getAddress(), at.getPort())) {
            a.setSoTimeout(10_000);
            a.getOutputStream().write('T');
            a.getOutputStream().flush();
            GuestFault fault = assertThrows(GuestFault.class, run::await);
            assertTrue(fault.getMessage().startsWith("guest trapped in sp_on_data"), fault.getMessage());
            assertEquals(-1, a.getInputStream().read(), "the client sees its connection closed");
        }
    }
}
