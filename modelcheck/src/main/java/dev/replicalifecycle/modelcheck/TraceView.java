package dev.replicalifecycle.modelcheck;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A counterexample arranged as a swimlane: one lane per process, one row per state with the
 * step that led to it (taken by the process of its lane) and the variables that step changed,
 * before and after. Immutable; built by {@link #of}, which is stateless and thread-safe.
 *
 * <p>Processes come from the {@value TraceExporter#STEP_VAR} variable, a record with
 * {@code action}, {@code proc}, {@code outcome} and any other fields (see the spec's
 * {@code Step}). The lanes are the clients, in natural order (the {@code proc} values of the
 * steps and the domain of the client map {@value #CLIENTS_VAR}, apart from the system
 * processes), then the system processes {@link #SYSTEM_LANES}. A step whose {@code proc} is
 * {@code None} (the initial state) belongs to no lane. A trace without a {@code step} record has
 * one lane, {@value #ANY_LANE}, holding the action of TLC's state header.
 *
 * <p>A changed variable is reported by its smallest changed parts: records, functions
 * ({@code #map}) with the same domain and tuples of the same length are compared field by
 * field, so a change of one client's {@code pc} shows as {@code cl[c1].pc: idle → lvol} rather
 * than as the whole client map twice. Values are rendered in TLA+ notation as TLC prints them,
 * except that strings are shown without quotes (as in the step list; ITF keeps model values as
 * strings too).
 *
 * @param lanes       lane names, left to right
 * @param rows        one per state, in trace order
 * @param vars        the trace's variables
 * @param loop        the state the last state loops back to, or null if the trace is finite
 * @param loopAction  the action that closes the loop, or null (unknown, or stuttering)
 * @param loopChanges what the closing step changes (last state → state {@code loop}); empty if none
 * @param initial     the initial state: each variable rendered in full, in {@code vars} order
 */
record TraceView(List<String> lanes, List<Row> rows, List<String> vars, Integer loop, String loopAction,
                 List<Change> loopChanges, List<Change> initial) {

    /** Processes that are not clients, in lane order (the spec's {@code Steps} type). */
    static final List<String> SYSTEM_LANES = List.of("verify", "engine", "env");
    /** The spec's per-client state, a function whose domain is the clients. */
    static final String CLIENTS_VAR = "cl";
    /** The one lane of a trace whose steps name no process. */
    static final String ANY_LANE = "step";
    private static final String NONE = "None";

    TraceView {
        lanes = List.copyOf(lanes);
        rows = List.copyOf(rows);
        vars = List.copyOf(vars);
        loopChanges = List.copyOf(loopChanges);
        initial = List.copyOf(initial);
    }

    /**
     * One variable, or one part of it, that a step changed.
     *
     * @param var    the variable
     * @param path   the changed part, e.g. {@code cl[c1].pc}; equals {@code var} for a whole variable
     * @param before value before the step
     * @param after  value after it
     */
    record Change(String var, String path, String before, String after) {
    }

    /**
     * One state of the trace and the step that led to it.
     *
     * @param index   state index, 0-based
     * @param proc    the lane of the process that took the step, or null (initial state, or no process)
     * @param action  the action
     * @param outcome the step's {@code outcome} field, or null
     * @param args    the step's other fields as {@code key=value}, leaving out those that are {@code None}
     * @param changes what changed from the previous state, leaving out {@code step} itself; empty for state 0
     */
    record Row(int index, String proc, String action, String outcome, List<String> args, List<Change> changes) {
        Row {
            args = List.copyOf(args);
            changes = List.copyOf(changes);
        }

        /** @return the names of the changed variables, in order, without repeats */
        Set<String> changedVars() {
            Set<String> out = new LinkedHashSet<>();
            changes.forEach(c -> out.add(c.var()));
            return out;
        }
    }

    /**
     * Arranges a trace.
     *
     * @param t the trace
     * @return its swimlane view
     */
    static TraceView of(ItfTrace t) {
        boolean hasStep = t.vars().contains(TraceExporter.STEP_VAR);
        List<Row> rows = new ArrayList<>();
        Set<String> clients = new LinkedHashSet<>();
        boolean anyProc = false;
        for (int i = 0; i < t.size(); i++) {
            JsonNode step = hasStep ? t.json(i, TraceExporter.STEP_VAR) : null;
            String action = t.action(i);
            String proc = null;
            String outcome = null;
            List<String> args = new ArrayList<>();
            if (step != null && step.isObject() && step.has("action")) {
                action = render(step.get("action"));
                for (Iterator<Map.Entry<String, JsonNode>> it = step.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    String v = render(f.getValue());
                    switch (f.getKey()) {
                        case "action" -> { }
                        case "proc" -> proc = NONE.equals(v) ? null : v;
                        case "outcome" -> outcome = v;
                        default -> {
                            if (!NONE.equals(v)) {
                                args.add(f.getKey() + "=" + v);
                            }
                        }
                    }
                }
            }
            if (proc != null) {
                anyProc = true;
                if (!SYSTEM_LANES.contains(proc)) {
                    clients.add(proc);
                }
            }
            List<Change> changes = i == 0 ? List.of() : changes(t, i - 1, i);
            rows.add(new Row(i, proc, action == null ? "?" : action, outcome, args, changes));
        }
        List<String> lanes = new ArrayList<>();
        if (anyProc) {
            JsonNode cl = t.vars().contains(CLIENTS_VAR) ? t.json(0, CLIENTS_VAR) : null;
            if (cl != null && cl.has("#map")) {
                cl.get("#map").forEach(pair -> clients.add(render(pair.get(0))));
            }
            clients.stream().sorted(NATURAL).forEach(lanes::add);
            lanes.addAll(SYSTEM_LANES);
        } else {
            lanes.add(ANY_LANE);
            List<Row> withLane = new ArrayList<>();
            for (Row r : rows) {
                withLane.add(r.index() == 0 ? r : new Row(r.index(), ANY_LANE, r.action(), r.outcome(), r.args(), r.changes()));
            }
            rows = withLane;
        }
        Integer loop = t.loop();
        List<Change> loopChanges = loop == null ? List.of() : changes(t, t.size() - 1, loop);
        List<Change> initial = new ArrayList<>();
        for (String v : t.vars()) {
            String text = render(t.json(0, v));
            initial.add(new Change(v, v, text, text));
        }
        return new TraceView(lanes, rows, t.vars(), loop, t.meta("loopAction"), loopChanges, initial);
    }

    /** @return whether the trace ends in infinite stuttering in its last state */
    boolean stutters() {
        return loop != null && loop == rows.size() - 1 && loopAction == null && loopChanges.isEmpty();
    }

    private static List<Change> changes(ItfTrace t, int from, int to) {
        List<Change> out = new ArrayList<>();
        for (String v : t.vars()) {
            if (!v.equals(TraceExporter.STEP_VAR)) {
                diff(v, v, t.json(from, v), t.json(to, v), out);
            }
        }
        return out;
    }

    /**
     * Adds the smallest changed parts of a value to {@code out}.
     *
     * @param var    the variable
     * @param path   the part's path so far
     * @param before its value before
     * @param after  its value after
     * @param out    where the changes go
     */
    static void diff(String var, String path, JsonNode before, JsonNode after, List<Change> out) {
        if (before == null || after == null) {
            if (before != after) {
                out.add(new Change(var, path, render(before), render(after)));
            }
            return;
        }
        if (before.equals(after)) {
            return;
        }
        if (isRecord(before) && isRecord(after) && sameFieldNames(before, after)) {
            after.fieldNames().forEachRemaining(k -> diff(var, path + "." + k, before.get(k), after.get(k), out));
        } else if (before.has("#map") && after.has("#map") && sameKeys(before.get("#map"), after.get("#map"))) {
            JsonNode b = before.get("#map");
            JsonNode a = after.get("#map");
            for (int i = 0; i < a.size(); i++) {
                diff(var, path + "[" + render(a.get(i).get(0)) + "]", b.get(i).get(1), a.get(i).get(1), out);
            }
        } else if (before.has("#tup") && after.has("#tup") && before.get("#tup").size() == after.get("#tup").size()) {
            JsonNode b = before.get("#tup");
            JsonNode a = after.get("#tup");
            for (int i = 0; i < a.size(); i++) {
                diff(var, path + "[" + (i + 1) + "]", b.get(i), a.get(i), out);
            }
        } else {
            out.add(new Change(var, path, render(before), render(after)));
        }
    }

    private static boolean isRecord(JsonNode n) {
        if (!n.isObject()) {
            return false;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            if (it.next().startsWith("#")) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameFieldNames(JsonNode a, JsonNode b) {
        Set<String> x = new LinkedHashSet<>();
        a.fieldNames().forEachRemaining(x::add);
        Set<String> y = new LinkedHashSet<>();
        b.fieldNames().forEachRemaining(y::add);
        return x.equals(y);
    }

    /** Both {@code #map} arrays have the same keys in the same order. */
    private static boolean sameKeys(JsonNode a, JsonNode b) {
        if (!a.isArray() || !b.isArray() || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isArray() || !b.get(i).isArray() || !a.get(i).path(0).equals(b.get(i).path(0))) {
                return false;
            }
        }
        return true;
    }

    /**
     * An ITF value in TLA+ notation, strings without quotes (an empty string as {@code ""}).
     *
     * @param n the value; null gives {@code (absent)}
     * @return the text
     */
    static String render(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        render(n, sb);
        return sb.toString();
    }

    private static void render(JsonNode n, StringBuilder sb) {
        if (n == null || n.isMissingNode()) {
            sb.append("(absent)");
        } else if (n.isTextual()) {
            sb.append(n.asText().isEmpty() ? "\"\"" : n.asText());
        } else if (n.isBoolean()) {
            sb.append(n.asBoolean() ? "TRUE" : "FALSE");
        } else if (n.isNumber()) {
            sb.append(n.asText());
        } else if (n.isArray()) {
            join(n, "<<", ">>", sb);
        } else if (n.isObject() && n.size() == 1 && n.has("#set")) {
            join(n.get("#set"), "{", "}", sb);
        } else if (n.isObject() && n.size() == 1 && n.has("#tup")) {
            join(n.get("#tup"), "<<", ">>", sb);
        } else if (n.isObject() && n.size() == 1 && n.has("#bigint")) {
            sb.append(n.get("#bigint").asText());
        } else if (n.isObject() && n.size() == 1 && n.has("#unserializable")) {
            sb.append(n.get("#unserializable").asText());
        } else if (n.isObject() && n.size() == 1 && n.has("#map")) {
            JsonNode pairs = n.get("#map");
            if (pairs.isEmpty()) {
                sb.append("<< >>");
                return;
            }
            sb.append('(');
            for (int i = 0; i < pairs.size(); i++) {
                sb.append(i == 0 ? "" : " @@ ");
                render(pairs.get(i).get(0), sb);
                sb.append(" :> ");
                render(pairs.get(i).get(1), sb);
            }
            sb.append(')');
        } else if (n.isObject()) {
            sb.append('[');
            String sep = "";
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                sb.append(sep).append(f.getKey()).append(" |-> ");
                render(f.getValue(), sb);
                sep = ", ";
            }
            sb.append(']');
        } else {
            sb.append(n);
        }
    }

    private static void join(JsonNode items, String open, String close, StringBuilder sb) {
        sb.append(open);
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ", ");
            render(items.get(i), sb);
        }
        sb.append(close);
    }

    private static final Pattern DIGITS = Pattern.compile("(\\D*)(\\d+)(.*)");

    /** c2 before c10; otherwise alphabetical. */
    static final Comparator<String> NATURAL = (a, b) -> {
        Matcher x = DIGITS.matcher(a);
        Matcher y = DIGITS.matcher(b);
        if (x.matches() && y.matches() && x.group(1).equals(y.group(1)) && x.group(2).length() <= 18
                && y.group(2).length() <= 18) {
            int c = Long.compare(Long.parseLong(x.group(2)), Long.parseLong(y.group(2)));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    };
}
