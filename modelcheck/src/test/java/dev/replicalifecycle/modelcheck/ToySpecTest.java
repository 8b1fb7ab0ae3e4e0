package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the real TLC, through the launcher, on the toy specs in src/test/resources/toyspec and
 * checks verdicts, counts, traces and the files written.
 */
class ToySpecTest {

    private static final Path OUT = TestPaths.outDir().resolve("toyspec-run");
    private static final Map<String, ModelResult> RESULTS = new LinkedHashMap<>();
    private static Manifest manifest;
    private static String log;

    @BeforeAll
    static void runToyManifest() {
        manifest = Manifest.load(TestPaths.toySpecDir().resolve("manifest.json"));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        ModelChecker checker = new ModelChecker(TestPaths.toySpecDir(), OUT,
                new TlcLauncher("1", Duration.ofMinutes(5)), 2, ps, Duration.ofSeconds(10));
        List<ModelResult> results = checker.run(manifest.models());
        checker.writeVerdicts(results);
        results.forEach(r -> RESULTS.put(r.model(), r));
        log = buf.toString(StandardCharsets.UTF_8);
        System.out.print(log);
    }

    private static ItfTrace trace(String model) {
        ModelResult r = RESULTS.get(model);
        assertNotNull(r.trace(), model + " has no trace");
        return ItfTrace.read(OUT.resolve(r.trace()));
    }

    private static List<String> steps(String model) throws Exception {
        return Files.readAllLines(OUT.resolve("traces").resolve(model + ".steps.txt"));
    }

    @Test
    void everyToyModelMatchesItsManifestEntry() {
        assertEquals(8, RESULTS.size());
        for (ModelResult r : RESULTS.values()) {
            assertTrue(r.matches(), r.model() + ": " + r.mismatches() + " actual " + r.actual());
        }
        assertTrue(log.contains("[8/8]"), log);
    }

    @Test
    void successCountsAndDepth() {
        ModelResult r = RESULTS.get("Counter_Success");
        assertEquals(Outcome.success(), r.actual());
        assertEquals(13L, r.distinctStates());
        assertEquals(15L, r.statesGenerated());
        assertEquals(4, r.depth());
        assertNull(r.trace());
        assertNull(r.traceLength());
        ModelResult view = RESULTS.get("Counter_View");
        assertEquals(10L, view.distinctStates(), "VIEW NoStep folds states that differ only in step");
        assertEquals(4, view.depth());
        ModelResult live = RESULTS.get("Cycle_Holds");
        assertEquals(10L, live.distinctStates());
        assertEquals(5, live.depth());
    }

    @Test
    void safetyCounterexampleAsItf() throws Exception {
        ModelResult r = RESULTS.get("Counter_Safety");
        assertEquals(Outcome.violation("Small", "safety"), r.actual());
        assertEquals(3, r.traceLength());
        assertEquals("traces/Counter_Safety.itf.json", r.trace());
        ItfTrace t = trace("Counter_Safety");
        assertEquals(List.of("hits", "seen", "step", "x"), t.vars().stream().sorted().toList());
        assertEquals("Counter_Safety.cfg", t.meta("source"));
        assertEquals("Counter_Safety", t.meta("model"));
        assertEquals("V0", t.meta("variant"));
        assertEquals("Small", t.meta("property"));
        assertEquals("safety", t.meta("kind"));
        assertNull(t.loop());
        assertEquals("Init", t.action(0));
        assertEquals("Inc", t.action(2));
        assertEquals(0L, t.value(0, "x"));
        assertEquals(2L, t.value(2, "x"));
        assertEquals(Map.of("p1", 0L, "p2", 0L), t.value(0, "hits"));
        Map<?, ?> hits = (Map<?, ?>) t.value(2, "hits");
        assertEquals(2L, (Long) hits.get("p1") + (Long) hits.get("p2"));
        assertEquals(java.util.Set.of(), t.value(0, "seen"));
        Map<?, ?> step = (Map<?, ?>) t.value(2, "step");
        assertEquals("Inc", step.get("action"));
        assertEquals(1L, step.get("n"));
        assertEquals("a \"quoted\" word", step.get("note"));
        assertTrue(step.get("proc").equals("p1") || step.get("proc").equals("p2"));
        List<String> steps = steps("Counter_Safety");
        assertEquals(3, steps.size());
        assertEquals("0  Init", steps.get(0));
        assertTrue(steps.get(2).matches("2  Inc  proc=p[12] n=1 note=a \"quoted\" word"), steps.get(2));
    }

