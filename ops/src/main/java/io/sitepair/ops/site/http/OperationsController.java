package io.sitepair.ops.site.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.sitepair.ops.site.DiskFaults;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * The operations on a site, each a {@code POST} whose answer says in words what happened: {@code
 * /switchover} (a planned switchover), {@code /verify} (online verify), {@code /repair} (verify, then
 * repair what differs), {@code /resync?rate=BYTES_PER_S&discard=SITE} (start a planned resync, or
 * change its rate) and {@code /inject?fault=disk-io-error|disk-full} (a drill: the site's disk
 * writes fail from now on). A site that cannot do it answers 409 with why.
 */
@Controller(produces = MediaType.TEXT_PLAIN)
final class OperationsController {
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
        return run(() -> served.site().injectDiskFault(DiskFaults.deviceError(fault)));
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
