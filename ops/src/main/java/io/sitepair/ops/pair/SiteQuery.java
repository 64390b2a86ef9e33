package io.sitepair.ops.pair;

import io.sitepair.ops.config.SiteConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Asks a site's admin endpoint for its status. */
public final class SiteQuery {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private SiteQuery() {}

    /** The site's status as parsed JSON, or a map with {@code error} if it does not answer. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> status(SiteConfig site) {
        String url = "http://" + UpCommand.address(site.admin()) + "/status";
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Map.of("site", site.name(), "error", url + " answered HTTP " + response.statusCode());
            }
            return (Map<String, Object>) new Yaml().load(response.body()); // JSON is YAML
        } catch (java.io.IOException e) {
            return Map.of("site", site.name(), "error", "no answer from " + url + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("site", site.name(), "error", "interrupted");
        }
    }
}
