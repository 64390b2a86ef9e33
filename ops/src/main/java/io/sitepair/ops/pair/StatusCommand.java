package io.sitepair.ops.pair;

import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.tiebreaker.QuorumProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sitepair status}: both sites' roles, log positions, lag, bandwidth and held outputs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the ZooKeeper quorum's health (whether a failover could be arbitrated now), and each site's"
                + " role, epoch, log positions (sent, acknowledged, replayed), execution lag, logging bandwidth raw and"
                + " on the wire, compression ratio and held outputs.")
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The site-pair configuration.")
    Path config;

    @Option(names = "--json", description = "One JSON object: {\"pair\": ..., \"sites\": {name: status}}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PairConfig pair = PairConfigParser.load(config);
        Map<String, Object> sites = new LinkedHashMap<>();
        for (String name : pair.siteNames()) {
            sites.put(name, SiteQuery.status(pair.site(name)));
        }
        String quorum = quorum(pair);
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("pair", pair.pair());
            all.put("quorum", quorum);
            all.put("sites", sites);
            System.out.println(Json.write(all));
            return 0;
        }
        System.out.println("pair " + pair.pair());
        System.out.println("quorum: " + quorum);
        sites.forEach((name, status) -> print(name, (Map<?, ?>) status));
        return 0;
    }

    /** How much failure the pair's ZooKeeper quorum can still take, asked of each member. */
    private static String quorum(PairConfig pair) {
        CoordinationConfig c = pair.coordination();
        if (c == null) {
            return "none configured: no site ever goes live by itself";
        }
        return QuorumProbe.probe(c.members(), Duration.ofSeconds(1)).describe();
    }

    private static void print(String name, Map<?, ?> status) {
        if (status.containsKey("error")) {
            System.out.println("site " + name + ": unreachable: " + status.get("error"));
            return;
        }
        System.out.println("site " + name + ": " + status.get("role") + " (" + status.get("reason") + "), epoch "
                + status.get("epoch"));
        for (Map.Entry<?, ?> entry : status.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (key.equals("site") || key.equals("role") || key.equals("reason") || key.equals("epoch")) {
                continue;
            }
            if (entry.getValue() instanceof Map<?, ?> nested) {
                StringBuilder line = new StringBuilder();
                nested.forEach((k, v) -> line.append(line.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
                System.out.println("  " + key + ": " + line);
            } else {
                System.out.println("  " + key + ": " + entry.getValue());
            }
        }
    }
}