    @Test
    void initialStateViolation() {
        ModelResult r = RESULTS.get("Counter_Initial");
        assertEquals(Outcome.violation("Positive", "safety"), r.actual());
        assertEquals(1, r.traceLength());
        assertEquals(1, trace("Counter_Initial").size());
    }

    @Test
    void deadlock() throws Exception {
        ModelResult r = RESULTS.get("Counter_Deadlock");
        assertEquals(Outcome.violation(null, "deadlock"), r.actual());
        assertEquals(4, r.traceLength());
        assertEquals(3L, trace("Counter_Deadlock").value(3, "x"));
        assertEquals(4, steps("Counter_Deadlock").size());
    }

    @Test
    void livenessLasso() throws Exception {
        ModelResult r = RESULTS.get("Cycle_Lasso");
        assertEquals(Outcome.violation("SettlesAtZero", "liveness"), r.actual());
        ItfTrace t = trace("Cycle_Lasso");
        assertNotNull(t.loop());
        int last = t.size() - 1;
        assertTrue(t.loop() < last, "a cycle of A needs more than one state");
        // the successor of the last state under A is the loop state
        assertEquals(((Long) t.value(last, "x") + 1) % 3, t.value(t.loop(), "x"));
        assertEquals(t.value(last, "y"), t.value(t.loop(), "y"));
        assertEquals("A", t.action(t.loop()).equals("Init") ? "A" : t.action(t.loop()));
        JsonNode json = new ObjectMapper().readTree(OUT.resolve(r.trace()).toFile());
        assertEquals(t.loop().intValue(), json.get("loop").asInt());
        List<String> steps = steps("Cycle_Lasso");
        assertTrue(steps.get(t.loop()).endsWith("<- loop starts here"), steps.toString());
        assertTrue(steps.get(steps.size() - 1).contains("loops back to state " + t.loop()), steps.toString());
    }

