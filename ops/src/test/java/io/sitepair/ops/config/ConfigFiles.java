package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A valid configuration with known line numbers, and ways to break it one line at a time. */
final class ConfigFiles {
    static final String SECRET_HEX = "00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    /** Line numbers are asserted by the tests: keep them in step. */
    static final String VALID = """
            tls: {mode: off}  # a test pair on loopback
            pair: lab
            secret-file: pair.secret
            guest: kv
            disks:
              - size: 64M
              - size: 1G
            initial-primary: b
            logging:
              buffer: 32M
              lag-target: 500ms
              heartbeat-interval: 50ms
              suspect-after: 2s
              state-check-interval: 1m
              logged-reads: true
            sites:
              a:
                channel: 127.0.0.1:7401
                service: 127.0.0.1:6379
                admin: 127.0.0.1:7402
                data-dir: data/a
                engine: interpreter
              b:
                channel: 127.0.0.1:7501
                service: 127.0.0.1:6380
                admin: 127.0.0.1:7502
                data-dir: data/b
            """;

    /** A valid configuration in network mode nic, with known line numbers: keep them in step. */
    static final String NIC = """
            tls: {mode: off}  # a test pair on loopback
            pair: lab
            secret-file: pair.secret
            guest: kv
            disks:
              - size: 64M
            initial-primary: b
            network:
              mode: nic
              address: 10.20.0.10/24
              port: 7379
              mac: 02:00:5e:10:00:0a
            sites:
              a:
                channel: 127.0.0.1:7401
                admin: 127.0.0.1:7402
                data-dir: data/a
                nic: {bridge: br-svc, tap: sp-a}
              b:
                channel: 127.0.0.1:7501
                admin: 127.0.0.1:7502
                data-dir: data/b
                nic:
                  bridge: br-svc
            """;

    /** A {@code coordination.zookeeper} section for VALID's sites (without the {@code coordination:} line). */
    static final String EMBEDDED_QUORUM = """
              zookeeper:
                a:
                  client: 127.0.0.1:2181
                  quorum-port: 2888
                  election-port: 3888
                b:
                  client: 127.0.0.1:2182
                  quorum-port: 2889
                  election-port: 3889
                witness:
                  client: 127.0.0.1:2183
                  quorum-port: 2890
                  election-port: 3890
                  data-dir: zk-witness
            """;

    private ConfigFiles() {}

    /** Writes {@code yaml} as dir/pair.yaml with a valid dir/pair.secret beside it. */
    static Path write(Path dir, String yaml) throws IOException {
        Files.writeString(dir.resolve("pair.secret"), SECRET_HEX + "\n");
        Path file = dir.resolve("pair.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** VALID with one exact piece of text replaced; the piece must occur exactly once. */
    static String with(String old, String replacement) {
        return replaceOnce(VALID, old, replacement);
    }

    /** NIC with one exact piece of text replaced; the piece must occur exactly once. */
    static String nicWith(String old, String replacement) {
        return replaceOnce(NIC, old, replacement);
    }

    private static String replaceOnce(String yaml, String old, String replacement) {
        assertEquals(yaml.indexOf(old), yaml.lastIndexOf(old), "ambiguous: " + old);
        if (!yaml.contains(old)) {
            throw new AssertionError("not in the file: " + old);
        }
        return yaml.replace(old, replacement);
    }
}
