package io.sitepair.ops.site.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.site.InjectableFault;
import io.sitepair.ops.site.ProcessCrash;
import io.sitepair.replicator.drill.TestClone;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations on a site, each a {@code POST} whose answer says in words what happened: {@code
 * /switchover} (a planned switchover), {@code /verify} (online verify), {@code /repair} (verify, then
 * repair what differs), {@code /resync?rate=BYTES_PER_S&discard=SITE} (start a planned resync, or
 * change its rate) and {@code /inject?fault=disk-io-error|disk-full|crash} (a drill: the site's disk
 * writes fail from now on, or its process halts at once). A site that cannot do it answers 409 with why.
 *
 * <p>A test drill's clone, on a protected backup: {@code /drill/test-clone?address=HOST:PORT&lease=SECONDS}
 * starts it and answers what it did as JSON ({@link TestClone.Started}, its fields in snake case);
 * {@code /drill/test-clone/renew} extends its lease, {@code /drill/test-clone/end} ends it and
 * deletes its copies. Bad input is answered 400.
 */
@Controller(produces = MediaType.TEXT_PLAIN)
final class OperationsController {
    private static final Logger LOG = LoggerFactory.getLogger(OperationsController.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private final ServedSite served;

    OperationsController(ServedSite served) {
        this.served = served;
    }

    @Post("/switchover")
    HttpResponse<String> switchover() {
        return run(() -> served.site().switchOver());
    }

    @Post("/verify")
    HttpResponse<String> verify() {
        return run(() -> served.site().verify(false));
    }

    @Post("/repair")
    HttpResponse<String> repair() {
        return run(() -> served.site().verify(true));
    }

    @Post("/resync")
    HttpResponse<String> resync(@QueryValue(defaultValue = "0") long rate, @Nullable @QueryValue String discard) {
        return run(() -> served.site().resync(rate, discard));
    }

    @Post("/inject")
    HttpResponse<String> inject(@Nullable @QueryValue String fault) {
        return run(() -> switch (InjectableFault.named(fault)) {
            case InjectableFault.DiskFault disk -> served.site().injectDiskFault(disk.deviceError());
            case InjectableFault.Crash crash -> crash();
        });
    }

    /** Says so, then halts this process as soon as the answer has left. */
    private String crash() {
        String answer = "site " + served.name() + " crashes now: halted without clean-up, as a power loss would";
        LOG.warn("{} (injected)", answer);
        ProcessCrash.haltSoon();
        return answer;
    }

    @Post(value = "/drill/test-clone", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> startTestClone(@Nullable @QueryValue String address,
                                        @QueryValue(defaultValue = "60") long lease) {
        InetSocketAddress at;
        try {
            if (address == null) {
                throw new IllegalArgumentException("give the clone's isolated address: address=HOST:PORT");
            }
            at = Addresses.parse(address);
            if (lease <= 0) {
                throw new IllegalArgumentException("lease=" + lease + ": give the lease in seconds, above 0");
            }
        } catch (IllegalArgumentException e) {
            return ProblemDocument.response(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        try {
            TestClone.Started started = served.site().startTestClone(at, Duration.ofSeconds(lease));
            return HttpResponse.ok(JSON.writeValueAsString(started)).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (IllegalArgumentException e) {
            return ProblemDocument.response(HttpStatus.BAD_REQUEST, e.getMessage());
        } catch (Exception e) {
            return ProblemDocument.response(HttpStatus.CONFLICT, String.valueOf(e.getMessage()));
        }
    }

    @Post("/drill/test-clone/renew")
    HttpResponse<String> renewTestClone() {
        return run(() -> served.site().renewTestClone());
    }

    @Post("/drill/test-clone/end")
    HttpResponse<String> endTestClone() {
        return run(() -> served.site().endTestClone());
    }

    /** What {@code operation} says it did, or a 409 problem saying why it could not. */
    private static HttpResponse<String> run(Callable<String> operation) {
        try {
            return HttpResponse.ok(operation.call() + "\n");
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return ProblemDocument.response(HttpStatus.CONFLICT, String.valueOf(cause.getMessage()));
        }
    }
}
