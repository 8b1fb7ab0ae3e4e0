package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TLC 2.18 output captured from real runs (src/test/resources/tlcout), analysed without running TLC. */
class TlcReportTest {

    static String resource(String name) {
        try (InputStream in = TlcReportTest.class.getResourceAsStream("/tlcout/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing test resource " + name, e);
        }
    }

    static TlcReport analyze(String name, int exit, String cfg) {
        return TlcReport.analyze(TlcOutput.parse(resource(name)), exit, TlcConfig.parse(cfg), "");
    }

    @Test
    void framing() {
        TlcOutput out = TlcOutput.parse("junk\n@!@!@STARTMSG 2262:0 @!@!@\nTLC2 Version 2.18\n@!@!@ENDMSG 2262 @!@!@\n"
                + "outside\n@!@!@STARTMSG 1000:1 @!@!@\nouter\n@!@!@STARTMSG 2103:1 @!@!@\ninner\n"
                + "@!@!@ENDMSG 2103 @!@!@\n@!@!@ENDMSG 1000 @!@!@trailing\n@!@!@STARTMSG 2200:0 @!@!@\ncut off");
        assertEquals(List.of("junk", "outside", "trailing"), out.unframed());
        assertEquals(4, out.messages().size());
        assertEquals(new TlcOutput.TlcMessage(2262, 0, "TLC2 Version 2.18"), out.messages().get(0));
        assertEquals(new TlcOutput.TlcMessage(2103, 1, "inner"), out.messages().get(1));
        assertEquals(1000, out.messages().get(2).code());
        assertEquals("outer", out.messages().get(2).text());
        assertEquals(new TlcOutput.TlcMessage(2200, 0, "cut off"), out.messages().get(3));
    }

    @Test
    void safetyViolationWithTrace() {
        TlcReport r = analyze("safety-multivar.out", 12, "INVARIANT Small");
        assertEquals(Outcome.violation("Small", "safety"), r.outcome());
        assertEquals(12L, r.statesGenerated());
        assertEquals(10L, r.distinctStates());
        assertEquals(3L, r.queue());
        assertEquals(5, r.depth());
        assertEquals(5, r.trace().size());
        assertNull(r.loopIndex());
        assertEquals("Init", r.trace().get(0).action());
        assertEquals("Inc", r.trace().get(1).action());
        assertEquals(List.of("f", "q", "r", "s", "step", "x"), List.copyOf(r.trace().get(0).values().keySet()));
        assertEquals("(p1 :> -3 @@ p2 :> 0)", r.trace().get(4).values().get("q"));
        assertEquals("[a |-> 1, b |-> \"x\\\"y\\\\z\"]", r.trace().get(4).values().get("r"));
        assertEquals(List.of("0  Init", "1  Inc  proc=p1 n=0", "2  Inc  proc=p1 n=1", "3  Inc  proc=p1 n=2",
                "4  Inc  proc=p1 n=3"), TraceExporter.steps(r));
    }

    @Test
    void initialStateViolationWithMultiLineValues() {
        TlcReport r = analyze("initial-violation-multiline.out", 12, "INVARIANT Inv");
        assertEquals(Outcome.violation("Inv", "safety"), r.outcome());
        assertEquals(1, r.trace().size());
        assertEquals("Init", r.trace().get(0).action());
        String b = r.trace().get(0).values().get("b");
        assertTrue(b.startsWith("( p1 :>\n") && b.endsWith("] )"), b);
        assertEquals("<< >>", r.trace().get(0).values().get("a"));
        assertEquals(8, r.trace().get(0).values().size());
        assertNull(r.distinctStates());
    }

    @Test
    void livenessLasso() {
        TlcReport r = analyze("liveness-lasso.out", 13, "SPECIFICATION Spec\nPROPERTY YDone");
        assertEquals(Outcome.violation("YDone", "liveness"), r.outcome());
        assertEquals(5, r.trace().size());
        assertEquals(2, r.loopIndex());
        assertFalse(r.stuttering());
        assertEquals(9L, r.distinctStates());
        List<String> steps = TraceExporter.steps(r);
        assertEquals(6, steps.size());
        assertTrue(steps.get(2).endsWith("<- loop starts here"), steps.get(2));
        assertEquals("   (A loops back to state 2)", steps.get(5));
        assertEquals("A", r.loopAction());
    }

    @Test
    void temporalPropertyIsUnnamedWhenTheConfigHasSeveral() {
        TlcReport r = analyze("liveness-lasso.out", 13, "SPECIFICATION Spec\nPROPERTIES YDone Other");
        assertEquals(Outcome.violation(null, "liveness"), r.outcome());
    }

    @Test
    void livenessStuttering() {
        TlcReport r = analyze("liveness-stuttering.out", 13, "SPECIFICATION Spec\nPROPERTY Reach");
        assertEquals(Outcome.violation("Reach", "liveness"), r.outcome());
        assertEquals(4, r.trace().size());
        assertTrue(r.stuttering());
        assertEquals(3, r.loopIndex());
        assertEquals("x = 3".substring(4), r.trace().get(3).values().get("x"));
        List<String> steps = TraceExporter.steps(r);
        assertEquals("   (stutters forever in state 3)", steps.get(steps.size() - 1));
    }

    @Test
    void deadlock() {
        TlcReport r = analyze("deadlock.out", 11, "INIT Init NEXT Next");
        assertEquals(Outcome.violation(null, "deadlock"), r.outcome());
        assertEquals(4, r.trace().size());
        assertEquals("3", r.trace().get(3).values().get("x"));
        assertEquals("Next", r.trace().get(3).action());
        assertEquals(List.of("0  Init", "1  Next", "2  Next", "3  Next"), TraceExporter.steps(r));
    }

