package io.sitepair.ops.site.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.site.PairView;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/** The dashboard's first paint, drawn by Thymeleaf from the page's document as the site serves it. */
class DashboardPageTest {
    private static final String PRIMARY = "{\"site\":\"a\",\"role\":\"primary\",\"reason\":\"r\",\"epoch\":1,"
            + "\"service\":\"10.77.0.10:6379\"%s,\"protection\":\"protected\"}";
    private static final String NIC = ",\"nic\":{\"tap\":\"splab-a-tap\",\"bridge\":\"splab-a\",\"address\":"
            + "\"10.77.0.10/24\",\"port\":6379,\"mac\":\"02:00:5e:10:00:0a\",\"link_up\":true,\"host_dropped\":"
            + "{\"oversized\":0,\"unsent\":0},\"guest\":{\"connections_open\":3,\"dropped\":{}}}";

    @Test
    void aSiteInNetworkModeNicShowsItsTapLinkAndConnectionsBesideTheServiceAddress() {
        assertTrue(draw(PRIMARY.formatted(NIC)).contains(
                "<dd data-field=\"service\">10.77.0.10:6379 on tap splab-a-tap, link up, 3 connections</dd>"));
    }

    @Test
    void aSiteInNetworkModeSocketShowsTheServiceAddressAlone() {
        assertTrue(draw(PRIMARY.formatted("")).contains("<dd data-field=\"service\">10.77.0.10:6379</dd>"));
    }

    private static String draw(String siteA) {
        Map<String, SiteStatus> sites = new LinkedHashMap<>();
        sites.put("a", StatusJson.read(siteA));
        sites.put("b", new NoAnswer("b", "refused"));
        PairStatus pair = new PairStatus("lab", "q", new LinkSecurity("TLS 1.3", null, Map.of(), List.of()), sites);
        var resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix("views/");
        resolver.setSuffix(".html");
        var engine = new TemplateEngine();
        engine.setTemplateResolver(resolver);
        var context = new Context();
        context.setVariable("page", PairPage.of("a", new PairView(pair, null), null, null));
        return engine.process("dashboard", context);
    }
}
