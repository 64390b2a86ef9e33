package io.sitepair.ops.site;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.SiteConfig;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks a site's admin endpoint for its status. */
public final class SiteQuery {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private SiteQuery() {}

    /** The site's status, or {@link NoAnswer} saying why there is none. */
    public static SiteStatus status(SiteConfig site) {
        String url = "http://" + Addresses.format(site.admin()) + "/status"; // an IPv6 host in brackets
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new NoAnswer(site.name(), url + " answered HTTP " + response.statusCode());
            }
            return StatusJson.read(response.body());
        } catch (IllegalArgumentException e) {
            return new NoAnswer(site.name(), url + " answered no status: " + e.getMessage());
        } catch (java.io.IOException e) {
            return new NoAnswer(site.name(), "no answer from " + url + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NoAnswer(site.name(), "interrupted");
        }
    }
}
