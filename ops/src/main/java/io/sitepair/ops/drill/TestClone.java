package io.sitepair.ops.drill;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.site.AdminAnswer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The drill's handle on a test clone at the backup site, over its admin API: started, kept alive
 * by renewing its lease (a drill that dies stops renewing, and the site then ends the clone
 * itself), and ended, which deletes the clone's disk copies.
 */
final class TestClone implements AutoCloseable {
    /** The lease the site gives the clone: renewed every third of it. */
    static final Duration LEASE = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** What the site says of the clone it started. */
    record Started(long position, long eventsDelivered, String copyMethod, long bytesCopied, double replayPauseMs,
                   double timeToServeMs, String address, String copies) {}

    private final DrillRun run;
    private final String site;
    private final Started started;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Thread renewer;

    private TestClone(DrillRun run, String site, Started started) {
        this.run = run;
        this.site = site;
        this.started = started;
        this.renewer = Thread.ofPlatform().daemon().name("sitepair-drill-lease").start(this::renewUntilEnded);
    }

    /** Asks {@code site} for a clone serving on {@code address}; throws why it would not. */
    static TestClone start(DrillRun run, String site, InetSocketAddress address)
            throws IOException, InterruptedException {
        AdminAnswer answer = run.admin().post(site, "drill/test-clone?address=" + Addresses.format(address)
                + "&lease=" + LEASE.toSeconds(), Duration.ofSeconds(90));
        if (!answer.ok()) {
            throw new IOException("site " + site + " started no test clone: " + answer.text());
        }
        return new TestClone(run, site, JSON.readValue(answer.text(), Started.class));
    }

    Started started() {
        return started;
    }

    private void renewUntilEnded() {
        while (!ended.get()) {
            try {
                Thread.sleep(LEASE.dividedBy(3));
                if (!ended.get()) {
                    AdminAnswer renewed = run.admin().post(site, "drill/test-clone/renew", Duration.ofSeconds(5));
                    if (!renewed.ok()) {
                        run.problem("site " + site + " refused to renew the test clone's lease: " + renewed.text());
                        return;
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                run.say("renewing the test clone's lease at site " + site + " failed (" + e.getMessage()
                        + "); trying again");
            }
        }
    }

    /** Ends the clone: the site stops it and deletes its copies. Returns what the site says it did. */
    @Override
    public void close() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        renewer.interrupt();
        try {
            AdminAnswer answer = run.admin().post(site, "drill/test-clone/end", Duration.ofSeconds(30));
            if (answer.ok()) {
                run.step("torn down", answer.text());
            } else {
                run.failed("torn down", "site " + site + " did not end the test clone: " + answer.text()
                        + " (its lease ends it within " + LEASE.toSeconds() + " s)");
            }
        } catch (IOException e) {
            run.failed("torn down", "site " + site + " does not answer (" + e.getMessage() + "); the clone's lease"
                    + " ends it within " + LEASE.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
