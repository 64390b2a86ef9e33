package io.sitepair.ops.bench;

import picocli.CommandLine.Option;

/** The redis-benchmark load every Redis benchmark command takes: how many requests, from how many clients. */
public final class RedisLoadOptions {
    @Option(names = "--requests", defaultValue = "100000", description = "Requests per redis-benchmark run (default ${DEFAULT-VALUE}).")
    public int requests;

    @Option(names = "--clients", defaultValue = "50", description = "Parallel clients (default ${DEFAULT-VALUE}).")
    public int clients;
}
