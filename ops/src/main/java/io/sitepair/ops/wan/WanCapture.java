package io.sitepair.ops.wan;

import java.nio.ByteBuffer;

/**
 * Sees every byte the link carries, as a tap on a real link between two sites would: what an
 * operator (or a test) inspects to check that nothing travels in clear.
 */
@FunctionalInterface
public interface WanCapture {
    /** {@code bytes} (read-only, valid during the call) crossed the link in {@code direction}. */
    void carried(Direction direction, ByteBuffer bytes);

    WanCapture NONE = (direction, bytes) -> {};
}
