package io.sitepair.ops.drill.report;

import static io.sitepair.ops.drill.report.Readable.html;

import io.sitepair.ops.drill.report.DrillReport.Check;
import io.sitepair.ops.drill.report.DrillReport.Figure;
import io.sitepair.ops.drill.report.DrillReport.Objective;
import io.sitepair.ops.drill.report.DrillReport.SiteAtStart;
import io.sitepair.ops.drill.report.DrillReport.Step;
import io.sitepair.ops.drill.report.DrillReport.Workload;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code report.html}: the drill for people, on screen or on paper. One self-contained file (inline
 * CSS and SVG, no script, no font, no image, no link) so it still opens years later, attached to an
 * audit. Every string of the record is escaped.
 */
final class ReportHtml {
    private ReportHtml() {}

    static String render(DrillReport report) {
        double durationMs = Duration.between(report.started(), report.ended()).toNanos() / 1e6;
        StringBuilder page = new StringBuilder(32 * 1024);
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(html(title(report) + ": " + report.outcome())).append("</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n");
        header(page, report, durationMs);
        objectives(page, report);
        timeline(page, report, durationMs);
        workload(page, report.workload());
        samples(page, report, durationMs);
        figures(page, report);
        check(page, report.check());
        problems(page, report);
        page.append("<footer>Written by sitepair ").append(html(report.version())).append(". ")
                .append(DrillReports.JSON).append(" beside this file holds the same record for machines (schema ")
                .append(report.schema()).append(").</footer>\n</main>\n</body>\n</html>\n");
        return page.toString();
    }

    private static String title(DrillReport report) {
        String kind = report.kind().isEmpty() ? report.kind()
                : Character.toUpperCase(report.kind().charAt(0)) + report.kind().substring(1);
        return kind + " drill of pair " + report.pair();
    }

    private static void header(StringBuilder page, DrillReport report, double durationMs) {
        String outcome = report.outcome().name().toLowerCase(Locale.ROOT);
        page.append("<header>\n<div>\n<p class=\"eyebrow\">sitepair disaster-recovery drill</p>\n<h1>")
                .append(html(title(report))).append("</h1>\n<p class=\"verdict-words\">")
                .append(html(meaning(report.outcome()))).append("</p>\n</div>\n")
                .append("<div class=\"outcome ").append(outcome).append("\" id=\"outcome\">")
                .append(report.outcome().name()).append("</div>\n</header>\n");
        page.append("<dl class=\"facts\">\n");
        fact(page, "Started", Readable.utc(report.started()));
        fact(page, "Ended", Readable.utc(report.ended()));
        fact(page, "Duration", Readable.duration(durationMs));
        fact(page, "sitepair version", report.version());
        fact(page, "Configuration", report.configFile());
        page.append("<dt>Configuration SHA-256</dt><dd><code class=\"digest\">").append(html(report.configDigest()))
                .append("</code></dd>\n");
        page.append("<dt>Command</dt><dd><code>").append(html(report.command())).append("</code></dd>\n");
        page.append("<dt>Forced</dt><dd>").append(report.forced()
                ? "<span class=\"warn\">yes: started with --force on a pair that was not protected or had no"
                        + " quorum</span>"
                : "no: the pair was protected and its quorum healthy").append("</dd>\n</dl>\n");
        if (!report.sites().isEmpty()) {
            page.append("<table class=\"sites\">\n<thead><tr><th>Site</th><th>Role at the start</th>"
                    + "<th>Admin address</th></tr></thead>\n<tbody>\n");
            for (SiteAtStart site : report.sites()) {
                page.append("<tr><td>").append(html(site.name())).append("</td><td>").append(html(site.role()))
                        .append("</td><td><code>").append(html(site.admin())).append("</code></td></tr>\n");
            }
            page.append("</tbody>\n</table>\n");
        }
    }

