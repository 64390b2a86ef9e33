package io.sitepair.ops.site.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.site.AdminAuth;
import io.sitepair.ops.site.http.AdminAccess.Permission;
import io.sitepair.replicator.tls.PairPrincipal;
import java.security.cert.X509Certificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets through only what the caller may do, before any controller runs: a read ({@code GET}:
 * status, metrics, the dashboard) or an operation ({@code POST}). Over HTTPS the caller is who its
 * certificate names ({@link AdminAccess} decides); over plain HTTP (a lab's) reads are open and an
 * operation must be signed with the pair's secret ({@link AdminAuth}). Every refusal is logged.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class AccessFilter {
    private static final Logger LOG = LoggerFactory.getLogger(AccessFilter.class);

    private final ServedSite served;

    AccessFilter(ServedSite served) {
        this.served = served;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> admit(HttpRequest<?> request) {
        boolean read = request.getMethod() == HttpMethod.GET || request.getMethod() == HttpMethod.HEAD;
        String operation = request.getPath().substring(1);
        String refusal = read ? refusal(request, Permission.READ, "read status")
                : refusal(request, Permission.OPERATE, operation);
        if (refusal == null) {
            return null;
        }
        LOG.warn("admin API: refused {} {} from {}: {}", request.getMethodName(), request.getPath(),
                Addresses.hostPort(request.getRemoteAddress()), refusal);
        return ProblemDocument.response(HttpStatus.FORBIDDEN, refusal);
    }

    /** Why this request may not do {@code wanted} ({@code what} names it), or null if it may. */
    private String refusal(HttpRequest<?> request, Permission wanted, String what) {
        if (served.tls()) {
            PairPrincipal caller = request.getCertificate()
                    .filter(X509Certificate.class::isInstance)
                    .map(certificate -> PairPrincipal.of((X509Certificate) certificate))
                    .orElse(null);
            return AdminAccess.refusal(caller, wanted, what);
        }
        if (wanted == Permission.READ) {
            return null; // plain HTTP is a lab's, on loopback
        }
        String query = request.getUri().getRawQuery();
        String signed = query == null ? what : what + "?" + query; // the signature covers the query
        return AdminAuth.refusal(served.pair().secret(), served.pair().pair(), signed,
                request.getHeaders().get(AdminAuth.HEADER));
    }
}
