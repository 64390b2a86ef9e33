package io.sitepair.ops.chaos;

import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/** The checks a cycle asks of the pair itself once it is protected again: reads, verify, stability. */
final class PairChecks {
    private static final Pattern DIFFERING = Pattern.compile("differing blocks: (\\d+)");

    private final ChaosPair pair;

    PairChecks(ChaosPair pair) {
        this.pair = pair;
    }

    /**
     * Once the fault is healed and the pair protected, nothing may fail over by itself while the
     * cycle is checked (the final reads, the online verify).
     */
    void checkNoFailover(String live, Long epoch, List<Violation> violations) {
        SiteStatus now = pair.status(live);
        if (epoch != null && !(now.role() == Role.PRIMARY && epoch.equals(now.epoch()))) {
            violations.add(new Violation("unprovoked-failover", "site " + live + " was primary in epoch " + epoch
                    + " once the fault was healed, and without a fault is now: " + pair.describe()));
        }
    }

    /** The final value of every key the cycle touched, read from the live site. */
    Map<String, String> finalReads(String live, List<Operation> operations, List<Violation> violations) {
        Map<String, String> values = new HashMap<>();
        InetSocketAddress service = pair.service(live);
        try (Jedis client = new Jedis(service.getHostString(), service.getPort(), 5000)) {
            for (Operation o : operations) {
                if (!values.containsKey(o.key())) {
                    values.put(o.key(), client.get(o.key()));
                }
            }
            return values;
        } catch (JedisException e) {
            violations.add(new Violation("final-read", "reading the cycle's keys from " + live + " failed: " + e));
            return null;
        }
    }

    /** Online verify through the live site: no block may differ once the pair is protected. */
    void verify(String live, List<Violation> violations) throws InterruptedException {
        String answer = "";
        for (int attempt = 1; attempt <= 2; attempt++) { // a verify cut short by a reconnect compares nothing
            try {
                AdminAnswer response = pair.admin.post(live, "verify", Duration.ofMinutes(2));
                answer = response.text();
                Matcher n = DIFFERING.matcher(answer);
                if (response.ok() && n.find()) {
                    if (Long.parseLong(n.group(1)) != 0) {
                        violations.add(new Violation("verify", answer.replace('\n', ' ')));
                    }
                    return;
                }
            } catch (IOException e) {
                answer = e.toString();
            }
            Thread.sleep(1000);
        }
        violations.add(new Violation("verify", "online verify on " + live + " did not run: " + answer));
    }
}
