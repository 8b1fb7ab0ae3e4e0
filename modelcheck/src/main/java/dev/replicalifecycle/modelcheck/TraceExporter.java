package dev.replicalifecycle.modelcheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import dev.replicalifecycle.modelcheck.itf.ItfValues;
import dev.replicalifecycle.modelcheck.itf.TlaValue;
import dev.replicalifecycle.modelcheck.itf.TlaValueParseException;
import dev.replicalifecycle.modelcheck.itf.TlaValueParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a TLC counterexample into {@code <model>.itf.json} and a readable
 * {@code <model>.steps.txt}.
 *
 * <p>The step list has one line per state: index, action and, if the spec has a variable
 * {@value #STEP_VAR} holding a record with an {@code action} field, the record's other fields as
 * {@code key=value}; otherwise the action named in TLC's state header. The state the lasso
 * loops back to is marked, and a last line says where the loop goes. A value TLC prints in a
 * form {@link TlaValueParser} does not read is kept as {@code {"#unserializable": text}}.
 * Stateless and thread-safe.
 */
final class TraceExporter {

    /** The variable the spec uses to record the last step, e.g. {@code [action |-> "Create", name |-> n1]}. */
    static final String STEP_VAR = "step";

    private TraceExporter() {
    }

    /**
     * Builds the ITF trace of a report's counterexample.
     *
     * @param model  the manifest entry (for metadata)
     * @param report the report; must have a non-empty trace
     * @return the trace
     */
    static ItfTrace toItf(ModelEntry model, TlcReport report) {
        List<TlcReport.TraceState> states = report.trace();
        List<String> vars = new ArrayList<>(states.get(0).values().keySet());
        List<Map<String, JsonNode>> values = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        for (TlcReport.TraceState s : states) {
            Map<String, JsonNode> v = new LinkedHashMap<>();
            s.values().forEach((name, text) -> v.put(name, encode(text)));
            values.add(v);
            actions.add(s.action());
        }
        Outcome actual = report.outcome();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", model.config());
        meta.put("description", description(model, actual));
        meta.put("model", model.model());
        meta.put("module", model.module());
        meta.put("variant", model.variant());
        meta.put("mutant", model.mutant());
        meta.put("property", actual.property());
        meta.put("kind", actual.kind());
        meta.put("result", actual.result());
        if (report.loopAction() != null) {
            meta.put("loopAction", report.loopAction());
        }
        return ItfTrace.of(meta, vars, values, actions, report.loopIndex());
    }

    private static String description(ModelEntry model, Outcome actual) {
        String what = actual.violated()
                ? "violates " + (actual.property() == null ? actual.kind() : actual.property() + " (" + actual.kind() + ")")
                : "fails with a TLC error";
        return "TLC counterexample: model " + model.model() + " (" + model.module() + ", " + model.config() + ") " + what;
    }

    private static JsonNode encode(String text) {
        try {
            return ItfValues.encode(TlaValueParser.parse(text));
        } catch (TlaValueParseException e) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("#unserializable", text);
            return o;
        }
    }

    /**
     * The readable step list, one line per state (see the class comment).
     *
     * @param report the report; must have a non-empty trace
     * @return the lines
     */
    static List<String> steps(TlcReport report) {
        List<TlcReport.TraceState> states = report.trace();
        List<String> lines = new ArrayList<>();
        int width = String.valueOf(states.size() - 1).length();
        for (int i = 0; i < states.size(); i++) {
            StringBuilder line = new StringBuilder(pad(String.valueOf(i), width)).append("  ").append(describe(states.get(i)));
            if (report.loopIndex() != null && report.loopIndex() == i) {
                line.append("    <- loop starts here");
            }
            lines.add(line.toString());
        }
        if (report.loopIndex() != null) {
            String back = report.stuttering() && report.loopIndex() == states.size() - 1
                    ? "stutters forever in state " + report.loopIndex()
                    : (report.loopAction() == null ? "" : report.loopAction() + " ")
                            + "loops back to state " + report.loopIndex();
            lines.add(pad("", width) + "  (" + back + ")");
        }
        return lines;
    }

    static String describe(TlcReport.TraceState state) {
        String stepText = state.values().get(STEP_VAR);
        if (stepText != null) {
            try {
                TlaValue v = TlaValueParser.parse(stepText);
                if (v instanceof TlaValue.RecordValue r && r.get("action") != null) {
                    StringBuilder sb = new StringBuilder(plain(r.get("action")));
                    String sep = "  ";
                    for (Map.Entry<String, TlaValue> f : r.fields().entrySet()) {
                        if (!f.getKey().equals("action")) {
                            sb.append(sep).append(f.getKey()).append('=').append(plain(f.getValue()));
                            sep = " ";
                        }
                    }
                    return sb.toString();
                }
            } catch (TlaValueParseException e) {
                // fall back to the header's action name
            }
        }
        return state.action();
    }

    private static String plain(TlaValue v) {
        return v instanceof TlaValue.StringValue s ? s.value() : v.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    /**
     * Writes both files.
     *
     * @param dir    target directory (created if needed)
     * @param model  the manifest entry
     * @param report the report; must have a non-empty trace
     * @return the ITF file
     */
    static Path write(Path dir, ModelEntry model, TlcReport report) {
        Path itf = dir.resolve(model.model() + ".itf.json");
        toItf(model, report).write(itf);
        try {
            Files.write(dir.resolve(model.model() + ".steps.txt"), steps(report));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return itf;
    }
}
