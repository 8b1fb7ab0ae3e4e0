package dev.replicalifecycle.modelcheck;

import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the HTML report under {@code <out>/report/}: {@code index.html} with the verdict matrix
 * (as {@link ReportPrinter#matrix} prints it, each violated cell linking to its shortest
 * counterexample) and the per-model table, and one page {@code <model>.html} per counterexample
 * with its swimlane view ({@link TraceView}): a lane per process, a row per step, the changed
 * variables before → after, the violated property marked where it breaks (the last state of a
 * safety or deadlock counterexample; the loop of a lasso).
 *
 * <p>The pages are self-contained: inline CSS, no script, no external resource. The output is a
 * function of the inputs (no time stamps, no absolute paths), and every value is HTML-escaped. A
 * trace file that is missing or unreadable gives a page that says so. Stateless and
 * thread-safe; concurrent writes to the same directory overwrite each other.
 */
final class HtmlReport {

    /** The report's directory under the output directory. */
    static final String DIR = "report";

    private static final String CSS = """
            body{font:14px/1.35 system-ui,sans-serif;margin:1em 1.5em;color:#222;max-width:100%}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.4em}
            table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
            th{background:#f2f2f2}
            code,.v{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
            td,li,dd{overflow-wrap:break-word}pre,.v{overflow-wrap:anywhere}
            pre{white-space:pre-wrap}
            .violated{background:#fde2e1;font-weight:600}.violated a{color:#a40000}
            .holds{background:#e3f4e1}.error{background:#fff1c2}.unknown{color:#777}.none{color:#bbb}
            .mismatch{outline:2px solid #d00;outline-offset:-2px}
            table.lanes{table-layout:fixed;width:100%}
            table.lanes col.idx{width:2.6em}
            td.act{background:#e8f0fe;border-left:3px solid #3b6fd8}
            .action{font-weight:600}.outcome{color:#555}.outcome::before{content:"→ "}
            .args{display:block;color:#444;font-size:12.5px}
            ul.changes{list-style:none;margin:0;padding:0}ul.changes li{margin:0 0 2px 0}
            .before{background:#fde2e1;text-decoration:line-through;text-decoration-color:#b44}
            .after{background:#d8f5d2}
            tr.loop td{border-left-color:#a060d0}tr.loop td:first-child{border-left:4px solid #a060d0}
            tr.breaks td:first-child{background:#d00;color:#fff;font-weight:700}
            .marker{display:block;margin-top:3px;font-weight:700}
            .marker.bad{color:#b00000}.marker.loopm{color:#6a2c9a}
            tr.closing td{background:#f6effc;font-style:italic}
            .missing{background:#fff1c2;border:1px solid #d9b300;padding:.6em}
            details summary{cursor:pointer;color:#3b6fd8}dl{margin:.3em 0}dt{font-weight:600}dd{margin:0 0 .3em 1em}
            nav a{margin-right:1em}
            .wide{overflow-x:auto}table.matrix,table.models{font-size:13px}
            """;

    private final Path outDir;
    private final Path conformanceReadme;

    /**
     * @param outDir            the run's output directory (holding {@code verdicts.json} and {@code traces/})
     * @param conformanceReadme the conformance module's README, linked from each counterexample as
     *                          where its replay on Java is described; null to leave the link out
     */
    HtmlReport(Path outDir, Path conformanceReadme) {
        this.outDir = outDir.toAbsolutePath().normalize();
        this.conformanceReadme = conformanceReadme == null ? null : conformanceReadme.toAbsolutePath().normalize();
    }

    /**
     * Writes {@code report/index.html} and a page per counterexample, after removing the pages of
     * an earlier run.
     *
     * @param models  the models checked
     * @param results their results
     * @return {@code report/index.html}
     * @throws UncheckedIOException if a page cannot be written
     */
    Path write(List<ModelEntry> models, List<ModelResult> results) {
        Path dir = outDir.resolve(DIR);
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.html")) {
                for (Path p : old) {
                    Files.delete(p);
                }
            }
            Map<String, ModelEntry> entries = new LinkedHashMap<>();
            models.forEach(m -> entries.put(m.model(), m));
            for (ModelResult r : results) {
                if (hasPage(r)) {
                    Files.writeString(dir.resolve(pageName(r.model())),
                            counterexamplePage(entries.get(r.model()), r), StandardCharsets.UTF_8);
                }
            }
            Path index = dir.resolve("index.html");
            Files.writeString(index, index(models, results), StandardCharsets.UTF_8);
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the HTML report in " + dir + ": " + e.getMessage(), e);
        }
    }

    static boolean hasPage(ModelResult r) {
        return r.trace() != null || r.actual().violated();
    }

    /** @return the page of a model's counterexample: its id, with characters unsafe in a file name replaced */
    static String pageName(String model) {
        return model.replaceAll("[^A-Za-z0-9_.-]", "_") + ".html";
    }

    // ---------------------------------------------------------------- index

    String index(List<ModelEntry> models, List<ModelResult> results) {
        StringBuilder h = new StringBuilder();
        long ok = results.stream().filter(ModelResult::matches).count();
        head(h, "Model checking report");
        h.append("<h1>Model checking report</h1>\n<p>").append(ok).append(" of ").append(results.size())
                .append(" models match the manifest.</p>\n");

        h.append("<h2>Verdict matrix</h2>\n<div class=\"wide\"><table class=\"matrix\">\n<thead><tr><th>variant</th>");
        List<String> columns = ReportPrinter.columns(models);
        columns.forEach(c -> h.append("<th>").append(breakable(c)).append("</th>"));
        h.append("</tr></thead>\n<tbody>\n");
        Map<String, ModelResult> byModel = ReportPrinter.byModel(results);
        for (String row : ReportPrinter.rows(models)) {
            h.append("<tr><th>").append(esc(row)).append("</th>");
            for (String prop : columns) {
                ReportPrinter.Cell c = ReportPrinter.cell(models, byModel, row, prop);
                h.append("<td class=\"").append(cellClass(c.text())).append("\" data-row=\"").append(esc(row))
                        .append("\" data-property=\"").append(esc(prop)).append("\">");
                if (c.shortest() != null) {
                    h.append("<a href=\"").append(esc(pageName(c.shortest().model()))).append("\" title=\"")
                            .append(esc(c.shortest().model())).append("\">").append(esc(c.text())).append("</a>");
                } else {
                    h.append(esc(c.text()));
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table></div>\n<p class=\"legend\">holds | VIOLATED (n steps): links to the shortest counterexample"
                + " | ERROR | ? = stopped at another violation first | · = not checked | ! = differs from the manifest</p>\n");

        h.append("<h2>Models</h2>\n<div class=\"wide\"><table class=\"models\">\n<thead><tr><th>model</th><th>expected</th><th>actual</th>"
                + "<th>ok?</th><th>distinct states</th><th>depth</th><th>seconds</th><th>counterexample</th></tr></thead>\n<tbody>\n");
        for (ModelResult r : results) {
            h.append("<tr id=\"m-").append(esc(r.model())).append("\"><td>").append(breakable(r.model())).append("</td><td>")
                    .append(esc(r.expected().brief())).append("</td><td>").append(esc(r.actual().brief())).append("</td><td class=\"")
                    .append(r.matches() ? "holds\">ok" : "violated\">MISMATCH").append("</td><td>")
                    .append(r.distinctStates() == null ? "-" : String.format("%,d", r.distinctStates())).append("</td><td>")
                    .append(r.depth() == null ? "-" : r.depth()).append("</td><td>").append(r.seconds()).append("</td><td>");
            if (hasPage(r)) {
                h.append("<a href=\"").append(esc(pageName(r.model()))).append("\">")
                        .append(r.steps() == null ? "page" : r.steps() + (r.steps() == 1 ? " step" : " steps")).append("</a>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table></div>\n");
        for (ModelResult r : results) {
            if (!r.mismatches().isEmpty() || r.actual().failed()) {
                h.append("<h3>").append(esc(r.model())).append("</h3>\n");
                if (!r.mismatches().isEmpty()) {
                    h.append("<ul>");
                    r.mismatches().forEach(m -> h.append("<li>").append(esc(m)).append("</li>"));
                    h.append("</ul>\n");
                }
                if (r.actual().failed()) {
                    h.append("<pre>").append(esc(r.actual().message())).append("</pre>\n");
                }
            }
        }
        return h.append("</body>\n</html>\n").toString();
    }

    private static String cellClass(String text) {
        String c = text.startsWith("VIOLATED") ? "violated" : text.startsWith("ERROR") ? "error"
                : text.startsWith("holds") ? "holds" : text.startsWith("?") ? "unknown" : "none";
        return text.endsWith("!") ? c + " mismatch" : c;
    }

    // ---------------------------------------------------------------- counterexample page

    String counterexamplePage(ModelEntry m, ModelResult r) {
        StringBuilder h = new StringBuilder();
        Outcome a = r.actual();
        String what = a.violated()
                ? (a.property() == null ? a.kind() : a.property()) + " (" + a.kind() + ")"
                : a.result();
        head(h, r.model() + ": " + what);
        h.append("<nav><a href=\"index.html\">← verdict matrix</a>");
        if (r.trace() != null) {
            String rel = "../" + r.trace();
            String steps = rel.endsWith(".itf.json") ? rel.substring(0, rel.length() - ".itf.json".length()) + ".steps.txt" : null;
            h.append("<a href=\"").append(esc(rel)).append("\">ITF trace</a>");
            if (steps != null) {
                h.append("<a href=\"").append(esc(steps)).append("\">step list</a>");
            }
        }
        h.append("</nav>\n<h1>").append(esc(r.model())).append("</h1>\n<p>Variant <b>").append(esc(r.variant())).append("</b>");
        if (r.mutant() != null) {
            h.append(", mutant <b>").append(esc(r.mutant())).append("</b>");
        }
        if (m != null) {
            h.append(", module <code>").append(esc(m.module())).append("</code>, config <code>").append(esc(m.config()))
                    .append("</code>");
        }
        h.append(". TLC: <b class=\"violated\">").append(esc(a.brief())).append("</b>; manifest: ")
                .append(esc(r.expected().brief())).append(r.matches() ? " (as expected)" : " <b>(MISMATCH)</b>").append(".</p>\n");
        if (m != null && m.note() != null) {
            h.append("<p class=\"note\">").append(esc(m.note())).append("</p>\n");
        }
        if (conformanceReadme != null) {
            String link = relative(outDir.resolve(DIR), conformanceReadme) + "#1-spec--java-counterexample-replay-counterexamplereplaytest";
            h.append("<p class=\"conformance\">Replayed on Java by the conformance module: the counterexample on its Java"
                    + " variant (the same property must break at the same step) and its schedule on V4 (nothing may break);"
                    + " see <a href=\"").append(esc(link)).append("\">conformance/README.md, §1 counterexample replay</a>"
                    + " (<code>CounterexampleReplayTest</code>; it writes no per-trace result file).</p>\n");
        }
        if (r.trace() == null) {
            h.append("<p class=\"missing\">TLC reported no counterexample trace for this model, or it could not be written.</p>\n");
            return h.append("</body>\n</html>\n").toString();
        }
        ItfTrace trace;
        try {
            trace = ItfTrace.read(outDir.resolve(r.trace()));
        } catch (RuntimeException e) {
            h.append("<p class=\"missing\">The counterexample trace <code>").append(esc(r.trace()))
                    .append("</code> could not be read: ").append(esc(String.valueOf(e.getMessage()))).append("</p>\n");
            return h.append("</body>\n</html>\n").toString();
        }
        swimlane(h, TraceView.of(trace), a);
        return h.append("</body>\n</html>\n").toString();
    }

    private static void swimlane(StringBuilder h, TraceView v, Outcome a) {
        int lanes = v.lanes().size();
        int last = v.rows().size() - 1;
        String prop = a.property() == null ? a.kind() : a.property();
        h.append("<h2>Swimlanes</h2>\n<table class=\"lanes\">\n<colgroup><col class=\"idx\">");
        int laneWidth = Math.max(6, Math.min(16, 60 / lanes));
        for (int i = 0; i < lanes; i++) {
            h.append("<col class=\"lane\" style=\"width:").append(laneWidth).append("%\">");
        }
        h.append("<col class=\"chg\"></colgroup>\n<thead><tr><th>#</th>");
        v.lanes().forEach(l -> h.append("<th data-lane=\"").append(esc(l)).append("\">").append(esc(l)).append("</th>"));
        h.append("<th>changed variables (before → after)</th></tr></thead>\n<tbody>\n");
        for (TraceView.Row r : v.rows()) {
            List<String> cls = new ArrayList<>();
            if (v.loop() != null && r.index() >= v.loop()) {
                cls.add("loop");
            }
            boolean breaks = v.loop() == null && r.index() == last && a.violated();
            if (breaks) {
                cls.add("breaks");
            }
            h.append("<tr id=\"s").append(r.index()).append("\" data-step=\"").append(r.index()).append("\" data-proc=\"")
                    .append(esc(r.proc() == null ? "" : r.proc())).append('"');
            if (!cls.isEmpty()) {
                h.append(" class=\"").append(String.join(" ", cls)).append('"');
            }
            h.append("><td>").append(r.index()).append("</td>");
            StringBuilder act = new StringBuilder();
            act.append("<span class=\"action\">").append(esc(r.action())).append("</span>");
            if (r.outcome() != null || !r.args().isEmpty()) {
                act.append("<span class=\"args\">");
                if (r.outcome() != null) {
                    act.append("<span class=\"outcome\">").append(esc(r.outcome())).append("</span> ");
                }
                act.append("<span class=\"v\">").append(esc(String.join(" ", r.args()))).append("</span></span>");
            }
            if (r.index() == 0) {
                act.append("<details><summary>initial state</summary><dl>");
                v.initial().forEach(c -> act.append("<dt>").append(esc(c.var())).append("</dt><dd class=\"v\">")
                        .append(esc(c.after())).append("</dd>"));
                act.append("</dl></details>");
            }
            if (v.loop() != null && r.index() == v.loop()) {
                act.append("<span class=\"marker loopm\">↻ the loop starts here</span>");
            }
            if (r.proc() == null) {
                h.append("<td class=\"act all\" colspan=\"").append(lanes).append("\">").append(act).append("</td>");
            } else {
                for (String lane : v.lanes()) {
                    if (lane.equals(r.proc())) {
                        h.append("<td class=\"act\" data-lane=\"").append(esc(lane)).append("\">").append(act).append("</td>");
                    } else {
                        h.append("<td></td>");
                    }
                }
            }
            h.append("<td>");
            if (breaks) {
                h.append("<span class=\"marker bad\">✗ ").append(esc(breakText(a, prop, r.index()))).append("</span>");
            }
            changes(h, r.changes());
            h.append("</td></tr>\n");
        }
        if (v.loop() != null) {
            h.append("<tr class=\"closing loop\" data-step=\"back\"><td>↺</td><td colspan=\"").append(lanes).append("\">");
            if (v.stutters()) {
                h.append("stutters forever in state ").append(v.loop());
            } else {
                h.append(v.loopAction() == null ? "a step" : "<span class=\"action\">" + esc(v.loopAction()) + "</span>")
                        .append(" leads back to state ").append(v.loop());
            }
            h.append("<span class=\"marker bad\">✗ ").append(esc(prop)).append(" is violated: this behaviour "
                    + (v.stutters() ? "stays in state " + v.loop() : "repeats states " + v.loop() + ".." + last)
                    + " forever (" + a.kind() + ")").append("</span></td><td>");
            changes(h, v.loopChanges());
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static String breakText(Outcome a, String prop, int index) {
        if (Outcome.DEADLOCK.equals(a.kind())) {
            return "deadlock: no action is enabled in state " + index;
        }
        return prop + " is violated in state " + index + " (" + a.kind() + ")";
    }

    private static void changes(StringBuilder h, List<TraceView.Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        h.append("<ul class=\"changes\">");
        for (TraceView.Change c : changes) {
            h.append("<li class=\"chg\" data-var=\"").append(esc(c.var())).append("\" data-path=\"").append(esc(c.path()))
                    .append("\"><code>").append(esc(c.path())).append("</code>: <span class=\"before v\">")
                    .append(esc(c.before())).append("</span> → <span class=\"after v\">").append(esc(c.after()))
                    .append("</span></li>");
        }
        h.append("</ul>");
    }

    // ---------------------------------------------------------------- helpers

    private static void head(StringBuilder h, String title) {
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<link rel=\"icon\" href=\"data:,\">\n<title>").append(esc(title)).append("</title>\n<style>\n")
                .append(CSS).append("</style>\n</head>\n<body>\n");
    }

    /**
     * Escapes a camel-case or underscored identifier and lets the browser break it between its
     * words ({@code <wbr>} before an upper-case letter that follows a lower-case one, and after
     * {@code _}), so that wide tables fit the window.
     */
    static String breakable(String id) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (i > 0 && Character.isUpperCase(c) && Character.isLowerCase(id.charAt(i - 1))) {
                sb.append("<wbr>");
            }
            sb.append(esc(String.valueOf(c)));
            if (c == '_') {
                sb.append("<wbr>");
            }
        }
        return sb.toString();
    }

    private static String relative(Path fromDir, Path to) {
        try {
            return fromDir.relativize(to).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) {
            return to.toUri().toString();
        }
    }

    /**
     * Escapes text for HTML element content and quoted attribute values.
     *
     * @param s the text; null gives the empty string
     * @return the escaped text
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