    @Test
    void livenessStuttering() throws Exception {
        ModelResult r = RESULTS.get("Cycle_Stutter");
        assertEquals(Outcome.violation("ReachesOne", "liveness"), r.actual());
        ItfTrace t = trace("Cycle_Stutter");
        assertEquals(t.size() - 1, t.loop());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(0L, t.value(i, "x"), "x never reaches 1");
        }
        assertTrue(steps("Cycle_Stutter").get(t.size()).contains("stutters forever"));
    }

    @Test
    void verdictsFile() throws Exception {
        JsonNode root = new ObjectMapper().readTree(OUT.resolve("verdicts.json").toFile());
        assertTrue(root.get("allMatch").asBoolean());
        JsonNode models = root.get("models");
        assertEquals(8, models.size());
        JsonNode safety = models.get(1);
        assertEquals("Counter_Safety", safety.get("model").asText());
        assertEquals("V0", safety.get("variant").asText());
        assertTrue(safety.get("mutant").isNull());
        assertEquals("violation", safety.get("expected").get("result").asText());
        assertEquals("Small", safety.get("actual").get("property").asText());
        assertTrue(safety.get("matches").asBoolean());
        assertEquals(3, safety.get("traceLength").asInt());
        assertEquals("traces/Counter_Safety.itf.json", safety.get("trace").asText());
        assertTrue(safety.get("seconds").asDouble() > 0);
        JsonNode success = models.get(0);
        assertTrue(success.get("traceLength").isNull());
        assertTrue(success.get("trace").isNull());
        assertEquals(13, success.get("distinctStates").asLong());
        assertEquals(4, success.get("depth").asInt());
        assertEquals("NoGuard", models.get(6).get("mutant").asText());
        assertTrue(Files.isRegularFile(OUT.resolve("tlc/Counter_Safety/tlc.out")));
        assertFalse(Files.exists(OUT.resolve("tlc/Counter_Safety/states")), "metadir is removed after the run");
    }

    @Test
    void matrixAndTable() {
        String matrix = ReportPrinter.matrix(manifest.models(), List.copyOf(RESULTS.values()));
        System.out.print(matrix);
        List<String> lines = matrix.lines().toList();
        assertTrue(lines.get(0).matches("variant\\s+TypeOK\\s+Small\\s+Positive\\s+Deadlock\\s+SettlesAtZero\\s+ReachesOne\\s+VisitsZero"),
                lines.get(0));
        assertTrue(lines.get(2).startsWith("V0 "), matrix);
        assertTrue(lines.get(2).contains("VIOLATED (2 steps)"), matrix);
        assertTrue(lines.get(2).contains("?"), "TypeOK is not established when Small fails first: " + matrix);
        assertTrue(lines.get(4).startsWith("V2 ") && lines.get(4).contains("VIOLATED (3 steps)"), matrix);
        assertTrue(lines.get(6).startsWith("V4 ") && lines.get(6).contains("holds"), matrix);
        assertTrue(lines.get(7).startsWith("V4-NoGuard ") && lines.get(7).contains("holds"), matrix);
        assertTrue(lines.get(3).contains("·"), matrix);
        String table = ReportPrinter.table(List.copyOf(RESULTS.values()));
        assertTrue(table.contains("8 of 8 models match the manifest"), table);
    }

    private static ModelEntry adHoc(String id, String module, String cfg, List<String> properties) {
        return new ModelEntry(id, module, cfg, "V4", null, null, "small", properties, Outcome.success(), 1L, 1, null);
    }

    @Test
    void tlcErrorsAreReportedWithTlcsMessage() {
        ModelChecker checker = new ModelChecker(TestPaths.toySpecDir(), OUT, new TlcLauncher("1", Duration.ofMinutes(5)),
                1, System.out, Duration.ofSeconds(10));
        ModelResult parse = checker.check(adHoc("Broken", "Broken", "Broken.cfg", List.of("Deadlock")));
        assertTrue(parse.actual().failed());
        assertFalse(parse.matches());
        assertTrue(parse.actual().message().contains("Unknown operator: `Undefined'."), parse.actual().message());
        assertFalse(parse.actual().message().contains("\tat "), parse.actual().message());

        ModelResult type = checker.check(adHoc("TypeError", "TypeError", "TypeError.cfg", List.of("Deadlock")));
        assertTrue(type.actual().failed());
        assertTrue(type.actual().message().contains("Attempted to check equality of the set {1} with the value:"),
                type.actual().message());
        assertEquals(2, type.traceLength(), "the trace up to the error is kept");

        ModelResult unchecked = checker.check(adHoc("Unchecked", "Counter", "Counter_Success.cfg", List.of("Nope")));
        assertTrue(unchecked.actual().message().contains("manifest lists [Nope] but Counter_Success.cfg checks none"),
                unchecked.actual().message());
        ModelResult missing = checker.check(adHoc("Missing", "Counter", "NoSuch.cfg", List.of("TypeOK")));
        assertTrue(missing.actual().message().contains("NoSuch.cfg does not exist"), missing.actual().message());
    }

    @Test
    void timeoutKillsTheChild() {
        TlcLauncher launcher = new TlcLauncher("1", Duration.ofSeconds(4));
        TlcLauncher.TlcRun run = launcher.run(TestPaths.toySpecDir(), "Forever", "Forever.cfg",
                OUT.resolve("tlc/Forever"), line -> { });
        assertTrue(run.timedOut());
        assertTrue(run.seconds() < 60, "killed promptly: " + run.seconds());
        ModelChecker checker = new ModelChecker(TestPaths.toySpecDir(), OUT, launcher, 1, System.out, Duration.ofSeconds(1));
        ModelResult r = checker.check(adHoc("Forever", "Forever", "Forever.cfg", List.of("Deadlock")));
        assertTrue(r.actual().message().startsWith("TLC timed out after"), r.actual().message());
    }
}
