package io.sitepair.ops.chaos;

import io.sitepair.ops.site.AdminAnswer;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * One fault of the campaign: injected, held for a while, then healed. Targets are roles (the
 * primary, the backup, the witness), resolved to nodes when the fault is injected, since roles
 * change from cycle to cycle.
 */
sealed interface Fault {
    /** The kinds, in the order of the report; {@link #of} makes one. */
    List<String> KINDS = List.of("kill-primary", "kill-backup", "kill-witness", "pause-primary", "pause-backup",
            "pause-witness", "partition-sites", "isolate-primary", "isolate-witness", "one-way", "tcp-stall", "flap",
            "disk-primary", "disk-backup", "double", "switchover");

    /** The nodes a fault acts on, as they are when it is injected. */
    record Targets(ChaosPair pair, NetworkLab network, String primary, String backup) {
        String node(Role role) {
            return switch (role) {
                case PRIMARY -> primary;
                case BACKUP -> backup;
                case WITNESS -> "witness";
            };
        }
    }

    enum Role {
        PRIMARY, BACKUP, WITNESS;

        String label() {
            return name().toLowerCase();
        }
    }

    String kind();

    /** What was done, naming the nodes: for the progress line and a replay. */
    String describe(Targets t);

    void inject(Targets t) throws Exception;

    /** Ends the fault; a node the fault killed (or whose disk it failed) is started again. */
    void heal(Targets t) throws Exception;

    /** A fault of {@code kind} with its details drawn from {@code random}. */
    static Fault of(String kind, Random random) {
        return switch (kind) {
            case "kill-primary" -> new Kill(Role.PRIMARY);
            case "kill-backup" -> new Kill(Role.BACKUP);
            case "kill-witness" -> new Kill(Role.WITNESS);
            case "pause-primary" -> new Pause(Role.PRIMARY);
            case "pause-backup" -> new Pause(Role.BACKUP);
            case "pause-witness" -> new Pause(Role.WITNESS);
            case "partition-sites" -> new PartitionSites();
            case "isolate-primary" -> new Isolate(Role.PRIMARY);
            case "isolate-witness" -> new Isolate(Role.WITNESS);
            case "one-way" -> new OneWay(random.nextBoolean());
            case "tcp-stall" -> new TcpStall();
            case "flap" -> new Flap(5, Duration.ofMillis(300));
            case "disk-primary" -> new DiskFault(Role.PRIMARY, random.nextBoolean() ? "disk-io-error" : "disk-full");
            case "disk-backup" -> new DiskFault(Role.BACKUP, random.nextBoolean() ? "disk-io-error" : "disk-full");
            case "double" -> {
                List<Fault> pair = DOUBLES.get(random.nextInt(DOUBLES.size()));
                yield new TwoAtOnce(pair.get(0), pair.get(1));
            }
            case "switchover" -> new Switchover();
            default -> throw new IllegalArgumentException("unknown fault kind " + kind + " (kinds: " + KINDS + ")");
        };
    }

    /**
     * Two faults at once that act on different nodes or different layers. Heals go in reverse
     * order, so a killed node (second) restarts while the other fault still holds.
     */
    List<List<Fault>> DOUBLES = List.of(
            List.of(new PartitionSites(), new Kill(Role.WITNESS)),
            List.of(new Isolate(Role.WITNESS), new Kill(Role.BACKUP)),
            List.of(new Pause(Role.WITNESS), new Kill(Role.PRIMARY)),
            List.of(new Isolate(Role.WITNESS), new TcpStall()),
            List.of(new Pause(Role.BACKUP), new Isolate(Role.PRIMARY)));

    /** kill -9 of a node; healed by starting it again. */
    record Kill(Role role) implements Fault {
        public String kind() {
            return "kill-" + role.label();
        }

        public String describe(Targets t) {
            return "kill -9 of " + t.node(role) + " (" + role.label() + ")";
        }

        public void inject(Targets t) throws InterruptedException {
            t.pair().kill(t.node(role));
        }

        public void heal(Targets t) throws Exception {
            t.pair().start(t.node(role));
        }
    }

    /** SIGSTOP of a node's JVM: alive to the kernel (TCP connections stay open) but silent. */
    record Pause(Role role) implements Fault {
        public String kind() {
            return "pause-" + role.label();
        }

        public String describe(Targets t) {
            return "SIGSTOP of " + t.node(role) + " (" + role.label() + ")";
        }

        public void inject(Targets t) throws InterruptedException {
            t.pair().signal(t.node(role), "STOP");
        }

        public void heal(Targets t) throws InterruptedException {
            t.pair().signal(t.node(role), "CONT");
        }
    }

