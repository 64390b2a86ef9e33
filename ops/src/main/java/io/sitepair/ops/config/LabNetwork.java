package io.sitepair.ops.config;

import java.io.IOException;
import java.util.List;

/**
 * The nic lab's service network, which a lab in network mode nic runs on. {@code init --lab --nic}
 * brings it up through this: the lab builds it, a layer above the configuration.
 */
@FunctionalInterface
public interface LabNetwork {
    /** Brings the network up unless it is up; says what it did and how to remove it, a line each. */
    List<String> up() throws IOException, InterruptedException;
}