    private static String meaning(DrillReport.Outcome outcome) {
        return switch (outcome) {
            case PASS -> "Every objective was met and every check passed.";
            case MISS -> "The drill ran, but an objective was missed or a check failed.";
            case FAILED -> "The drill could not complete: a step failed (see Problems).";
            case ABORTED -> "The operator stopped the drill; the pair was left protected.";
        };
    }

    private static void fact(StringBuilder page, String name, String value) {
        page.append("<dt>").append(html(name)).append("</dt><dd>").append(html(value)).append("</dd>\n");
    }

    private static void objectives(StringBuilder page, DrillReport report) {
        page.append("<section id=\"objectives\">\n<h2>Objectives</h2>\n");
        if (report.objectives().isEmpty()) {
            page.append("<p class=\"muted\">No objective was measured.</p>\n</section>\n");
            return;
        }
        page.append("<table>\n<thead><tr><th>Objective</th><th>Target</th><th>Measured</th><th>Verdict</th></tr>"
                + "</thead>\n<tbody>\n");
        for (Objective objective : report.objectives()) {
            String verdict = objective.verdict() == null ? "NOT_MEASURED" : objective.verdict().name();
            page.append("<tr data-objective=\"").append(html(objective.name())).append("\"><td>")
                    .append(html(objective.name())).append("</td><td>").append(html(objective.target()))
                    .append("</td><td>").append(html(objective.measured())).append("</td><td><span class=\"verdict ")
                    .append(verdict.toLowerCase(Locale.ROOT).replace('_', '-')).append("\">")
                    .append(verdict.replace('_', ' ')).append("</span></td></tr>\n");
        }
        page.append("</tbody>\n</table>\n</section>\n");
    }

    private static void timeline(StringBuilder page, DrillReport report, double durationMs) {
        page.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
        if (report.timeline().isEmpty()) {
            page.append("<p class=\"muted\">The drill recorded no step.</p>\n</section>\n");
            return;
        }
        page.append(TimelineChart.svg(report.timeline(), durationMs));
        page.append("<table class=\"steps\">\n<thead><tr><th class=\"num\">At</th><th>Step</th><th>What happened"
                + "</th><th>Result</th></tr></thead>\n<tbody>\n");
        for (Step step : report.timeline()) {
            page.append("<tr").append(step.ok() ? "" : " class=\"failed\"").append("><td class=\"num\">")
                    .append(html(Readable.seconds(step.atMs()))).append("</td><td>").append(html(step.name()))
                    .append("</td><td>").append(html(step.detail())).append("</td><td>")
                    .append(step.ok() ? "<span class=\"verdict met\">ok</span>"
                            : "<span class=\"verdict missed\">FAILED</span>")
                    .append("</td></tr>\n");
        }
        page.append("</tbody>\n</table>\n</section>\n");
    }

    private static void workload(StringBuilder page, Workload workload) {
        page.append("<section id=\"workload\">\n<h2>Workload</h2>\n");
        if (workload == null) {
            page.append("<p class=\"muted\">None: the drill ran without the built-in writer (--no-load).</p>\n");
        } else {
            page.append("<div class=\"cards\">\n");
            card(page, "Writes acknowledged", Readable.number(workload.acknowledged()), "");
            card(page, "Acknowledged writes lost", Readable.number(workload.lost()),
                    workload.lost() == 0 ? "good" : "bad");
            card(page, "Longest client-observed unavailability", Readable.duration(workload.unavailableMs()), "");
            page.append("</div>\n<p class=\"muted\">Lost counts acknowledged writes missing from the pair when"
                    + " the writer's ledger was checked at the end.</p>\n");
        }
        page.append("</section>\n");
    }

    private static void card(StringBuilder page, String name, String value, String tone) {
        page.append("<div class=\"card\"><div class=\"value ").append(tone).append("\">").append(html(value))
                .append("</div><div class=\"name\">").append(html(name)).append("</div></div>\n");
    }

