package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.property.RecordedRuns;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import dev.replicalifecycle.store.LvolKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Drives a Java registry through a spec behaviour, one spec step at a time (see {@link
 * SpecMapping}). Each spec process has its Java thread of the moment: a client's operation runs
 * in a thread started at its first step (CreateReserve, DeleteMark) and parked at every step
 * until the spec's next step of that client grants it (a client's operations run one after the
 * other, like the spec's); a verify round runs in a thread started at VerifyStart. Environment
 * steps run inline: LoseLvol, Restart (the registry is closed and its parked operations
 * abandoned, a new one opens over the same store; the store calls the spec says the old
 * incarnation had issued are started in the store), LateApply and LateDrop (the store finishes a
 * pending call: it never does on its own in a replay), the engine's poll and the rebuild (its
 * head dropped and re-cloned). A VerifyList that the spec says was partial gets a listing that
 * misses the same lvol stores (one per name here) and cannot read the same entries.
 *
 * <p>Two modes. {@link Mode#FAITHFUL}: the Java step must be the spec's (same action, name and
 * outcome; Java says {@code timeout} for both timeout kinds); a store fault the spec's outcome
 * names is injected right before the step is granted and must be consumed by it; any difference
 * is a {@link Divergence}. {@link Mode#WHERE_IT_APPLIES}: the schedule of another variant
 * replayed on V4 as far as it applies: each spec step lets that process take its next V4 step
 * (steps V4 does not have, or that wait, are skipped; faults are injected only where V4's step
 * is the spec's action), and {@link #finish} lets the operations still running end.
 *
 * <p>After every step, {@link Properties.JavaHistory#violations} evaluates the spec's properties
 * in Java. Not thread-safe: one replay per instance, driven from one thread.
 */
final class Replayer implements AutoCloseable {
  static final long SIZE = 1L << 20;
  static final long TIMEOUT_MS = Long.getLong("conformance.stepTimeoutMs", 5_000);

  enum Mode {
    FAITHFUL,
    WHERE_IT_APPLIES
  }

  /**
   * What to replay on.
   *
   * @param variant the Java variant
   * @param mutant the V4 mutant, or null
   * @param engineOn whether the spec models the engine (its JoinMode needs rebuildOn/rebuilds too)
   * @param rebuildOn the spec's RebuildOn
   * @param rebuilds the spec's MaxRebuilds
   * @param mode faithful, or V4 where it applies
   */
  record Config(Variant variant, String mutant, boolean engineOn, boolean rebuildOn, int rebuilds, Mode mode) {}

  /**
   * One replayed step.
   *
   * @param index the spec state index the step leads to
   * @param spec the spec's step
   * @param java what Java did: its outcome, or a note ({@code not visited}, {@code skipped: ...})
   * @param violations the properties Java violates after the step, with details
   */
  record StepResult(int index, SpecStep spec, String java, Map<String, String> violations) {}

  /** Java and the spec disagree at a step. */
  static final class Divergence extends AssertionError {
    private static final long serialVersionUID = 1L;
    final int index;
    final SpecStep step;

    Divergence(int index, SpecStep step, String message) {
      super("step " + index + " (" + step + "): " + message);
      this.index = index;
      this.step = step;
    }
  }

  private final Config cfg;
  private final Set<String> specNames;

  private Set<String> names() {
    Set<String> out = new TreeSet<>();
    specNames.forEach(n -> out.add(javaName(n)));
    return out;
  }
  private final InMemoryLvolStore store = new InMemoryLvolStore();
  private final ReplayScheduler sched;
  private final Properties.JavaHistory history;
  private final Map<String, String> current = new HashMap<>();
  private final List<StepResult> results = new ArrayList<>();
  private Subject subject;
  private int ops;

  Replayer(Config cfg, Set<String> names) {
    this(cfg, names, null);
  }

  /** Spec name to Java name (identity unless {@link #renaming} is set). */
  private Map<String, String> renaming = Map.of();

  /**
   * Renames the spec's names in Java (the spec is symmetric in its names): V4's verify decides
   * names in name order, so a trace whose rounds decide {@code n2} before {@code n1} is replayed
   * with names that sort in that order. Call before the first step.
   */
  Replayer renaming(Map<String, String> specToJava) {
    this.renaming = Map.copyOf(specToJava);
    return this;
  }

  String javaName(String specName) {
    return specName == null ? null : renaming.getOrDefault(specName, specName);
  }

  /** With a recorder that sees every Java step and the environment's LoseLvol and Restart. */
  Replayer(Config cfg, Set<String> names, Recorder recorder) {
    this.cfg = cfg;
    this.specNames = new TreeSet<>(names);
    this.sched = new ReplayScheduler(TIMEOUT_MS);
    this.recorder = recorder;
    this.history = new Properties.JavaHistory(cfg.engineOn(), cfg.rebuildOn(), cfg.rebuilds());
    this.listener = recorder == null ? sched : RecordedRuns.chain(sched, recorder);
    // the store lands or drops a pending call only when the spec says so (LateApply, LateDrop);
    // each replica's lvols live in an lvol store of their own, so that a listing can miss one
    // name's lvol store and cover another's (the spec's per-name coverage)
    store.setLateLanding(0);
    store.setPlacement(Replayer::lvstoreOf);
    this.subject = Subject.open(cfg.variant(), cfg.mutant(), store, listener);
  }

  /** The lvol store of an lvol in a replay: one per replica name, {@code lvs-<replica>}. */
  static String lvstoreOf(String lvol) {
    String n = lvol.endsWith(LvolKind.REBUILDING_SUFFIX)
        ? lvol.substring(0, lvol.length() - LvolKind.REBUILDING_SUFFIX.length()) : lvol;
    return "lvs-" + n;
  }

  private final Recorder recorder;
  private final dev.replicalifecycle.registry.StepListener listener;

  Subject subject() {
    return subject;
  }

  InMemoryLvolStore store() {
    return store;
  }

  List<StepResult> results() {
    return results;
  }

  /** Replays one spec step (leading to spec state {@code index}). */
  StepResult apply(int index, SpecStep s) {
    String java;
    SpecMapping m = SpecMapping.of(s.action())
        .orElseThrow(() -> new Divergence(index, s, "no Java counterpart for action " + s.action()));
    if (s.isClient()) {
      java = client(index, s, m);
    } else if ("verify".equals(s.proc())) {
      java = verify(index, s, m);
    } else {
      java = environment(index, s);
    }
    StepResult r = new StepResult(index, s, java, history.violations(subject, store, names()));
    results.add(r);
    return r;
  }

  // ------------------------------------------------------------------ clients

  private boolean startsOp(String action) {
    return action.equals("CreateReserve") || action.equals("DeleteMark");
  }

  private String client(int index, SpecStep s, SpecMapping m) {
    String label = current.get(s.proc());
    boolean running = label != null && sched.alive(label);
    if (cfg.mode() == Mode.FAITHFUL) {
      if (startsOp(s.action())) {
        if (running) {
          throw new Divergence(index, s, "the spec's " + s.proc() + " starts an operation but its Java operation "
              + label + " has not returned; " + sched);
        }
        label = startOp(s.proc(), s.action(), javaName(s.name()));
      } else if (!running) {
        throw new Divergence(index, s, "no Java operation of " + s.proc() + " is in flight");
      }
      return take(index, s, m, label, true);
    }
    if (!running) {
      if (!startsOp(s.action())) {
        return "skipped: " + s.proc() + " has no V4 operation in flight";
      }
      label = startOp(s.proc(), s.action(), javaName(s.name()));
    }
    return take(index, s, m, label, false);
  }

  private String startOp(String proc, String action, String name) {
    String label = proc + "#" + (++ops);
    current.put(proc, label);
    var reg = subject.registry();
    if (action.equals("CreateReserve")) {
      sched.start(label, () -> reg.create(name, SIZE));
    } else {
      sched.start(label, () -> {
        reg.delete(name);
        return null;
      });
    }
    return label;
  }

  /** Grants {@code label}'s next step; faithful: it must be the spec's step {@code s}. */
  private String take(int index, SpecStep s, SpecMapping m, String label, boolean faithful) {
    ReplayScheduler.Parked p = sched.settle(label);
    if (p == null) {
      if (faithful) {
        throw new Divergence(index, s, label + " is not parked before a step (waiting or returned): not enabled in Java; "
            + sched);
      }
      return "skipped: " + label + " waits";
    }
    boolean same = p.action().name().equals(s.action()) && Objects.equals(p.name(), javaName(s.name()));
    if (faithful && !same) {
      throw new Divergence(index, s, "Java's " + label + " is parked before " + p + ", not " + s.action()
          + (s.name() == null ? "" : " " + javaName(s.name())));
    }
    Fault injected = same ? inject(m, s) : null;
    String n = p.name();
    boolean before = n != null && store.contains(n);
    Step st = sched.grant(label);
    boolean after = n != null && store.contains(n);
    boolean unused = injected != null && !store.pendingFaults(injectedCall).isEmpty();
    if (unused && faithful) {
      throw new Divergence(index, s, "the injected " + injected + " on " + injectedCall
          + " was not consumed by the step");
    }
    if (unused) {
      store.clearFaults(); // V4 took another path (no such call): the fault does not apply
    }
    if (faithful && !outcomeMatches(s.outcome(), st.outcome())) {
      throw new Divergence(index, s, "Java's outcome is " + st.outcome() + ", the spec's " + s.outcome());
    }
    if (s.isClient() && !waits(st)) {
      clientStep(s.proc(), label, st, before, after);
    }
    return st.outcome() + (faithful ? "" : " (" + st.action() + (n == null ? "" : " " + n) + ")");
  }

  /**
   * A {@code busy} try of CreateReserve or DeleteMark: the operation waits for the name (not a
   * spec step: the spec's action is not enabled). A {@code busy} store answer is a step.
   */
  private static boolean waits(Step st) {
    return "busy".equals(st.outcome())
        && (st.action() == SpecAction.CreateReserve || st.action() == SpecAction.DeleteMark);
  }

  private Fault inject(SpecMapping m, SpecStep s) {
    if (m == SpecMapping.VerifyList) {
      listing(s);
    }
    String n = javaName(s.name());
    String lvol = n == null ? null : m == SpecMapping.DeleteRlvol ? n + LvolKind.REBUILDING_SUFFIX : n;
    boolean exists = lvol != null && store.contains(lvol);
    boolean noOp = m.call == Call.CREATE ? exists : !exists;
    Optional<Map.Entry<Call, Fault>> f = m.fault(s.outcome(), noOp);
    if (f.isPresent() && m == SpecMapping.CreateLvol && exists && cfg.variant() == Variant.V4
        && !"NoPrecheck".equals(cfg.mutant())) {
      // V4 with the lvol there makes only its look-up, which is what fails
      f = Optional.of(Map.entry(Call.FIND, f.get().getValue()));
    }
    f.ifPresent(e -> store.failNext(e.getKey(), 1, e.getValue()));
    injectedCall = f.map(Map.Entry::getKey).orElse(null);
    return f.map(Map.Entry::getValue).orElse(null);
  }

  private Call injectedCall;

  /**
   * Makes the next listing what the spec's VerifyList saw: the lvol stores of the names it did not
   * cover hidden, the entries (head and rebuilding lvol) of the names it could not read
   * unreadable; for V0..V3's {@code unreadable} (the round failed, the state keeps no detail)
   * every entry unreadable.
   */
  private void listing(SpecStep s) {
    if ("unreadable".equals(s.outcome())) {
      store.lvols().forEach(l -> store.unreadable(l.name(), 1));
      return;
    }
    if (s.uncov() != null) {
      s.uncov().forEach(n -> store.hideLvstore(lvstoreOf(javaName(n)), 1));
    }
    if (s.unread() != null) {
      for (String n : s.unread()) {
        store.unreadable(javaName(n), 1);
        store.unreadable(javaName(n) + LvolKind.REBUILDING_SUFFIX, 1);
      }
    }
  }

  private void clientStep(String proc, String label, Step st, boolean before, boolean after) {
    String n = st.name();
    if (st.action() == SpecAction.CreateRollback && before && !after) {
      history.rollbackDeleted(n);
    }
    history.clientStep(proc, st.action().name(), n, st.outcome(), before, after, !sched.alive(label), store);
    if (st.action() == SpecAction.CreateReserve && st.outcome().equals("ok")) {
      subject.introspection().liveObjects().stream()
          .filter(o -> o.name().equals(n) && o.inMap() && o.createInFlight())
          .mapToLong(o -> o.id())
          .max()
          .ifPresent(id -> history.creatingObj.put(proc, id));
    }
  }

  static boolean outcomeMatches(String spec, String java) {
    return spec.equals(java)
        || (java.equals("timeout")
            && (spec.equals("timeout-applied") || spec.equals("timeout-lost") || spec.equals("timeout-late")));
  }

  // ------------------------------------------------------------------ verify

  private String verify(int index, SpecStep s, SpecMapping m) {
    String label = current.get("verify");
    boolean running = label != null && sched.alive(label);
    boolean faithful = cfg.mode() == Mode.FAITHFUL;
    if (s.action().equals("VerifyStart") && !running) {
      label = "verify#" + (++ops);
      current.put("verify", label);
      var reg = subject.registry();
      sched.start(label, reg::verify);
      running = true;
    } else if (s.action().equals("VerifyStart") && faithful) {
      throw new Divergence(index, s, "a verify round starts but Java's round " + label + " has not returned");
    }
    if (!running) {
      if (faithful && !(s.action().equals("VerifyApply") && s.name() != null)) {
        throw new Divergence(index, s, "no Java verify round is in flight");
      }
      if (!faithful) {
        return "skipped: no V4 round in flight";
      }
    }
    if (s.action().equals("VerifyApply") && cfg.variant() == Variant.V4 && faithful) {
      ReplayScheduler.Parked p = running ? sched.settle(label) : null;
      String jn = javaName(s.name());
      boolean here = p != null && p.action() == SpecAction.VerifyApply && jn.equals(p.name());
      boolean passed = p == null || (p.action() == SpecAction.VerifyApply && p.name().compareTo(jn) > 0);
      if (!here) {
        if (!passed) {
          throw new Divergence(index, s, "Java's round is parked before " + p + ": it decides names in name order");
        }
        if (!Set.of("keep", "changed", "uncertain").contains(s.outcome())) {
          throw new Divergence(index, s, "Java's round does not visit " + s.name()
              + " (neither an entry nor a head lvol when it listed), but the spec decides " + s.outcome());
        }
        return "not visited";
      }
    }
    if (s.action().equals("VerifyApply") && !faithful && s.name() == null) {
      // a V0..V3 round applies in one step: V4 applies name by name, all of them now
      StringBuilder sb = new StringBuilder();
      while (sched.alive(label)) {
        ReplayScheduler.Parked p = sched.settle(label);
        if (p == null || p.action() != SpecAction.VerifyApply) {
          break;
        }
        Step st = sched.grant(label);
        sb.append(sb.length() == 0 ? "" : ", ").append(st.name()).append(' ').append(st.outcome());
      }
      return sb.length() == 0 ? "skipped: nothing to apply" : sb.toString();
    }
    return take(index, s, m, label, faithful);
  }

  // ------------------------------------------------------------------ environment

  private String environment(int index, SpecStep s) {
    boolean faithful = cfg.mode() == Mode.FAITHFUL;
    String n = javaName(s.name());
    switch (s.action()) {
      case "LoseLvol" -> {
        boolean had = store.loseLvol(n);
        if (!had && faithful) {
          throw new Divergence(index, s, "the spec loses lvol " + n + " but Java's store has none");
        }
        if (had) {
          history.loseLvol(n);
          if (recorder != null) {
            recorder.env("LoseLvol", n, "ok");
          }
        }
        return had ? "ok" : "skipped: no lvol";
      }
      case "Restart" -> {
        restart();
        return issue(index, s, faithful);
      }
      case "LateApply", "LateDrop" -> {
        boolean apply = s.action().equals("LateApply");
        String call = s.outcome();
        String lvol = call.equals("rdelete") ? n + LvolKind.REBUILDING_SUFFIX : n;
        Optional<Boolean> pending = store.pendingCreate(lvol);
        if (pending.isEmpty() || pending.get() != call.equals("create")) {
          if (faithful) {
            throw new Divergence(index, s, "the spec finishes a pending " + call + " of " + n
                + " but Java's store has " + (pending.isEmpty() ? "none" : pending.get() ? "a create" : "a delete")
                + " pending for " + lvol);
          }
          return "skipped: no such pending call";
        }
        store.finishLate(lvol, apply);
        if (apply && !call.equals("rdelete")) {
          history.lateApplied(n, call.equals("create"));
        }
        if (recorder != null) {
          recorder.env(s.action(), n, call);
        }
        return call + (apply ? " applied" : " dropped");
      }
      case "RebuildDropHead" -> {
        boolean ok = "WO".equals(history.eng.get(n)) && store.contains(n + LvolKind.REBUILDING_SUFFIX)
            && store.contains(n) && store.pendingCreate(n).isEmpty();
        if (!ok) {
          if (faithful) {
            throw new Divergence(index, s, "Java: no head to drop for a rebuild of " + n);
          }
          return "skipped: no rebuild";
        }
        store.loseLvol(n);
        history.fresh.remove(n);
        return "ok";
      }
      case "RebuildCloneHead" -> {
        boolean ok = "WO".equals(history.eng.get(n)) && store.contains(n + LvolKind.REBUILDING_SUFFIX)
            && !store.contains(n) && store.pendingCreate(n).isEmpty();
        if (!ok) {
          if (faithful) {
            throw new Divergence(index, s, "Java: " + n + " cannot be re-cloned (no rebuild, or its name taken)");
          }
          return "skipped: no rebuild";
        }
        store.putLvol(n, SIZE, LvolKind.HEAD, lvstoreOf(n));
        return "ok";
      }
      case "EnginePoll" -> {
        String mode = history.eng.getOrDefault(n, "none");
        if (!mode.equals("RW") && !mode.equals("WO")) {
          if (faithful) {
            throw new Divergence(index, s, "the engine polls " + n + " but Java's engine has it as " + mode);
          }
          return "skipped: engine mode " + mode;
        }
        Optional<Replica> r = subject.registry().get(n);
        String java = r.isEmpty() ? "notfound" : r.get().state() == ReplicaState.ERROR ? "error" : "found";
        if (faithful && !java.equals(s.outcome())) {
          throw new Divergence(index, s, "Java's ReplicaGet says " + java + " (" + r + ")");
        }
        if (!java.equals("found")) {
          history.markErr(n);
        }
        return java;
      }
      case "RebuildStart" -> {
        boolean ok = "WO".equals(history.eng.get(n))
            && subject.registry().get(n).map(x -> x.state() == ReplicaState.RUNNING).orElse(false)
            && !store.contains(n + LvolKind.REBUILDING_SUFFIX);
        if (!ok) {
          if (faithful) {
            throw new Divergence(index, s, "Java: " + n + " is not a running WO replica without a rebuild: eng "
                + history.eng.get(n) + ", entry " + subject.registry().get(n));
          }
          return "skipped: not rebuildable";
        }
        store.putLvol(n + LvolKind.REBUILDING_SUFFIX, SIZE, LvolKind.REBUILDING, lvstoreOf(n));
        history.rebuildStarted();
        return "ok";
      }
      case "RebuildFinish" -> {
        boolean had = store.loseLvol(n + LvolKind.REBUILDING_SUFFIX);
        if (!had) {
          if (faithful) {
            throw new Divergence(index, s, "Java's store has no " + n + LvolKind.REBUILDING_SUFFIX);
          }
          return "skipped: no rebuild";
        }
        if ("WO".equals(history.eng.get(n))) {
          history.eng.put(n, "RW");
        }
        return "ok";
      }
      default -> throw new Divergence(index, s, "unknown environment action");
    }
  }

  private void restart() {
    sched.abandonAll();
    subject.registry().close();
    current.clear();
    history.restart();
    if (recorder != null) {
      recorder.env("Restart", null, "ok");
    }
    subject = Subject.open(cfg.variant(), cfg.mutant(), store, listener);
  }

  /**
   * After a Restart: the store calls the spec leaves pending that Java's store does not have yet
   * were issued by operations of the old incarnation just before it died (the spec's {@code
   * issued}); they are started in the store as such a call would be.
   */
  private String issue(int index, SpecStep s, boolean faithful) {
    if (s.late() == null) {
      return "ok";
    }
    List<String> issued = new ArrayList<>();
    for (String c : s.late()) {
      String call = c.substring(0, c.indexOf(' '));
      String n = javaName(c.substring(c.indexOf(' ') + 1));
      String lvol = call.equals("rdelete") ? n + LvolKind.REBUILDING_SUFFIX : n;
      if (store.pendingCreate(lvol).isPresent()) {
        continue;
      }
      if (!store.startPending(lvol, call.equals("create"), SIZE)) {
        if (faithful) {
          throw new Divergence(index, s, "the old incarnation's " + call + " of " + n
              + " cannot be pending in Java's store");
        }
        continue;
      }
      issued.add(call + " " + n);
    }
    return issued.isEmpty() ? "ok" : "ok, issued " + issued;
  }

  /**
   * Lets every operation still running take its remaining steps, one step at a time in start
   * order (for {@link Mode#WHERE_IT_APPLIES}); returns what they did.
   */
  List<String> finish() {
    List<String> out = new ArrayList<>();
    // SPDK finishes what it started (the spec's fairness on LateResolve): an operation that waits
    // for a pending call to settle would otherwise retry until its deadline
    for (String lvol : store.pendingLate()) {
      boolean create = store.pendingCreate(lvol).orElse(false);
      if (store.finishLate(lvol, true) && !lvol.endsWith(LvolKind.REBUILDING_SUFFIX)) {
        history.lateApplied(lvol, create);
      }
      out.add("the store lands its pending " + (create ? "create" : "delete") + " of " + lvol);
    }
    boolean progress = true;
    int steps = 0;
    while (progress) {
      if (++steps > FINISH_STEPS) {
        throw new AssertionError("operations still running after " + FINISH_STEPS + " steps: " + sched + "\n"
            + String.join("\n", out.subList(Math.max(0, out.size() - 20), out.size())));
      }
      progress = false;
      for (String label : sched.live()) {
        ReplayScheduler.Parked p = sched.settle(label);
        if (p == null) {
          continue;
        }
        String n = p.name();
        boolean before = n != null && store.contains(n);
        Step st = sched.grant(label);
        boolean after = n != null && store.contains(n);
        String proc = label.substring(0, label.indexOf('#'));
        if (!proc.equals("verify") && !waits(st)) {
          clientStep(proc, label, st, before, after);
        }
        out.add(label + ": " + st.action() + (n == null ? "" : " " + n) + " -> " + st.outcome());
        progress = true;
      }
    }
    return out;
  }

  /** Whether the operation of the spec's client {@code proc} is still running in Java. */
  boolean inFlight(String proc) {
    String label = current.get(proc);
    return label != null && sched.alive(label);
  }

  /** Whether no client operation is running (verify rounds aside). */
  boolean idle() {
    return current.entrySet().stream().noneMatch(e -> !e.getKey().equals("verify") && sched.alive(e.getValue()));
  }

  /** How many rounds of steps {@link #finish} grants before it calls the operations stuck. */
  static final int FINISH_STEPS = 1_000;

  /** The properties Java violates now. */
  Map<String, String> violations() {
    return history.violations(subject, store, names());
  }

  @Override
  public void close() {
    sched.abandonAll();
    subject.registry().close();
  }
}
