package io.sitepair.replicator.pair;

import io.sitepair.replicator.pair.SiteState.Fence;

/** The quorum guard's hold on a serving site's outputs: the gate they wait on, and the site's state that says so. */
final class OutputFence implements QuorumGuard.Fence {
    /** Where outputs wait: a served run's gate ({@code ServedRun::fenceOutputs}), or a simulated site's. */
    @FunctionalInterface
    interface Gate {
        void fence(boolean fenced);
    }

    private final Gate gate;
    private final SiteStateMachine role;

    OutputFence(Gate gate, SiteStateMachine role) {
        this.gate = gate;
        this.role = role;
    }

    @Override
    public void hold(String why) {
        gate.fence(true);
        role.change(s -> s.with(Fence.FENCED), why);
    }

    @Override
    public void release(String why) {
        gate.fence(false);
        role.change(s -> s.with(Fence.CLEAR), why);
    }
}
