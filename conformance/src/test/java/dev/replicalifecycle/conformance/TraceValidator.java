package dev.replicalifecycle.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates recorded Java traces with TLC: many traces, one TLC run ({@code
 * spec/MCReplicaLifecycleTrace.tla}). The batch is written as the module {@code
 * ReplicaLifecycleTraceData} into a run directory next to copies of the spec modules; TLC
 * prints {@code <<"accepted", t>>} for each trace a behaviour of the spec follows to its end.
 * For each rejected trace a second, small TLC run prints how far each of them got ({@code
 * <<"reached", t, i>>} for every state), which names the first event no spec step matches.
 */
final class TraceValidator {

  /**
   * A trace to validate.
   *
   * @param label where it came from (for messages)
   * @param events the events, canonical names and clients
   */
  record Trace(String label, List<Recorder.Event> events) {}

  /**
   * A rejected trace.
   *
   * @param trace the trace
   * @param matched how many of its events some spec behaviour matched
   */
  record Rejection(Trace trace, int matched) {
    /** The first event with no matching spec step. */
    Recorder.Event offending() {
      return trace.events().get(matched);
    }

    @Override
    public String toString() {
      return trace.label() + ": event " + (matched + 1) + " of " + trace.events().size() + " (" + offending()
          + ") has no matching spec step; events before it:\n      "
          + String.join("\n      ", trace.events().subList(Math.max(0, matched - 12), matched).stream()
              .map(Object::toString).toList());
    }
  }

  /**
   * The outcome of a batch.
   *
   * @param traces how many traces were checked
   * @param events how many events they hold
   * @param rejected the rejected ones, with the first unmatched event
   * @param seconds the batch run (TLC's JVM included; not the diagnosis run)
   * @param states distinct states TLC found
   */
  record Result(int traces, long events, List<Rejection> rejected, double seconds, long states) {
    double perSecond() {
      return traces / seconds;
    }
  }

  private final String variant;
  private final String mutant;
  private final Path dir;

  /** Validates against the spec's {@code variant} (and {@code mutant}, normally "none"), in {@code dir}. */
  TraceValidator(String variant, String mutant, Path dir) {
    this.variant = variant;
    this.mutant = mutant;
    this.dir = dir;
  }

  /** Traces per TLC run (about 40 events each take SANY some 70 KB: 10,000 fit the 2 GB child). */
  static final int CHUNK = 10_000;

  Result validate(List<Trace> traces) {
    List<Trace> rejected = new ArrayList<>();
    double seconds = 0;
    long states = 0;
    for (int from = 0; from < traces.size(); from += CHUNK) {
      List<Trace> chunk = traces.subList(from, Math.min(traces.size(), from + CHUNK));
      Tlc.Result batch = check(dir.resolve("batch-" + (from / CHUNK + 1)), chunk, "ReportAccepted");
      seconds += batch.seconds();
      states += distinctStates(batch);
      Set<Integer> accepted = new TreeSet<>();
      Pattern p = Pattern.compile("<<\"accepted\", (\\d+)>>");
      for (String line : batch.printed()) {
        Matcher m = p.matcher(line);
        if (m.matches()) {
          accepted.add(Integer.parseInt(m.group(1)));
        }
      }
      for (int t = 1; t <= chunk.size(); t++) {
        if (!accepted.contains(t)) {
          rejected.add(chunk.get(t - 1));
        }
      }
    }
    List<Rejection> rejections = rejected.isEmpty() ? List.of() : diagnose(rejected);
    long events = traces.stream().mapToLong(t -> t.events().size()).sum();
    return new Result(traces.size(), events, rejections, seconds, states);
  }

  /** Runs the rejected traces alone, printing every state's (trace, events matched). */
  private List<Rejection> diagnose(List<Trace> rejected) {
    Tlc.Result r = check(dir.resolve("diagnosis"), rejected, "ReportReached");
    Map<Integer, Integer> reached = new HashMap<>();
    Pattern p = Pattern.compile("<<\"reached\", (\\d+), (\\d+)>>");
    for (String line : r.printed()) {
      Matcher m = p.matcher(line);
      if (m.matches()) {
        reached.merge(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Math::max);
      }
    }
    List<Rejection> out = new ArrayList<>();
    for (int t = 1; t <= rejected.size(); t++) {
      Trace tr = rejected.get(t - 1);
      int matched = reached.getOrDefault(t, 0);
      if (matched >= tr.events().size()) {
        throw new IllegalStateException("trace " + tr.label() + " was rejected in the batch but accepted alone");
      }
      out.add(new Rejection(tr, matched));
    }
    return out;
  }

