package dev.replicalifecycle.modelcheck.itf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One trace in the Informal Trace Format (ITF) of Apalache
 * (<a href="https://apalache-mc.org/docs/adr/015adr-trace.html">ADR-015</a>), as written by the
 * model checking run for every counterexample and read back by replay tests.
 *
 * <p>Layout: {@code {"#meta": {...}, "vars": [...], "states": [{"#meta": {"index": i,
 * "action": "A"}, "v": value, ...}], "loop": k}}. {@code loop} is present only for lassos
 * (liveness counterexamples): the successor of the last state is state {@code loop}; for a
 * trace that ends in stuttering, {@code loop} is the index of the last state. Values are
 * decoded as {@link ItfValues#decode(JsonNode)} describes.
 *
 * <p>Typical use: {@code ItfTrace t = ItfTrace.read(path); for (int i = 0; i < t.size(); i++)
 * { String action = t.action(i); Map<?, ?> replicas = (Map<?, ?>) t.value(i, "replicas"); }}
 *
 * <p>Immutable after construction (the JSON is deep-copied in and out) and thread-safe.
 */
public final class ItfTrace {

    /** The {@code format-description} every ITF file carries. */
    public static final String FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode meta;
    private final List<String> vars;
    private final List<ObjectNode> states;
    private final Integer loop;

    private ItfTrace(ObjectNode meta, List<String> vars, List<ObjectNode> states, Integer loop) {
        this.meta = meta;
        this.vars = List.copyOf(vars);
        this.states = List.copyOf(states);
        this.loop = loop;
    }

    /**
     * Builds a trace from its parts.
     *
     * @param meta   the top-level {@code #meta} entries (string values; nulls are left out)
     * @param vars   variable names, in order
     * @param states per state: variable name to ITF value; every state must have every variable
     * @param actions per state: the action that produced it (state 0: the initial predicate), or null
     * @param loop   index the last state loops back to, or null for a finite trace
     * @return the trace
     * @throws IllegalArgumentException if sizes or variables disagree
     */
    public static ItfTrace of(Map<String, String> meta, List<String> vars, List<Map<String, JsonNode>> states,
                              List<String> actions, Integer loop) {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("format", "ITF");
        m.put("format-description", FORMAT_DESCRIPTION);
        meta.forEach((k, v) -> {
            if (v != null) {
                m.put(k, v);
            }
        });
        if (actions.size() != states.size()) {
            throw new IllegalArgumentException("one action per state needed");
        }
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            ObjectNode s = MAPPER.createObjectNode();
            ObjectNode sm = s.putObject("#meta");
            sm.put("index", i);
            if (actions.get(i) != null) {
                sm.put("action", actions.get(i));
            }
            for (String v : vars) {
                JsonNode value = states.get(i).get(v);
                if (value == null) {
                    throw new IllegalArgumentException("state " + i + " has no value for variable '" + v + "'");
                }
                s.set(v, value.deepCopy());
            }
            out.add(s);
        }
        return validated(m, vars, out, loop);
    }

    /**
     * Reads an ITF file.
     *
     * @param file the {@code .itf.json} file
     * @return the trace
     * @throws UncheckedIOException if the file cannot be read or is not JSON
     * @throws IllegalArgumentException if it is JSON but not an ITF trace
     */
    public static ItfTrace read(Path file) {
        try {
            return fromJson(MAPPER.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ITF trace " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Interprets a parsed JSON document as an ITF trace.
     *
     * @param json the document
     * @return the trace
     * @throws IllegalArgumentException if it is not an ITF trace
     */
    public static ItfTrace fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("ITF trace must be a JSON object");
        }
        JsonNode m = json.get("#meta");
        ObjectNode meta = m != null && m.isObject() ? ((ObjectNode) m).deepCopy() : MAPPER.createObjectNode();
        JsonNode v = json.get("vars");
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("ITF trace needs a \"vars\" array");
        }
        List<String> vars = new ArrayList<>();
        v.forEach(n -> vars.add(n.asText()));
        JsonNode s = json.get("states");
        if (s == null || !s.isArray()) {
            throw new IllegalArgumentException("ITF trace needs a \"states\" array");
        }
        List<ObjectNode> states = new ArrayList<>();
        for (JsonNode n : s) {
            if (!n.isObject()) {
                throw new IllegalArgumentException("ITF state must be an object: " + n);
            }
            states.add(((ObjectNode) n).deepCopy());
        }
        JsonNode l = json.get("loop");
        Integer loop = l == null || l.isNull() ? null : l.asInt();
        return validated(meta, vars, states, loop);
    }

    private static ItfTrace validated(ObjectNode meta, List<String> vars, List<ObjectNode> states, Integer loop) {
        for (int i = 0; i < states.size(); i++) {
            for (String var : vars) {
                if (!states.get(i).has(var)) {
                    throw new IllegalArgumentException("ITF state " + i + " lacks variable '" + var + "'");
                }
            }
        }
        if (loop != null && (loop < 0 || loop >= states.size())) {
            throw new IllegalArgumentException("ITF loop index " + loop + " outside 0.." + (states.size() - 1));
        }
        return new ItfTrace(meta, vars, states, loop);
    }

    /** @return the trace as an ITF JSON document (a fresh copy) */
    public ObjectNode toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("#meta", meta.deepCopy());
        ArrayNode v = root.putArray("vars");
        vars.forEach(v::add);
        ArrayNode s = root.putArray("states");
        states.forEach(n -> s.add(n.deepCopy()));
        if (loop != null) {
            root.put("loop", loop);
        }
        return root;
    }

    /**
     * Writes the trace as indented JSON, creating parent directories.
     *
     * @param file target file
     * @throws UncheckedIOException on I/O failure
     */
    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            MAPPER.writeValue(file.toFile(), toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ITF trace " + file, e);
        }
    }

    /** @return the variable names, in file order */
    public List<String> vars() {
        return vars;
    }

    /** @return number of states */
    public int size() {
        return states.size();
    }

    /** @return index the last state loops back to, or null if the trace is finite */
    public Integer loop() {
        return loop;
    }

    /**
     * A top-level {@code #meta} entry as text.
     *
     * @param key for example {@code "model"}, {@code "property"}, {@code "kind"}
     * @return the entry's text, or null if absent
     */
    public String meta(String key) {
        JsonNode n = meta.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }

    /**
     * The action recorded for a state ({@code #meta.action}).
     *
     * @param index state index, 0-based
     * @return the action name, or null if the file has none
     */
    public String action(int index) {
        JsonNode n = states.get(index).path("#meta").get("action");
        return n == null || n.isNull() ? null : n.asText();
    }

    /**
     * One variable of one state, decoded into Java.
     *
     * @param index state index, 0-based
     * @param var   variable name
     * @return the decoded value
     * @throws IllegalArgumentException if the variable is unknown
     */
    public Object value(int index, String var) {
        JsonNode n = states.get(index).get(var);
        if (n == null || var.startsWith("#")) {
            throw new IllegalArgumentException("state " + index + " has no variable '" + var + "' (vars: " + vars + ")");
        }
        return ItfValues.decode(n);
    }

    /**
     * One variable of one state as raw ITF JSON.
     *
     * @param index state index, 0-based
     * @param var   variable name
     * @return a copy of the JSON value, or null if absent
     */
    public JsonNode json(int index, String var) {
        JsonNode n = states.get(index).get(var);
        return n == null ? null : n.deepCopy();
    }

    /**
     * A whole state decoded into Java, variables in {@link #vars()} order.
     *
     * @param index state index, 0-based
     * @return unmodifiable map variable name to value
     */
    public Map<String, Object> state(int index) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String v : vars) {
            out.put(v, value(index, v));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItfTrace t && meta.equals(t.meta) && vars.equals(t.vars)
                && states.equals(t.states) && Objects.equals(loop, t.loop);
    }

    @Override
    public int hashCode() {
        return Objects.hash(meta, vars, states, loop);
    }

    @Override
    public String toString() {
        return "ItfTrace[" + meta("model") + ", " + states.size() + " states" + (loop == null ? "" : ", loop " + loop) + "]";
    }
}
