package dev.replicalifecycle.modelcheck;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One row of {@code verdicts.json}: what a model was expected to give, what TLC gave, and
 * whether they match. Immutable.
 *
 * @param model                  model id
 * @param variant                V0..V4
 * @param mutant                 mutant guard name, or null
 * @param size                   small or deep
 * @param expected               expected outcome
 * @param actual                 TLC's outcome
 * @param matches                result, property and kind agree, and for success also the counts
 * @param mismatches             why not, one reason per entry (empty when matching)
 * @param expectedDistinctStates the manifest's distinctStates, or null
 * @param expectedDepth          the manifest's depth, or null
 * @param distinctStates         distinct states TLC found, or null if it printed none
 * @param statesGenerated        states TLC generated, or null
 * @param depth                  search depth TLC reported, or null
 * @param seconds                wall-clock seconds of the TLC run
 * @param traceLength            states in the counterexample, or null if there is none
 * @param trace                  ITF file relative to the output directory, or null
 */
@JsonPropertyOrder({"model", "variant", "mutant", "size", "expected", "actual", "matches", "mismatches",
        "expectedDistinctStates", "expectedDepth", "distinctStates", "statesGenerated", "depth", "seconds",
        "traceLength", "trace"})
record ModelResult(String model, String variant, String mutant, String size, Outcome expected, Outcome actual,
                   boolean matches, List<String> mismatches, Long expectedDistinctStates, Integer expectedDepth,
                   Long distinctStates, Long statesGenerated, Integer depth, double seconds, Integer traceLength,
                   String trace) {

    ModelResult {
        mismatches = List.copyOf(mismatches);
    }

    /** @return steps (transitions) in the counterexample, or null */
    Integer steps() {
        return traceLength == null ? null : traceLength - 1;
    }

    /**
     * Compares TLC's answer with the manifest. For violations the kind must agree and the
     * property too (a deadlock expectation may leave the property out); for success the
     * distinct-state count must be exactly the manifest's, and so must the depth when TLC ran
     * with one worker. With several workers TLC's reported depth depends on scheduling (a
     * state can be labelled with a longer path than its shortest one; tlaplus/tlaplus#883),
     * so it is then only checked to be at least the manifest's, which is the one-worker
     * figure. Counts of violating runs are not compared: they depend on scheduling too.
     *
     * @return the reasons they differ; empty if they match
     */
    static List<String> compare(ModelEntry m, TlcReport r) {
        List<String> out = new ArrayList<>();
        Outcome e = m.expected();
        Outcome a = r.outcome();
        if (!Objects.equals(e.result(), a.result())) {
            out.add("expected " + e.brief() + " but TLC gave " + a.brief());
            return out;
        }
        if (a.violated()) {
            if (!Objects.equals(e.kind(), a.kind())) {
                out.add("expected a " + e.kind() + " violation but TLC found a " + a.kind() + " violation");
            }
            boolean deadlockAnyName = Outcome.DEADLOCK.equals(e.kind())
                    && (e.property() == null || TlcConfig.DEADLOCK_PROPERTY.equals(e.property()));
            if (!deadlockAnyName && !Objects.equals(e.property(), a.property())) {
                out.add("expected " + e.property() + " to be violated but TLC reported "
                        + (a.property() == null ? "an unnamed property (one PROPERTY per liveness model, please)"
                        : a.property()));
            }
        }
        if (a.succeeded()) {
            if (!Objects.equals(m.distinctStates(), r.distinctStates())) {
                out.add("expected " + m.distinctStates() + " distinct states but TLC found " + r.distinctStates());
            }
            boolean oneWorker = Integer.valueOf(1).equals(r.workers());
            boolean distributed = Integer.valueOf(TlcReport.DISTRIBUTED_WORKERS).equals(r.workers());
            // distributed TLC is no strict BFS: its depth can come out below or above the exact one
            if (distributed) {
                return out;
            }
            if (oneWorker ? !Objects.equals(m.depth(), r.depth())
                    : r.depth() == null || m.depth() == null || r.depth() < m.depth()) {
                out.add("expected depth " + m.depth() + (oneWorker ? "" : " or more (" + r.workers() + " workers)")
                        + " but TLC reached " + r.depth());
            }
        }
        return out;
    }
}