  private Tlc.Result check(Path run, List<Trace> traces, String invariant) {
    Tlc.copySpec(run, "ReplicaLifecycle", "ReplicaLifecycleTrace", "MCReplicaLifecycleTrace");
    writeNdjson(run.resolve("traces.ndjson"), traces);
    writeData(run.resolve("ReplicaLifecycleTraceData.tla"), traces);
    writeConfig(run.resolve("MCReplicaLifecycleTrace.cfg"), invariant);
    Tlc.Result r = Tlc.run(run, "MCReplicaLifecycleTrace", "MCReplicaLifecycleTrace.cfg",
        List.of("-workers", Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors()))), 1800);
    if (r.exit() != 0 || !r.completed()) {
      throw new IllegalStateException("trace validation TLC run failed (exit " + r.exit() + ") in " + run + ":\n"
          + r.tail());
    }
    return r;
  }

  /** The spec's action and outcome words, in the order of ReplicaLifecycleTrace's EvActions, EvOutcomes. */
  static final List<String> ACTIONS = List.of("CreateReserve", "CreateLvol", "CreateExpose", "CreatePublish",
      "CreateRollback", "CreateSettle", "CreateAbort", "DeleteMark", "DeleteRlvol", "DeleteLvol", "DeleteProbe",
      "DeleteRemove", "VerifyStart", "VerifyList", "VerifyApply", "LoseLvol", "Restart", "LateApply", "LateDrop");
  static final List<String> OUTCOMES = List.of("ok", "exists", "fail", "timeout", "notfound", "running", "error",
      "removed", "absent", "found", "changed", "inflight", "adopt", "keep", "installed", "skipped", "busy", "partial",
      "unreadable", "broken", "uncertain", "create", "delete", "rdelete");

  /** The event as ReplicaLifecycleTrace's integer: ((a * 64 + o) * 64 + p) * 64 + k. */
  static long encode(Recorder.Event e, List<String> procs, List<String> names) {
    int a = ACTIONS.indexOf(e.action()) + 1;
    int o = OUTCOMES.indexOf(e.outcome()) + 1;
    int p = procs.indexOf(e.proc()) + 1;
    int k = e.name() == null ? 0 : names.indexOf(e.name()) + 1;
    if (a == 0 || o == 0 || p == 0 || k < 0 || p >= 64 || k >= 64) {
      throw new IllegalArgumentException("cannot encode " + e + " (procs " + procs + ", names " + names + ")");
    }
    return ((a * 64L + o) * 64 + p) * 64 + k;
  }

  private static int number(String s) {
    return Integer.parseInt(s.substring(1));
  }

  private void writeData(Path file, List<Trace> traces) {
    int names = 1;
    int clients = 1;
    for (Trace t : traces) {
      for (Recorder.Event e : t.events()) {
        if (e.name() != null) {
          names = Math.max(names, number(e.name()));
        }
        if (e.proc().startsWith("c")) {
          clients = Math.max(clients, number(e.proc()));
        }
      }
    }
    List<String> nameSeq = new ArrayList<>();
    for (int k = 1; k <= names; k++) {
      nameSeq.add("n" + k);
    }
    List<String> procs = new ArrayList<>(List.of("verify", "env"));
    List<String> clientSeq = new ArrayList<>();
    for (int k = 1; k <= clients; k++) {
      clientSeq.add("c" + k);
    }
    procs.addAll(clientSeq);
    try (Writer w = Files.newBufferedWriter(file)) {
      w.write("--------------------- MODULE ReplicaLifecycleTraceData ---------------------\n");
      w.write("(* Generated by conformance/ (TraceValidator): " + traces.size() + " recorded traces; readable: *)\n");
      w.write("(* traces.ndjson next to this file.  Encoding: see ReplicaLifecycleTrace.    *)\n\n");
      w.write("TraceNameSeq == " + tuple(nameSeq) + "\n");
      w.write("TraceNames == {" + tuple(nameSeq).substring(2, tuple(nameSeq).length() - 2) + "}\n");
      w.write("TraceProcs == " + tuple(procs) + "\n");
      w.write("TraceClients == {" + tuple(clientSeq).substring(2, tuple(clientSeq).length() - 2) + "}\n\n");
      w.write("TraceData == <<\n");
      for (int i = 0; i < traces.size(); i++) {
        w.write("  \\* " + (i + 1) + ": " + traces.get(i).label().replace('\n', ' ') + "\n  <<");
        List<Recorder.Event> ev = traces.get(i).events();
        for (int k = 0; k < ev.size(); k++) {
          w.write((k == 0 ? "" : k % 12 == 0 ? ",\n    " : ", ") + encode(ev.get(k), procs, nameSeq));
        }
        w.write(">>" + (i + 1 < traces.size() ? ",\n" : "\n"));
      }
      w.write(">>\n=============================================================================\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tuple(List<String> s) {
    return "<<" + String.join(", ", s.stream().map(x -> "\"" + x + "\"").toList()) + ">>";
  }

  /** The batch as NDJSON (Jackson): one event per line, with its trace's index (1-based) and label. */
  private static void writeNdjson(Path file, List<Trace> traces) {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    try (Writer w = Files.newBufferedWriter(file)) {
      for (int t = 0; t < traces.size(); t++) {
        for (Recorder.Event e : traces.get(t).events()) {
          com.fasterxml.jackson.databind.node.ObjectNode o = json.valueToTree(e);
          o.put("trace", t + 1);
          w.write(json.writeValueAsString(o));
          w.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeConfig(Path file, String invariant) {
    String cfg = """
        \\* Generated by conformance/ (TraceValidator): trace validation against %s%s.
        SPECIFICATION TraceSpec
        CONSTANTS
            Names <- TraceNames
            Clients <- TraceClients
            None = None
            Variant = "%s"
            Mutant = "%s"
            EngineOn = FALSE
            RebuildOn = FALSE
            MaxStoreFaults = 100000
            MaxLosses = 100000
            MaxRestarts = 100000
            MaxRebuilds = 0
            LateOn = TRUE
            MaxUncertain = 100000
            MaxGiveUps = %s
        INVARIANT
            %s
        CHECK_DEADLOCK FALSE
        """.formatted(variant, mutant.equals("none") ? "" : "-" + mutant, variant, mutant,
        variant.equals("V4") ? "100000" : "0", invariant); // only V4 gives up (at its deadline)
    try {
      Files.writeString(file, cfg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long distinctStates(Tlc.Result r) {
    Pattern p = Pattern.compile("([\\d,]+) states generated, ([\\d,]+) distinct states found.*");
    long states = -1;
    for (String l : r.lines()) {
      Matcher m = p.matcher(l);
      if (m.matches()) {
        states = Long.parseLong(m.group(2).replace(",", ""));
      }
    }
    return states;
  }
}
