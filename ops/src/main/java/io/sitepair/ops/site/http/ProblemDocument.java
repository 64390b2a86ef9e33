package io.sitepair.ops.site.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every error the plane answers, as an RFC 9457 problem document ({@code application/problem+json}):
 * the HTTP status, a short title, and in {@code detail} what went wrong in words a person can act
 * on. Never a stack trace: a bug is logged with its trace on the site, not sent to the caller.
 */
public final class ProblemDocument {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemDocument() {}

    public static MutableHttpResponse<String> response(HttpStatus status, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", status.getReason());
        problem.put("status", status.getCode());
        problem.put("detail", detail);
        try {
            return HttpResponse.<String>status(status).contentType(MEDIA_TYPE).body(JSON.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }

    /** The {@code detail} of a problem document, or {@code body} itself if it is none. */
    public static String detail(String body) {
        try {
            var detail = JSON.readTree(body).get("detail");
            return detail != null && detail.isTextual() ? detail.asText() : body.trim();
        } catch (JsonProcessingException | RuntimeException e) {
            return body.trim();
        }
    }
}