    /** The two sites cannot reach each other; both still reach the witness and the clients. */
    record PartitionSites() implements Fault {
        public String kind() {
            return "partition-sites";
        }

        public String describe(Targets t) {
            return "partition a | b (both still reach the witness)";
        }

        public void inject(Targets t) throws Exception {
            t.network().partition("a", "b");
        }

        public void heal(Targets t) throws Exception {
            t.network().heal();
        }
    }

    /** A node cut off from the other two; the clients still reach it. */
    record Isolate(Role role) implements Fault {
        public String kind() {
            return "isolate-" + role.label();
        }

        public String describe(Targets t) {
            return "isolate " + t.node(role) + " (" + role.label() + ") from the other two nodes";
        }

        public void inject(Targets t) throws Exception {
            String node = t.node(role);
            for (String other : ChaosPair.NODES) {
                if (!other.equals(node)) {
                    t.network().partition(node, other);
                }
            }
        }

        public void heal(Targets t) throws Exception {
            t.network().heal();
        }
    }

    /** One direction between the sites lost: the primary no longer hears the backup, or the reverse. */
    record OneWay(boolean primaryDeaf) implements Fault {
        public String kind() {
            return "one-way";
        }

        public String describe(Targets t) {
            return primaryDeaf ? "one-way: " + t.primary() + " (primary) hears nothing from " + t.backup()
                    : "one-way: " + t.backup() + " (backup) hears nothing from " + t.primary();
        }

        public void inject(Targets t) throws Exception {
            if (primaryDeaf) {
                t.network().drop(t.backup(), t.primary());
            } else {
                t.network().drop(t.primary(), t.backup());
            }
        }

        public void heal(Targets t) throws Exception {
            t.network().heal();
        }
    }

    /** The logging channel's TCP stalls both ways while UDP heartbeats (same port) keep passing. */
    record TcpStall() implements Fault {
        public String kind() {
            return "tcp-stall";
        }

        public String describe(Targets t) {
            return "TCP on the logging channel dropped between a and b, UDP heartbeats passing";
        }

        public void inject(Targets t) throws Exception {
            t.network().dropTcp("a", "b", ChaosPair.CHANNEL_PORT);
        }

        public void heal(Targets t) throws Exception {
            t.network().heal();
        }
    }

    /** Short partitions of the sites, each below the failure timeout: nothing should fail over. */
    record Flap(int times, Duration each) implements Fault {
        public String kind() {
            return "flap";
        }

        public String describe(Targets t) {
            return times + " partitions a | b of " + each.toMillis() + " ms, below the 1 s failure timeout";
        }

        public void inject(Targets t) throws Exception {
            for (int i = 0; i < times; i++) {
                t.network().partition("a", "b");
                Thread.sleep(each.toMillis());
                t.network().heal();
                Thread.sleep(700);
            }
        }

        public void heal(Targets t) throws Exception {
            t.network().heal();
        }
    }

    /** {@code sitepair inject}: the site's disk writes fail from now on; healed by restarting the site. */
    record DiskFault(Role role, String fault) implements Fault {
        public String kind() {
            return "disk-" + role.label();
        }

        public String describe(Targets t) {
            return fault + " on " + t.node(role) + " (" + role.label() + ")";
        }

        public void inject(Targets t) throws Exception {
            AdminAnswer response = t.pair().admin.post(t.node(role), "inject?fault=" + fault,
                    Duration.ofSeconds(10));
            if (!response.ok()) {
                throw new IllegalStateException("sitepair inject on " + t.node(role) + " refused: "
                        + response.text());
            }
        }

        public void heal(Targets t) throws Exception {
            t.pair().kill(t.node(role)); // it halted, or still runs on a failing disk; either way it restarts
            t.pair().start(t.node(role));
        }
    }

    /** Two faults at once, healed in reverse order. */
    record TwoAtOnce(Fault first, Fault second) implements Fault {
        public String kind() {
            return "double";
        }

        public String describe(Targets t) {
            return first.describe(t) + " + " + second.describe(t);
        }

        public void inject(Targets t) throws Exception {
            first.inject(t);
            second.inject(t);
        }

        public void heal(Targets t) throws Exception {
            second.heal(t);
            first.heal(t);
        }
    }

    /**
     * A planned switchover to the backup ({@code sitepair failover --to}); the campaign switches
     * back once the pair is protected, so that the primary is then a process that has switched
     * over. Nothing to heal.
     */
    record Switchover() implements Fault {
        public String kind() {
            return "switchover";
        }

        public String describe(Targets t) {
            return "planned switchover " + t.primary() + " -> " + t.backup();
        }

        public void inject(Targets t) throws Exception {
            Switchovers.run(t.pair(), t.primary(), t.backup());
        }

        public void heal(Targets t) {}
    }
}
