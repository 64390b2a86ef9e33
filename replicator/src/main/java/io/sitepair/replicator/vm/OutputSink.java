package io.sitepair.replicator.vm;

/**
 * Where the VM's outputs go. In RECORD mode each output carries the log position of its output
 * entry, and whoever releases it to a client must respect the Output Rule for that position; in
 * LIVE mode the position is 0.
 */
public interface OutputSink {
    void send(long position, int conn, byte[] data);

    void close(long position, int conn);

    OutputSink DISCARD = new OutputSink() {
        @Override
        public void send(long position, int conn, byte[] data) {}

        @Override
        public void close(long position, int conn) {}
    };
}
