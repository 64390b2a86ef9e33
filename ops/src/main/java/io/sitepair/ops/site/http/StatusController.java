package io.sitepair.ops.site.http;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.sitepair.replicator.status.StatusJson;

/** {@code GET /status}: the site's typed status as JSON, the same document {@code sitepair status --json} shows. */
@Controller
final class StatusController {
    private final ServedSite served;

    StatusController(ServedSite served) {
        this.served = served;
        StatusJson.prepare();
    }

    @Get(uri = "/status", produces = MediaType.APPLICATION_JSON)
    String status() {
        return StatusJson.write(served.site().status()) + "\n";
    }
}
