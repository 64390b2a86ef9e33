package io.sitepair.replicator.nic;

import java.io.IOException;
import java.time.Duration;

/**
 * Where the guest's virtual NIC meets a network: Ethernet frames in and out (destination MAC
 * first, no frame check sequence). A site's link is a TAP device on the service bridge; tests use
 * an in-memory wire.
 *
 * <p>One reader thread calls {@link #receive}; the guest's event loop calls {@link #send}. A link
 * starts down: while down it neither passes received frames nor sends.
 */
public interface FrameLink extends AutoCloseable {

    /** The next frame received, waiting at most {@code timeout}; null if none arrived or the link is closed. */
    byte[] receive(Duration timeout) throws IOException;

    /** Sends one frame. Never blocks for long: a link that cannot take it drops it, as a NIC would. */
    void send(byte[] frame) throws IOException;

    /** Brings the link up (this site serves) or down (it does not). */
    void up(boolean up) throws IOException;

    /** What the link is, for logs: for example {@code tap sp-a on br-svc}. */
    String describe();

    @Override
    void close();
}