    private static void samples(StringBuilder page, DrillReport report, double durationMs) {
        page.append("<section id=\"samples\">\n<h2>The pair during the drill</h2>\n");
        if (report.samples().isEmpty()) {
            page.append("<p class=\"muted\">No samples were taken.</p>\n</section>\n");
            return;
        }
        page.append("<div class=\"charts\">\n")
                .append(SampleChart.figure("Replay lag", "ms", report.samples(), DrillReport.Sample::lagMs,
                        durationMs, report.timeline()))
                .append(SampleChart.figure("Logging channel on the wire", "Mbit/s", report.samples(),
                        DrillReport.Sample::wireMbitS, durationMs, report.timeline()))
                .append(SampleChart.figure("Output Rule hold", "ms", report.samples(),
                        DrillReport.Sample::outputHoldMs, durationMs, report.timeline()))
                .append("</div>\n<p class=\"muted\">Dashed lines mark the timeline's steps (red: a step that"
                        + " failed). Shaded: no sample could be taken, as while a site was down.</p>\n</section>\n");
    }

    private static void figures(StringBuilder page, DrillReport report) {
        if (report.figures().isEmpty()) {
            return;
        }
        page.append("<section id=\"figures\">\n<h2>Figures</h2>\n<table>\n<thead><tr><th>Figure</th>"
                + "<th class=\"num\">Value</th><th>Unit</th></tr></thead>\n<tbody>\n");
        for (Figure figure : report.figures()) {
            page.append("<tr><td>").append(html(figure.name())).append("</td><td class=\"num\">")
                    .append(html(Readable.number(figure.value()))).append("</td><td>").append(html(figure.unit()))
                    .append("</td></tr>\n");
        }
        page.append("</tbody>\n</table>\n</section>\n");
    }

    private static void check(StringBuilder page, Check check) {
        page.append("<section id=\"check\">\n<h2>Check</h2>\n");
        if (check == null) {
            page.append("<p class=\"muted\">No check ran: none is configured (drills.check) or the drill ended"
                    + " before it.</p>\n</section>\n");
            return;
        }
        page.append("<dl class=\"facts\">\n<dt>Command</dt><dd><code>").append(html(check.command()))
                .append("</code></dd>\n<dt>Exit</dt><dd>").append(check.exit() == 0
                        ? "<span class=\"verdict met\">0: healthy</span>"
                        : "<span class=\"verdict missed\">" + check.exit() + ": unhealthy</span>")
                .append("</dd>\n");
        fact(page, "Took", Readable.duration(check.tookMs()));
        page.append("</dl>\n<pre class=\"output\">")
                .append(check.output() == null || check.output().isEmpty() ? "(no output)" : html(check.output()))
                .append("</pre>\n</section>\n");
    }

    private static void problems(StringBuilder page, DrillReport report) {
        page.append("<section id=\"problems\">\n<h2>Problems</h2>\n");
        if (report.problems().isEmpty()) {
            page.append("<p>None: nothing went wrong.</p>\n");
        } else {
            page.append("<ul class=\"problems\">\n");
            for (String problem : report.problems()) {
                page.append("<li>").append(html(problem)).append("</li>\n");
            }
            page.append("</ul>\n");
        }
        page.append("</section>\n");
    }

