package io.sitepair.replicator.vm;

import io.sitepair.guests.ShippedGuest;

/** The shipped guests, loaded for tests. */
final class Guests {
    private Guests() {}

    static GuestModule stress() {
        return GuestModule.of("stress", ShippedGuest.load("stress"));
    }

    /** Misbehaves on request: see native/guests/testing/faulty.c. */
    static GuestModule faulty() {
        return GuestModule.of("faulty", ShippedGuest.load("faulty"));
    }

    static GuestModule wrongAbi() {
        return GuestModule.of("wrong-abi", ShippedGuest.load("wrong-abi"));
    }

    static VmOptions quiet(VmOptions.Engine engine) {
        return VmOptions.defaults().withEngine(engine).withConsole((mode, line) -> {});
    }
}
