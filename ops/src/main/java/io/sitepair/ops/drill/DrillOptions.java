package io.sitepair.ops.drill;

/**
 * How the operator asked for the drill.
 *
 * @param load         whether the built-in writer runs (false: {@code --no-load})
 * @param stay         a switchover drill stays on the DR site
 * @param restart      a failover drill starts the failed site's daemon again itself (labs)
 * @param failback     a failover drill switches back to the failed site once it is re-protected
 * @param force        started although the pair was not protected or the quorum not healthy
 * @param version      the sitepair version running the drill
 * @param configDigest SHA-256 (hex) of the configuration file
 * @param commandLine  the command as typed
 */
public record DrillOptions(DrillKind kind, boolean load, boolean stay, boolean restart, boolean failback,
                           boolean force, String version, String configDigest, String commandLine) {}