    @Test
    void success() {
        TlcReport r = analyze("success-big.out", 0, "INIT Init NEXT Next");
        assertEquals(Outcome.success(), r.outcome());
        assertEquals(270196L, r.statesGenerated());
        assertEquals(70535L, r.distinctStates());
        assertEquals(0L, r.queue());
        assertEquals(47, r.depth());
        assertEquals(2, r.workers());
        assertTrue(r.trace().isEmpty());
        TlcReport l = analyze("liveness-success.out", 0, "PROPERTY Inf");
        assertEquals(Outcome.success(), l.outcome());
        assertEquals(9L, l.distinctStates());
        assertEquals(5, l.depth());
    }

    @Test
    void semanticErrorShowsSanysMessage() {
        TlcReport r = analyze("parse-error.out", 150, "INIT Init NEXT Next");
        assertTrue(r.outcome().failed());
        String msg = r.outcome().message();
        assertTrue(msg.contains("Unknown operator: `Undefined'."), msg);
        assertTrue(msg.contains("line 5, col 14 to line 5, col 22 of module Broken"), msg);
        assertTrue(msg.contains("Parsing or semantic analysis failed."), msg);
        assertFalse(msg.contains("Parsing file"), msg);
    }

    @Test
    void syntaxErrorShowsSanysMessageWithoutJavaNames() {
        TlcReport r = analyze("syntax-error.out", 150, "INIT Init NEXT Next");
        String msg = r.outcome().message();
        assertTrue(msg.contains("Encountered \"====\" at line 5, column 1"), msg);
        assertFalse(msg.contains("tla2sany.semantic.AbortException"), msg);
    }

    @Test
    void runtimeErrorShowsTlcsMessageAndKeepsTheTrace() {
        TlcReport r = analyze("runtime-error.out", 75, "INIT Init NEXT Next");
        String msg = r.outcome().message();
        assertTrue(r.outcome().failed());
        assertTrue(msg.contains("Attempted to check equality of the set {1} with the value:"), msg);
        assertTrue(msg.contains("Line 6, column 9 to line 6, column 41 in TypeError"), msg);
        assertEquals(2, r.trace().size());
    }

    @Test
    void otherFailures() {
        assertTrue(analyze("assumption.out", 10, "").outcome().message()
                .contains("Assumption line 4, col 8 to line 4, col 12 of module Dead is false."));
        assertTrue(analyze("undefined-invariant.out", 151, "").outcome().message()
                .contains("The invariant Nope specified in the configuration file\nis not defined in the specification."));
        TlcReport r = TlcReport.analyze(TlcOutput.parse(""), 1, TlcConfig.parse(""),
                "Exception in thread \"main\" util.Assert$TLCRuntimeException: disk full\n\tat util.Assert.check(Assert.java:91)\n");
        assertTrue(r.outcome().message().contains("disk full"), r.outcome().message());
        assertFalse(r.outcome().message().contains("Assert.java"), r.outcome().message());
        // a violation exit code without a recognisable message is an error, not a verdict
        assertTrue(TlcReport.analyze(TlcOutput.parse(""), 12, null, "").outcome().failed());
        assertTrue(TlcReport.analyze(TlcOutput.parse(""), 143, null, "").outcome().message()
                .startsWith("TLC was killed by signal 15"));
        // exit 0 without the success message too
        assertTrue(TlcReport.analyze(TlcOutput.parse(""), 0, null, "").outcome().failed());
    }

    @Test
    void actionNames() {
        assertEquals("Init", TlcReport.actionName("Initial predicate"));
        assertEquals("CreateReserve", TlcReport.actionName("CreateReserve line 120, col 3 to line 130, col 40 of module ReplicaLifecycle"));
        assertEquals("Inc", TlcReport.actionName("Inc(p) line 8, col 11 to line 9, col 94 of module Counter"));
        assertEquals("Action", TlcReport.actionName("Action"));
    }

    @Test
    void singleVariableStatesHaveNoConjunctionPrefix() {
        assertEquals(java.util.Map.of("x", "[a |-> 1,\n b |-> 2]"), TlcReport.assignments("x = [a |-> 1,\n b |-> 2]\n\n"));
    }

    private static TlcReport finished(long distinct, int depth, int workers) {
        return new TlcReport(0, Outcome.success(), distinct, distinct, 0L, depth, List.of(), null, false, null,
                workers);
    }

    @Test
    void depthIsExactWithOneWorkerAndALowerBoundWithSeveral() {
        ModelEntry m = new ModelEntry("M", "MC", "MC.cfg", "V4", null, null, "small", List.of("TypeOK"),
                Outcome.success(), 100L, 10, null);
        assertTrue(ModelResult.compare(m, finished(100, 10, 1)).isEmpty());
        assertEquals(List.of("expected depth 10 but TLC reached 11"), ModelResult.compare(m, finished(100, 11, 1)));
        // tlaplus/tlaplus#883: with several workers a state may carry a longer path than its shortest
        assertTrue(ModelResult.compare(m, finished(100, 11, 2)).isEmpty());
        assertEquals(List.of("expected depth 10 or more (2 workers) but TLC reached 9"),
                ModelResult.compare(m, finished(100, 9, 2)));
        assertEquals(List.of("expected 100 distinct states but TLC found 99"),
                ModelResult.compare(m, finished(99, 11, 2)));
    }
}
