package io.sitepair.ops.command;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.Coordination;
import io.sitepair.ops.site.LinkSecurityReport;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import io.sitepair.replicator.tls.TlsFiles;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sitepair status}: both sites' roles, log positions, lag, bandwidth and held outputs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the ZooKeeper quorum's health (whether a failover could be arbitrated now), and each site's"
                + " role, epoch, log positions (sent, acknowledged, replayed), execution lag, logging bandwidth raw and"
                + " on the wire, compression ratio and held outputs.")
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ClientCertificateOption certificate;

    @Option(names = "--json", description = "One JSON object: {\"pair\": ..., \"sites\": {name: status}}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PairConfig pair = config.load();
        AdminClient admin = certificate.client(pair);
        Map<String, SiteStatus> sites = new LinkedHashMap<>();
        for (String name : pair.siteNames()) {
            sites.put(name, admin.status(name));
        }
        String quorum = quorum(pair, admin);
        LinkSecurity security = LinkSecurityReport.of(pair, admin, Instant.now());
        if (json) {
            System.out.println(StatusJson.write(new PairStatus(pair.pair(), quorum, security, sites)));
            return 0;
        }
        System.out.println("pair " + pair.pair());
        System.out.println("quorum: " + quorum);
        System.out.println("links: " + security.links());
        if (security.coordination() != null) {
            System.out.println("coordination: " + security.coordination());
        }
        security.certificates().forEach((site, certificate) ->
                System.out.println("certificate of site " + site + ": " + certificate));
        security.warnings().forEach(warning -> System.out.println("WARNING: " + warning));
        sites.forEach(StatusCommand::print);
        return 0;
    }

    /** How much failure the pair's ZooKeeper quorum can still take, asked of each member as this command's holder. */
    private static String quorum(PairConfig pair, AdminClient admin) {
        if (pair.coordination() == null) {
            return "none configured: no site ever goes live by itself";
        }
        TlsFiles identity = admin.identity() == null ? null : admin.identity().files();
        return Coordination.probe(pair, identity, Duration.ofSeconds(1)).describe();
    }

    /** A heading line (role, reason, epoch), then one line per other field, a nested object on one line. */
    private static void print(String name, SiteStatus status) {
        if (status instanceof NoAnswer none) {
            System.out.println("site " + name + ": unreachable: " + none.error());
            return;
        }
        System.out.println("site " + name + ": " + status.role().label() + " (" + status.reason() + "), epoch "
                + status.epoch());
        Map<String, Object> fields = StatusJson.fields(status);
        fields.keySet().removeAll(List.of("site", "role", "reason", "epoch")); // in the heading
        fields.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested) {
                StringBuilder line = new StringBuilder();
                nested.forEach((k, v) -> line.append(line.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
                System.out.println("  " + key + ": " + line);
            } else {
                System.out.println("  " + key + ": " + value);
            }
        });
    }
}