    private static final String STYLE = """
            :root { --ink: #1d2733; --muted: #5b6773; --line: #d5dbe1; --accent: #1f4e79;
                    --good: #2e7d32; --good-bg: #e8f5e9; --bad: #c62828; --bad-bg: #ffebee;
                    --warn: #b45309; --warn-bg: #fff4e5; --none: #616161; --none-bg: #eeeeee; }
            * { box-sizing: border-box; }
            html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
            body { margin: 0; color: var(--ink); background: #f4f6f8;
                   font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            main { max-width: 1100px; margin: 0 auto; padding: 28px 32px 40px; background: #fff; }
            header { display: flex; justify-content: space-between; align-items: center; gap: 24px;
                     border-bottom: 3px solid var(--accent); padding-bottom: 14px; }
            .eyebrow { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em;
                       font-size: 12px; }
            h1 { margin: 4px 0; font-size: 28px; }
            h2 { margin: 30px 0 10px; font-size: 19px; color: var(--accent); border-bottom: 1px solid var(--line);
                 padding-bottom: 4px; }
            .verdict-words { margin: 0; color: var(--muted); }
            .outcome { font-size: 44px; font-weight: 800; letter-spacing: .04em; padding: 6px 26px;
                       border-radius: 8px; border: 3px solid; white-space: nowrap; }
            .outcome.pass { color: var(--good); background: var(--good-bg); }
            .outcome.miss, .outcome.failed { color: var(--bad); background: var(--bad-bg); }
            .outcome.aborted { color: var(--warn); background: var(--warn-bg); }
            dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 16px 0; }
            dl.facts dt { color: var(--muted); }
            dl.facts dd { margin: 0; overflow-wrap: anywhere; }
            code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
            code.digest { font-size: 12px; }
            table { border-collapse: collapse; width: 100%; margin: 6px 0; }
            th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
            th { background: #f0f3f6; font-weight: 600; }
            .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
            tr.failed td { background: var(--bad-bg); }
            .verdict { display: inline-block; font-weight: 700; font-size: 13px; padding: 1px 9px; border-radius: 4px;
                       border: 1px solid; white-space: nowrap; }
            .verdict.met { color: var(--good); background: var(--good-bg); }
            .verdict.missed { color: var(--bad); background: var(--bad-bg); }
            .verdict.not-measured { color: var(--none); background: var(--none-bg); }
            .warn { color: var(--warn); font-weight: 600; }
            .muted { color: var(--muted); font-size: 13px; }
            svg { display: block; width: 100%; height: auto; font-family: inherit; }
            svg text { fill: var(--ink); }
            svg .grid { stroke: #eef1f4; stroke-width: 1; }
            svg .axis { stroke: var(--ink); stroke-width: 1.5; }
            svg .tick { font-size: 11px; fill: var(--muted); text-anchor: middle; }
            svg .axis-title { font-size: 11px; fill: var(--muted); text-anchor: middle; }
            svg.timeline { margin: 8px 0 12px; }
            .step .pole { stroke: #9aa8b5; stroke-width: 1.2; }
            .step .marker { fill: var(--accent); stroke: #fff; stroke-width: 2; }
            .step text { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
            .step .name { font-size: 12px; font-weight: 700; }
            .step .at { font-size: 11px; fill: var(--muted); font-variant-numeric: tabular-nums; }
            .step.failed .marker { fill: var(--bad); }
            .step.failed .pole { stroke: var(--bad); }
            .step.failed .name, .step.failed .at { fill: var(--bad); }
            .cards { display: flex; flex-wrap: wrap; gap: 14px; }
            .card { flex: 1 1 220px; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
            .card .value { font-size: 28px; font-weight: 700; font-variant-numeric: tabular-nums; }
            .card .value.good { color: var(--good); }
            .card .value.bad { color: var(--bad); }
            .card .name { color: var(--muted); font-size: 13px; }
            .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
            figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 10px 10px 4px; }
            figcaption { font-size: 13px; }
            svg .line { fill: none; stroke: var(--accent); stroke-width: 1.8; stroke-linejoin: round; }
            svg .dot { fill: var(--accent); }
            svg .step-mark { stroke: #9aa8b5; stroke-width: 1; stroke-dasharray: 3 3; }
            svg .step-mark.failed { stroke: var(--bad); }
            svg .gap { fill: #eceff3; }
            svg .none { font-size: 13px; fill: var(--muted); text-anchor: middle; }
            pre.output { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
                         white-space: pre-wrap; overflow-wrap: anywhere; max-height: 480px; overflow: auto; }
            ul.problems li { color: var(--bad); margin: 4px 0; }
            footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line);
                     padding-top: 8px; }
            @media print {
              body { background: #fff; font-size: 12px; }
              main { max-width: none; padding: 0; }
              svg, figure, tr, .card { break-inside: avoid; }
              h2 { break-after: avoid; }
              pre.output { max-height: none; overflow: visible; }
            }
            """;
}
