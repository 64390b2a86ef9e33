package io.sitepair.ops.site.http;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;

/**
 * Micronaut's own errors (no such path, wrong method, a malformed query value, a bug) as problem
 * documents, like the plane's.
 */
@Singleton
@Primary
final class ProblemResponses implements ErrorResponseProcessor<String> {
    @Override
    public MutableHttpResponse<String> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.getStatus();
        String request = context.getRequest().getMethodName() + " " + context.getRequest().getPath();
        String detail = switch (status) {
            case NOT_FOUND -> request + ": no such resource on this site";
            case METHOD_NOT_ALLOWED -> request + ": not allowed (reads are GET, operations POST)";
            case INTERNAL_SERVER_ERROR -> request + " failed on the site (its log says why)";
            default -> context.hasErrors()
                    ? context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "))
                    : request + ": " + status.getReason();
        };
        return ProblemDocument.response(status, detail).headers(response.getHeaders().asMap().entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase("Allow"))
                .collect(Collectors.toMap(h -> h.getKey(), h -> String.join(",", h.getValue()))));
    }
}
