package io.sitepair.replicator.service;

import io.netty.channel.Channel;

/** What the network hands the VM thread, in arrival order. */
sealed interface ClientInput {
    record Accepted(Channel channel) implements ClientInput {}

    record Received(Channel channel, byte[] bytes) implements ClientInput {}

    record HungUp(Channel channel) implements ClientInput {}

    /** Ends the VM event loop. */
    record Stop() implements ClientInput {}
}
