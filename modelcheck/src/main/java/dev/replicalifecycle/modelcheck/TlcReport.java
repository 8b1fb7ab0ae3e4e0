package dev.replicalifecycle.modelcheck;

import dev.replicalifecycle.modelcheck.TlcOutput.TlcMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlc2.output.EC;

/**
 * What one TLC run established, read from its {@code -tool} output and exit code: the
 * {@link Outcome}, the state counts, the depth and the counterexample (raw TLA+ text per
 * variable; {@link TraceExporter} parses the values). Immutable.
 *
 * @param exitCode        TLC's exit code
 * @param outcome         success, violation or error
 * @param statesGenerated final "states generated", or null if TLC printed no final statistics
 * @param distinctStates  final "distinct states found", or null
 * @param queue           final "states left on queue", or null
 * @param depth           "depth of the complete state graph search", or null
 * @param trace           counterexample states, first to last; empty if none
 * @param loopIndex       0-based index the last state loops back to (lassos), or null
 * @param stuttering      whether the counterexample ends in infinite stuttering
 * @param loopAction      the action of the step that closes the lasso (from last state back to
 *                        {@code loopIndex}), or null
 * @param workers         how many BFS workers TLC said it ran with, or null if it did not say
 */
record TlcReport(int exitCode, Outcome outcome, Long statesGenerated, Long distinctStates, Long queue,
                 Integer depth, List<TraceState> trace, Integer loopIndex, boolean stuttering,
                 String loopAction, Integer workers) {

    // message codes: TLC's own constants (compile-time constants of tlc2.output.EC, inlined by javac)
    static final int GENERAL = EC.GENERAL;
    static final int STARTING_BFS = EC.TLC_MODE_MC;
    static final int ASSUMPTION_FALSE = EC.TLC_ASSUMPTION_FALSE;
    static final int INVARIANT_VIOLATED_INITIAL = EC.TLC_INVARIANT_VIOLATED_INITIAL;
    static final int PROPERTY_VIOLATED_INITIAL = EC.TLC_PROPERTY_VIOLATED_INITIAL;
    static final int INVARIANT_VIOLATED = EC.TLC_INVARIANT_VIOLATED_BEHAVIOR;
    static final int ACTION_PROPERTY_VIOLATED = EC.TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR;
    static final int DEADLOCK = EC.TLC_DEADLOCK_REACHED;
    static final int TEMPORAL_VIOLATED = EC.TLC_TEMPORAL_PROPERTY_VIOLATED;
    static final int BEHAVIOR_UP_TO_THIS_POINT = EC.TLC_BEHAVIOR_UP_TO_THIS_POINT;
    static final int BACK_TO_STATE = EC.TLC_BACK_TO_STATE;
    static final int SUCCESS = EC.TLC_SUCCESS;
    static final int SEARCH_DEPTH = EC.TLC_SEARCH_DEPTH;
    static final int STATS = EC.TLC_STATS;
    static final int PROGRESS = EC.TLC_PROGRESS_STATS;
    static final int STATE = EC.TLC_STATE_PRINT2;
    static final int STUTTERING = EC.TLC_STATE_PRINT3;
    static final int COUNTER_EXAMPLE = EC.TLC_COUNTER_EXAMPLE;
    static final int PARSING_FAILED = EC.TLC_PARSING_FAILED;

    /** {@link #workers()} of a run in TLC's distributed mode: its depth depends on scheduling, as with several workers. */
    static final int DISTRIBUTED_WORKERS = 0;

    /** @return this report with {@link #workers()} replaced */
    TlcReport withWorkers(Integer newWorkers) {
        return new TlcReport(exitCode, outcome, statesGenerated, distinctStates, queue, depth, trace, loopIndex,
                stuttering, loopAction, newWorkers);
    }

    private static final Set<Integer> VERDICT_CODES = Set.of(INVARIANT_VIOLATED_INITIAL, PROPERTY_VIOLATED_INITIAL,
            INVARIANT_VIOLATED, ACTION_PROPERTY_VIOLATED, DEADLOCK, TEMPORAL_VIOLATED, BEHAVIOR_UP_TO_THIS_POINT,
            COUNTER_EXAMPLE);

    private static final Pattern STATS_TEXT = Pattern.compile(
            "([\\d,]+) states? generated, ([\\d,]+) distinct states? found, ([\\d,]+) states? left on queue");
    private static final Pattern WORKERS_TEXT = Pattern.compile("with (\\d+) workers? on");
    private static final Pattern DEPTH_TEXT = Pattern.compile("depth of the complete state graph search is (\\d+)");
    private static final Pattern INVARIANT_TEXT = Pattern.compile("Invariant (\\S+) is violated");
    private static final Pattern PROPERTY_INIT_TEXT = Pattern.compile("Property (\\S+) is violated by the initial state");
    private static final Pattern ACTION_PROPERTY_TEXT = Pattern.compile("Action property (\\S+) is violated");
    private static final Pattern STATE_HEADER = Pattern.compile("^(\\d+): <(.*)>\\s*$");
    private static final Pattern LOOP_ACTION = Pattern.compile("Back to state:?[^<]*<(\\w+)");
    private static final Pattern BACK_TO = Pattern.compile("^(\\d+): Back to state|Back to state:? (\\d+)");
    private static final Pattern TRAILING_NUMBER = Pattern.compile("^(\\d+):");

    TlcReport {
        trace = List.copyOf(trace);
    }

    /**
     * One state of a counterexample.
     *
     * @param action the action that led to it ({@code Init} for the initial state)
     * @param values variable name to the value's TLA+ text, in TLC's order
     */
    record TraceState(String action, Map<String, String> values) {
        TraceState {
            values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }

    /**
     * Analyses one run.
     *
     * @param out      the parsed output
     * @param exitCode the child's exit code
     * @param config   the checked configuration (names the temporal property, which TLC does not)
     * @param stderr   the child's standard error, used only when nothing else explains a failure
     * @return the report
     */
    static TlcReport analyze(TlcOutput out, int exitCode, TlcConfig config, String stderr) {
        Long generated = null;
        Long distinct = null;
        Long queue = null;
        TlcMessage stats = out.last(STATS);
        if (stats != null) {
            Matcher m = STATS_TEXT.matcher(stats.text());
            if (m.find()) {
                generated = number(m.group(1));
                distinct = number(m.group(2));
                queue = number(m.group(3));
            }
        }
        Integer depth = lastNumber(out, SEARCH_DEPTH, DEPTH_TEXT);
        Integer workers = lastNumber(out, STARTING_BFS, WORKERS_TEXT);

        List<TraceState> trace = new ArrayList<>();
        Integer loop = null;
        String loopAction = null;
        boolean stuttering = false;
        Outcome violation = null;
        boolean unreadableTrace = false;
        for (TlcMessage msg : out.messages()) {
            switch (msg.code()) {
                case INVARIANT_VIOLATED_INITIAL, PROPERTY_VIOLATED_INITIAL -> {
                    Matcher m = (msg.code() == INVARIANT_VIOLATED_INITIAL ? INVARIANT_TEXT : PROPERTY_INIT_TEXT)
                            .matcher(msg.text());
                    String prop = m.find() ? m.group(1) : null;
                    String kind = msg.code() == INVARIANT_VIOLATED_INITIAL || exitCode == 12
                            ? Outcome.SAFETY : Outcome.LIVENESS;
                    violation = Outcome.violation(prop, kind);
                    trace.clear();
                    int nl = msg.text().indexOf('\n');
                    trace.add(new TraceState("Init", assignments(nl < 0 ? "" : msg.text().substring(nl + 1))));
                }
                case INVARIANT_VIOLATED -> {
                    Matcher m = INVARIANT_TEXT.matcher(msg.text());
                    violation = Outcome.violation(m.find() ? m.group(1) : null, Outcome.SAFETY);
                }
                case ACTION_PROPERTY_VIOLATED -> {
                    Matcher m = ACTION_PROPERTY_TEXT.matcher(msg.text());
                    violation = Outcome.violation(m.find() ? m.group(1) : null, Outcome.SAFETY);
                }
                case DEADLOCK -> violation = Outcome.violation(null, Outcome.DEADLOCK);
                case TEMPORAL_VIOLATED -> violation = Outcome.violation(
                        config != null && config.properties().size() == 1 ? config.properties().get(0) : null,
                        Outcome.LIVENESS);
                case BEHAVIOR_UP_TO_THIS_POINT, COUNTER_EXAMPLE -> {
                    trace.clear();
                    loop = null;
                    stuttering = false;
                }
                case STATE -> {
                    try {
                        trace.add(state(msg.text()));
                    } catch (IllegalStateException e) {
                        unreadableTrace = true; // the verdict stands; the trace is dropped below
                    }
                }
                case STUTTERING -> stuttering = true;
                case BACK_TO_STATE -> {
                    Matcher m = BACK_TO.matcher(msg.text());
                    if (m.find()) {
                        loop = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2)) - 1;
                    }
                    Matcher a = LOOP_ACTION.matcher(msg.text());
                    loopAction = a.find() ? a.group(1) : null;
                }
                default -> {
                }
            }
        }
        if (unreadableTrace) {
            trace.clear();
        }
        if (stuttering && !trace.isEmpty()) {
            loop = trace.size() - 1;
        }
        if (loop != null && (loop < 0 || loop >= trace.size())) {
            loop = null;
        }

        Outcome outcome;
        if (exitCode == 0 && out.last(SUCCESS) != null) {
            outcome = Outcome.success();
        } else if ((exitCode == 11 || exitCode == 12 || exitCode == 13) && violation != null) {
            outcome = violation;
        } else {
            outcome = Outcome.error(errorText(out, exitCode, stderr));
        }
        return new TlcReport(exitCode, outcome, generated, distinct, queue, depth, trace, loop, stuttering,
                loop == null || stuttering ? null : loopAction, workers);
    }

    /** The first group of {@code pattern} in the last message with {@code code}, or null. */
    private static Integer lastNumber(TlcOutput out, int code, Pattern pattern) {
        TlcMessage msg = out.last(code);
        if (msg == null) {
            return null;
        }
        Matcher m = pattern.matcher(msg.text());
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static Long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    private static TraceState state(String text) {
        int nl = text.indexOf('\n');
        String header = nl < 0 ? text : text.substring(0, nl);
        String body = nl < 0 ? "" : text.substring(nl + 1);
        Matcher m = STATE_HEADER.matcher(header.trim());
        String action;
        if (m.matches()) {
            action = actionName(m.group(2));
        } else {
            Matcher n = TRAILING_NUMBER.matcher(header);
            action = n.find() ? header.substring(n.end()).trim() : header.trim();
        }
        return new TraceState(action, assignments(body));
    }

    /** {@code Initial predicate} becomes {@code Init}; {@code A(p) line 3, col ... of module M} becomes {@code A}. */
    static String actionName(String inner) {
        if (inner.startsWith("Initial predicate")) {
            return "Init";
        }
        String name = inner;
        int cut = name.indexOf(" line ");
        if (cut >= 0) {
            name = name.substring(0, cut);
        }
        int paren = name.indexOf('(');
        if (paren > 0) {
            name = name.substring(0, paren);
        }
        return name.trim();
    }

    /**
     * Splits a state body ({@code /\ v = value} lines, values possibly over several lines; a
     * single variable is printed without {@code /\ }) into variable to value text.
     */
    static Map<String, String> assignments(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> chunks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : body.split("\\R", -1)) {
            if (line.startsWith("/\\ ")) {
                if (current != null) {
                    chunks.add(current.toString());
                }
                current = new StringBuilder(line.substring(3));
            } else if (current != null) {
                current.append('\n').append(line);
            } else if (!line.isBlank()) {
                current = new StringBuilder(line);
            }
        }
        if (current != null) {
            chunks.add(current.toString());
        }
        for (String chunk : chunks) {
            int eq = chunk.indexOf(" = ");
            if (eq <= 0) {
                throw new IllegalStateException("cannot read TLC state line '" + chunk + "'");
            }
            out.put(chunk.substring(0, eq).trim(), chunk.substring(eq + 3).trim());
        }
        return out;
    }

    /** The text that explains a non-verdict failure: TLC's own messages, never a stack trace. */
    private static String errorText(TlcOutput out, int exitCode, String stderr) {
        List<String> parts = new ArrayList<>();
        boolean parseFailure = exitCode == 150 || exitCode == 151 || out.last(PARSING_FAILED) != null;
        if (parseFailure) {
            List<String> sany = new ArrayList<>();
            for (String line : out.unframed()) {
                if (line.startsWith("Parsing file ") || line.startsWith("Semantic processing of module ")
                        || isStackLine(line)) {
                    continue;
                }
                sany.add(line.strip());
            }
            if (!sany.isEmpty()) {
                parts.add(String.join("\n", sany));
            }
        }
        for (TlcMessage msg : out.messages()) {
            if (msg.errorSeverity() && !VERDICT_CODES.contains(msg.code())) {
                parts.add(msg.text());
            }
        }
        String head = switch (exitCode) {
            case 10 -> "TLC: an ASSUME is false (exit 10)";
            case 11, 12, 13 -> "TLC reported a violation (exit " + exitCode + ") but its output names none";
            case 150, 151 -> "TLC could not parse or process the spec/config (exit " + exitCode + ")";
            case 0 -> "TLC exited 0 without reporting success";
            default -> exitCode > 128 && exitCode < 160
                    ? "TLC was killed by signal " + (exitCode - 128) + " (exit " + exitCode + "), not by this runner"
                    : "TLC failed (exit " + exitCode + ")";
        };
        if (parts.isEmpty() && stderr != null) {
            List<String> tail = new ArrayList<>();
            for (String line : stderr.split("\\R")) {
                if (!line.isBlank() && !isStackLine(line)) {
                    tail.add(line.strip());
                }
            }
            if (!tail.isEmpty()) {
                parts.add(String.join("\n", tail.subList(Math.max(0, tail.size() - 15), tail.size())));
            }
        }
        return parts.isEmpty() ? head : head + ":\n" + String.join("\n", parts);
    }

    private static final Pattern EXCEPTION_NAME = Pattern.compile("^([a-z][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error)$");

    private static boolean isStackLine(String line) {
        String s = line.strip();
        return s.startsWith("at ") || s.startsWith("... ") && s.endsWith(" more") || s.startsWith("Caused by:")
                || EXCEPTION_NAME.matcher(s).matches();
    }
}
