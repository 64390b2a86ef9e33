package io.sitepair.replicator.pair;

import io.sitepair.replicator.pair.SiteState.Fence;
import io.sitepair.replicator.service.ServedRun;

/** The quorum guard's hold on a serving site's outputs: the served run's gate, and the site's state that says so. */
final class OutputFence implements QuorumGuard.Fence {
    private final ServedRun run;
    private final SiteStateMachine role;

    OutputFence(ServedRun run, SiteStateMachine role) {
        this.run = run;
        this.role = role;
    }

    @Override
    public void hold(String why) {
        run.fenceOutputs(true);
        role.change(s -> s.with(Fence.FENCED), why);
    }

    @Override
    public void release(String why) {
        run.fenceOutputs(false);
        role.change(s -> s.with(Fence.CLEAR), why);
    }
}
