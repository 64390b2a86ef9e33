package io.sitepair.ops.site;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.PairConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks a site's status endpoint for an operation (switchover, verify), signed with the pair's secret. */
public final class AdminClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AdminClient() {}

    /** {@code POST /<operation>} to {@code site}'s status endpoint; the answer's body says what happened or why not. */
    public static HttpResponse<String> post(PairConfig pair, String site, String operation, Duration timeout)
            throws IOException, InterruptedException {
        String url = "http://" + Addresses.hostPort(pair.site(site).admin()) + "/" + operation;
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header(AdminAuth.HEADER, AdminAuth.sign(pair.secret(), pair.pair(), operation))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
