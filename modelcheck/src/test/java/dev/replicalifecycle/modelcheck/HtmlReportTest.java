package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report generator ({@link HtmlReport}, {@link TraceView}) on hand-written ITF traces. */
class HtmlReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    // ------------------------------------------------------------------ fixtures

    private static String client(String pc, String name) {
        return "{\"pc\":\"" + pc + "\",\"name\":\"" + name + "\"}";
    }

    private static String cl(String c1, String c2) {
        return "{\"#map\":[[\"c1\"," + c1 + "],[\"c2\"," + c2 + "]]}";
    }

    private static String step(String action, String proc, String name, String outcome) {
        return "{\"action\":\"" + action + "\",\"proc\":\"" + proc + "\",\"name\":\"" + name + "\",\"outcome\":\"" + outcome + "\"}";
    }

    private static String state(int i, String action, String step, String cl, String lvols, String x) {
        return "{\"#meta\":{\"index\":" + i + ",\"action\":\"" + action + "\"},\"step\":" + step + ",\"cl\":" + cl
                + ",\"lvols\":" + lvols + ",\"x\":" + x + "}";
    }

    /** A four-state trace: Init, c1 reserves n1, verify lists, env loses the lvol. */
    private static String trace(String loop, String x3) {
        String idle = client("idle", "None");
        String res = client("lvol", "n1");
        return "{\"#meta\":{\"model\":\"M\"" + (loop != null ? ",\"loopAction\":\"VerifyApply\"" : "") + "},"
                + "\"vars\":[\"step\",\"cl\",\"lvols\",\"x\"],\"states\":["
                + state(0, "Init", step("Init", "None", "None", "ok"), cl(idle, idle), "{\"#set\":[]}", "0") + ","
                + state(1, "CreateReserve", step("CreateReserve", "c1", "n1", "ok"), cl(res, idle), "{\"#set\":[]}", "0") + ","
                + state(2, "VerifyList", step("VerifyList", "verify", "None", "ok"), cl(res, idle), "{\"#set\":[\"n1\"]}", "0") + ","
                + state(3, "LoseLvol", step("LoseLvol", "env", "n1", "ok"), cl(res, idle), "{\"#set\":[]}", x3) + "]"
                + (loop != null ? ",\"loop\":" + loop : "") + "}";
    }

    private Path writeTrace(String model, String json) throws Exception {
        Path dir = Files.createDirectories(out.resolve("traces"));
        Path f = dir.resolve(model + ".itf.json");
        Files.writeString(f, json);
        return f;
    }

    private static ItfTrace parse(String json) throws Exception {
        return ItfTrace.fromJson(JSON.readTree(json));
    }

    private static ModelEntry entry(String model, String variant, String property, String kind) {
        return new ModelEntry(model, "MC", "MC_" + model + ".cfg", variant, null, null, ModelEntry.SMALL,
                List.of(property), Outcome.violation(property, kind), null, null, null);
    }

    private static ModelResult violated(String model, String variant, String property, String kind, int length, String trace) {
        Outcome o = Outcome.violation(property, kind);
        return new ModelResult(model, variant, null, ModelEntry.SMALL, o, o, true, List.of(), null, null, 10L, 12L, 3,
                1.5, length, trace);
    }

    // ------------------------------------------------------------------ TraceView

    @Test
    void lanesAreTheClientsInNaturalOrderThenTheSystemProcesses() throws Exception {
        TraceView v = TraceView.of(parse(trace(null, "0")));
        assertEquals(List.of("c1", "c2", "verify", "engine", "env"), v.lanes(),
                "c2 is idle throughout but is a client (domain of cl)");
        assertNull(v.rows().get(0).proc(), "Init belongs to no lane");
        assertEquals("c1", v.rows().get(1).proc());
        assertEquals("verify", v.rows().get(2).proc());
        assertEquals("env", v.rows().get(3).proc());
        assertEquals("CreateReserve", v.rows().get(1).action());
        assertEquals("ok", v.rows().get(1).outcome());
        assertEquals(List.of("name=n1"), v.rows().get(1).args());
        assertEquals(List.of(), v.rows().get(2).args(), "name=None is left out");

        List<String> names = new ArrayList<>(List.of("c10", "c2", "c1", "b"));
        names.sort(TraceView.NATURAL);
        assertEquals(List.of("b", "c1", "c2", "c10"), names);
    }

    @Test
    void aTraceWithoutStepRecordsHasOneLaneWithTheHeaderActions() throws Exception {
        String t = "{\"vars\":[\"x\"],\"states\":[{\"#meta\":{\"action\":\"Init\"},\"x\":0},"
                + "{\"#meta\":{\"action\":\"Inc\"},\"x\":1}]}";
        TraceView v = TraceView.of(parse(t));
        assertEquals(List.of(TraceView.ANY_LANE), v.lanes());
        assertEquals("Inc", v.rows().get(1).action());
        assertEquals(TraceView.ANY_LANE, v.rows().get(1).proc());
        assertEquals(List.of(new TraceView.Change("x", "x", "0", "1")), v.rows().get(1).changes());
    }

    @Test
    void changesAreTheSmallestChangedPartsBeforeAndAfterWithoutStep() throws Exception {
        TraceView v = TraceView.of(parse(trace(null, "0")));
        assertEquals(List.of(), v.rows().get(0).changes());
        assertEquals(List.of(new TraceView.Change("cl", "cl[c1].pc", "idle", "lvol"),
                new TraceView.Change("cl", "cl[c1].name", "None", "n1")), v.rows().get(1).changes());
        assertEquals(List.of(new TraceView.Change("lvols", "lvols", "{}", "{n1}")), v.rows().get(2).changes());
        assertEquals(Set.of("lvols"), v.rows().get(3).changedVars());

        List<TraceView.Change> tup = new ArrayList<>();
        TraceView.diff("t", "t", JSON.readTree("{\"#tup\":[1,{\"#set\":[\"a\"]}]}"),
                JSON.readTree("{\"#tup\":[1,{\"#set\":[\"a\",\"b\"]}]}"), tup);
        assertEquals(List.of(new TraceView.Change("t", "t[2]", "{a}", "{a, b}")), tup);
        List<TraceView.Change> domain = new ArrayList<>();
        TraceView.diff("m", "m", JSON.readTree("{\"#map\":[[\"a\",1]]}"), JSON.readTree("{\"#map\":[[\"b\",1]]}"), domain);
        assertEquals(List.of(new TraceView.Change("m", "m", "(a :> 1)", "(b :> 1)")), domain,
                "a function whose domain changed is shown whole");
    }

    @Test
    void valuesRenderInTlaNotation() throws Exception {
        assertEquals("[a |-> TRUE, b |-> <<1, \"\">>, c |-> (k :> {}), d |-> 123456789012345678901, e |-> <<>>]",
                TraceView.render(JSON.readTree("{\"a\":true,\"b\":{\"#tup\":[1,\"\"]},\"c\":{\"#map\":[[\"k\",{\"#set\":[]}]]},"
                        + "\"d\":{\"#bigint\":\"123456789012345678901\"},\"e\":{\"#tup\":[]}}")));
        assertEquals("<< >>", TraceView.render(JSON.readTree("{\"#map\":[]}")));
        assertEquals("Foo(1)", TraceView.render(JSON.readTree("{\"#unserializable\":\"Foo(1)\"}")));
    }

    @Test
    void theLoopAndItsClosingStepAreKnown() throws Exception {
        TraceView v = TraceView.of(parse(trace("2", "0")));
        assertEquals(2, v.loop());
        assertEquals("VerifyApply", v.loopAction());
        assertEquals(List.of(new TraceView.Change("lvols", "lvols", "{}", "{n1}")), v.loopChanges(),
                "last state -> state 2");
        assertFalse(v.stutters());
        String stutter = trace("3", "0").replace(",\"loopAction\":\"VerifyApply\"", "");
        assertTrue(TraceView.of(parse(stutter)).stutters());
    }

    // ------------------------------------------------------------------ pages

    @Test
    void escapesEveryValue() throws Exception {
        assertEquals("&lt;a href=&#39;x&#39;&gt;&amp;&quot;", HtmlReport.esc("<a href='x'>&\""));
        writeTrace("M", trace(null, "\"<script>alert('x')</script> & more\""));
        ModelEntry m = entry("M", "V<0>", "Inv&Co", Outcome.SAFETY);
        Path index = new HtmlReport(out, null).write(List.of(m), List.of(violated("M", "V<0>", "Inv&Co", Outcome.SAFETY, 4,
                "traces/M.itf.json")));
        String page = Files.readString(index.resolveSibling("M.html"));
        assertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"), page);
        assertFalse(page.contains("<script"), "no script element, escaped or not");
        assertTrue(page.contains("Inv&amp;Co is violated in state 3"), page);
        String idx = Files.readString(index);
        assertTrue(idx.contains("<th>V&lt;0&gt;</th>"), idx);
        assertFalse(idx.contains("<script"));
    }

    @Test
    void counterexamplePageHasLanesChangesAndTheViolatedStateMarked() throws Exception {
        writeTrace("M", trace(null, "1"));
        ModelEntry m = entry("M", "V0", "Inv", Outcome.SAFETY);
        Path index = new HtmlReport(out, null).write(List.of(m), List.of(violated("M", "V0", "Inv", Outcome.SAFETY, 4,
                "traces/M.itf.json")));
        String page = Files.readString(index.resolveSibling("M.html"));
        assertTrue(page.contains("<th data-lane=\"c1\">c1</th><th data-lane=\"c2\">c2</th><th data-lane=\"verify\">verify</th>"
                + "<th data-lane=\"engine\">engine</th><th data-lane=\"env\">env</th>"), page);
        // step 1: c1's lane is the first lane, so the action cell follows the index cell directly
        assertTrue(page.contains("<tr id=\"s1\" data-step=\"1\" data-proc=\"c1\"><td>1</td><td class=\"act\" data-lane=\"c1\">"
                + "<span class=\"action\">CreateReserve</span>"), page);
        // step 3: env is the fifth lane
        assertTrue(page.contains("data-proc=\"env\" class=\"breaks\"><td>3</td><td></td><td></td><td></td><td></td>"
                + "<td class=\"act\" data-lane=\"env\">"), page);
        assertTrue(page.contains("<li class=\"chg\" data-var=\"cl\" data-path=\"cl[c1].pc\"><code>cl[c1].pc</code>: "
                + "<span class=\"before v\">idle</span> → <span class=\"after v\">lvol</span></li>"), page);
        assertTrue(page.contains("✗ Inv is violated in state 3 (safety)"), page);
        assertEquals(1, count(page, "class=\"breaks\""), "only the last state breaks");
        assertFalse(page.contains("class=\"loop"), "no loop in a safety trace");
        assertTrue(page.contains("<a href=\"../traces/M.itf.json\">ITF trace</a><a href=\"../traces/M.steps.txt\">"), page);
        assertTrue(page.contains("<details><summary>initial state</summary>"), page);

        String idx = Files.readString(index);
        assertTrue(idx.contains("<td class=\"violated\" data-row=\"V0\" data-property=\"Inv\"><a href=\"M.html\" title=\"M\">"
                + "VIOLATED (3 steps)</a></td>"), idx);
    }

    @Test
    void aLassoMarksItsLoopAndTheStepBack() throws Exception {
        writeTrace("L", trace("2", "0"));
        ModelEntry m = entry("L", "V3", "Live", Outcome.LIVENESS);
        Path index = new HtmlReport(out, null).write(List.of(m), List.of(violated("L", "V3", "Live", Outcome.LIVENESS, 4,
                "traces/L.itf.json")));
        String page = Files.readString(index.resolveSibling("L.html"));
        assertTrue(page.contains("data-step=\"2\" data-proc=\"verify\" class=\"loop\">"), page);
        assertTrue(page.contains("data-step=\"3\" data-proc=\"env\" class=\"loop\">"), page);
        assertFalse(page.contains("data-step=\"1\" data-proc=\"c1\" class=\"loop\""), page);
        assertEquals(1, count(page, "↻ the loop starts here"));
        assertTrue(page.contains("<span class=\"action\">VerifyApply</span> leads back to state 2"), page);
        assertTrue(page.contains("✗ Live is violated: this behaviour repeats states 2..3 forever (liveness)"), page);
        assertFalse(page.contains("class=\"breaks\""), "a lasso breaks in its loop, not in a state");

        writeTrace("S", trace("3", "0").replace(",\"loopAction\":\"VerifyApply\"", ""));
        String s = new HtmlReport(out, null).counterexamplePage(entry("S", "V3", "Live", Outcome.LIVENESS),
                violated("S", "V3", "Live", Outcome.LIVENESS, 4, "traces/S.itf.json"));
        assertTrue(s.contains("stutters forever in state 3"), s);
    }

    @Test
    void aMissingOrBrokenTraceGivesAMessageNotACrash() throws Exception {
        ModelEntry a = entry("Gone", "V0", "Inv", Outcome.SAFETY);
        ModelEntry b = entry("Bad", "V1", "Inv", Outcome.SAFETY);
        ModelEntry c = entry("None", "V2", "Inv", Outcome.SAFETY);
        writeTrace("Bad", "{\"vars\": [\"x\"], \"states\": [ {\"y\": 1} ]}");
        Path index = new HtmlReport(out, null).write(List.of(a, b, c), List.of(
                violated("Gone", "V0", "Inv", Outcome.SAFETY, 4, "traces/Gone.itf.json"),
                violated("Bad", "V1", "Inv", Outcome.SAFETY, 1, "traces/Bad.itf.json"),
                violated("None", "V2", "Inv", Outcome.SAFETY, 1, null)));
        String gone = Files.readString(index.resolveSibling("Gone.html"));
        assertTrue(gone.contains("<p class=\"missing\">The counterexample trace <code>traces/Gone.itf.json</code> could not be read: "
                + "cannot read ITF trace"), gone);
        String bad = Files.readString(index.resolveSibling("Bad.html"));
        assertTrue(bad.contains("could not be read: ITF state 0 lacks variable &#39;x&#39;"), bad);
        String none = Files.readString(index.resolveSibling("None.html"));
        assertTrue(none.contains("TLC reported no counterexample trace"), none);
        assertFalse(gone.contains("<table class=\"lanes\">"));
    }

    @Test
    void sameInputsGiveTheSameBytesAndStalePagesGo() throws Exception {
        writeTrace("M", trace("2", "0"));
        ModelEntry m = entry("M", "V3", "Live", Outcome.LIVENESS);
        List<ModelResult> r = List.of(violated("M", "V3", "Live", Outcome.LIVENESS, 4, "traces/M.itf.json"));
        Path readme = Files.writeString(out.resolve("README.md"), "# r\n");
        Files.createDirectories(out.resolve("report"));
        Files.writeString(out.resolve("report/Old.html"), "stale");
        Path index = new HtmlReport(out, readme).write(List.of(m), r);
        assertFalse(Files.exists(out.resolve("report/Old.html")));
        byte[] page1 = Files.readAllBytes(index.resolveSibling("M.html"));
        byte[] index1 = Files.readAllBytes(index);
        new HtmlReport(out, readme).write(List.of(m), r);
        assertArrayEquals(page1, Files.readAllBytes(index.resolveSibling("M.html")));
        assertArrayEquals(index1, Files.readAllBytes(index));
        String page = new String(page1, StandardCharsets.UTF_8);
        assertTrue(page.contains("<a href=\"../README.md#1-spec--java-counterexample-replay-counterexamplereplaytest\">"), page);
        assertFalse(page.contains(out.toString()), "no absolute paths");
        assertFalse(page.matches("(?s).*(https?:)?//[a-z].*"), "no external resource");
    }

    private static int count(String s, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
