package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.LvolKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replays a behaviour of {@code spec/ReplicaChains.tla} (snapshots, start, rebuild) on a Java
 * registry, step by step, with the {@link ReplayScheduler}: each operation runs in its own thread
 * and takes exactly the Java steps {@link ChainMapping} ties to the spec's step. After each step
 * the four properties of that spec are evaluated on Java (registry and store, with the history
 * the spec keeps: snapshots acknowledged, names harmed, heads lost, twins made), to be compared
 * with TLC's state by the caller.
 *
 * <p>{@link Mode#FAITHFUL}: every step must be enabled in Java with the spec's outcome, else
 * {@link Divergence}. {@link Mode#WHERE_IT_APPLIES}: the same schedule on another registry
 * (V4): a process takes its next Java step when the spec moves it, whatever the outcome; a
 * process whose operation has ended (refused, say) is skipped; {@link #finish} lets what still
 * runs finish. Not thread-safe (the test's thread drives it).
 */
final class ChainReplay implements AutoCloseable {

  enum Mode { FAITHFUL, WHERE_IT_APPLIES }

  /** Java did not do what the spec's step says. */
  static final class Divergence extends AssertionError {
    private static final long serialVersionUID = 1L;

    Divergence(String message) {
      super(message);
    }
  }

  static final long SIZE = 1L << 20;

  private final Variant variant;
  private final String mutant;
  private final Mode mode;
  private final Map<String, String> javaNames;
  private final InMemoryLvolStore store = new InMemoryLvolStore();
  private final ReplayScheduler sched = new ReplayScheduler(Replayer.TIMEOUT_MS);
  private ReplicaRegistry registry;
  private int ops;
  /** The actor running each process's operation (client: the spec's name; "verify"). */
  private final Map<String, String> actor = new HashMap<>();
  /** The process of each actor label. */
  private final Map<String, String> procOf = new HashMap<>();
  /** The snapshot each client operation is about. */
  private final Map<String, String> snapOf = new HashMap<>();
  /** V0: the round's effect per spec name, once its round-level VerifyApply has run. */
  private Map<String, String> roundEffect;
  // the history the spec keeps, kept from Java's steps
  private final Map<String, Set<String>> acked = new TreeMap<>();
  private final Set<String> harmed = new TreeSet<>();
  private final Set<String> lost = new TreeSet<>();
  private final Set<String> twins = new TreeSet<>();

  /**
   * @param names the spec's replica names, in the order Java must visit them
   * @param running the names with a RUNNING replica at the start (the spec's {@code Running})
   */
  ChainReplay(Variant variant, String mutant, Mode mode, List<String> names, Set<String> running) {
    this.variant = variant;
    this.mutant = mutant;
    this.mode = mode;
    this.javaNames = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      javaNames.put(names.get(i), (char) ('a' + i) + "-" + names.get(i));
    }
    for (String n : names) {
      acked.put(n, new TreeSet<>());
    }
    open();
    for (String n : running) {
      registry.create(java(n), SIZE); // from the test's thread: not an actor, not parked
    }
  }

  private void open() {
    registry = Subject.open(variant, mutant, store, sched).registry();
  }

  String java(String specName) {
    String j = javaNames.get(specName);
    if (j == null) {
      throw new IllegalArgumentException("no Java name for " + specName);
    }
    return j;
  }

  ReplicaRegistry registry() {
    return registry;
  }

  InMemoryLvolStore store() {
    return store;
  }

  private String label() {
    return mutant == null ? variant.name() : variant.name() + "-" + mutant;
  }

  /**
   * Takes the Java steps of spec step {@code s}.
   *
   * @return what Java did, for the log
   */
  String apply(SpecStep s) {
    ChainMapping m = ChainMapping.of(s.action())
        .orElseThrow(() -> new Divergence("no mapping for the spec action " + s.action()));
    if (m.process.equals("env")) {
      return environment(s);
    }
    if (m == ChainMapping.VerifyDone) {
      return verifyDone();
    }
    if (m.process.equals("verify") && m == ChainMapping.VerifyApply) {
      return verifyApply(s);
    }
    String proc = m.process.equals("verify") ? "verify" : s.proc();
    if (m.starts != null) {
      start(proc, m, s);
    }
    List<SpecAction> steps = m.steps(variant);
    if (steps.isEmpty()) {
      throw new Divergence(s + ": " + label() + " has no Java step for " + m + " (not modelled in Java "
          + variant.name() + ")");
    }
    String label = actor.get(proc);
    if (label == null || !sched.alive(label)) {
      return skipOrDiverge(s, proc + " has no operation running");
    }
    ReplayScheduler.Parked p = sched.settle(label);
    if (p == null || !steps.contains(p.action())) {
      return skipOrDiverge(s, proc + " is " + (p == null ? "not parked (returned or waiting)" : "parked before " + p));
    }
    List<Step> taken = new ArrayList<>();
    while (p != null && steps.contains(p.action()) && (taken.isEmpty() || steps.size() > 1)) {
      taken.add(grant(label));
      p = sched.alive(label) ? sched.settle(label) : null;
    }
    Step first = taken.get(0);
    if (mode == Mode.FAITHFUL && !m.outcomeMatches(s.outcome(), first.outcome())) {
      throw new Divergence(s + ": Java's " + first.action() + " answered " + first.outcome() + " (" + label() + ")");
    }
    return first.action() + ":" + first.outcome() + (taken.size() > 1 ? " +" + (taken.size() - 1) : "");
  }

  private String skipOrDiverge(SpecStep s, String why) {
    if (mode == Mode.FAITHFUL) {
      throw new Divergence(s + ": not enabled in Java (" + label() + "): " + why + "; " + sched);
    }
    return "skipped (" + why + ")";
  }

  private void start(String proc, ChainMapping m, SpecStep s) {
    String old = actor.get(proc);
    if (old != null && sched.alive(old)) {
      if (mode == Mode.FAITHFUL) {
        throw new Divergence(s + ": " + proc + "'s previous operation is still running in Java; " + sched);
      }
      return;
    }
    String label = proc + "#" + (++ops);
    actor.put(proc, label);
    procOf.put(label, proc);
    ReplicaRegistry reg = registry;
    if (m == ChainMapping.VerifyStart) {
      roundEffect = null;
      sched.start(label, reg::verify);
      return;
    }
    String n = java(s.name());
    String snap = s.outcome();
    snapOf.put(proc, snap);
    switch (m) {
      case SnapMark -> sched.start(label, () -> reg.snapshot(n, snap));
      case SnapDelMark -> sched.start(label, () -> reg.deleteSnapshot(n, snap));
      case StartMark -> sched.start(label, () -> reg.start(n));
      case RebuildBegin -> sched.start(label, () -> reg.beginRebuild(n, SIZE));
      case RebuildFinishMark -> sched.start(label, () -> reg.finishRebuild(n));
      case RebuildAbortMark -> sched.start(label, () -> {
        reg.abortRebuild(n);
        return null;
      });
      default -> throw new IllegalStateException("not an operation's start: " + m);
    }
  }

  /**
   * Lets actor {@code label} take the step it is parked before and keeps the spec's history
   * variables from what that Java step did (whoever asked for it: a spec step, or {@link
   * #finish}).
   */
  private Step grant(String label) {
    ReplayScheduler.Parked p = sched.settle(label);
    String n = p == null || p.name() == null ? null : specNameOf(p.name());
    boolean headBefore = n != null && store.contains(java(n));
    Step st = sched.grant(label);
    String proc = procOf.get(label);
    String snap = snapOf.get(proc);
    switch (st.action()) {
      case SnapPublish -> {
        if (st.outcome().equals("ok")) {
          acked.get(n).add(snap);
        }
      }
      case SnapDelMark -> {
        if (st.outcome().equals(snap)) {
          acked.get(n).remove(snap);
        }
      }
      case DeleteMark -> { // an abortRebuild's mark
        if (st.outcome().equals("found")) {
          acked.get(n).clear();
        }
      }
      case StartLook -> {
        if (!headBefore && store.contains(java(n))) {
          twins.add(n);
        }
      }
      case VerifyApply -> {
        if (n != null && st.outcome().equals("error")) {
          harm(n);
        }
      }
      default -> {}
    }
    return st;
  }

  /** The spec's name of a Java name. */
  private String specNameOf(String javaName) {
    for (Map.Entry<String, String> e : javaNames.entrySet()) {
      if (e.getValue().equals(javaName)) {
        return e.getKey();
      }
    }
    throw new IllegalStateException("not a replayed name: " + javaName);
  }

  private String verifyApply(SpecStep s) {
    String n = s.name();
    String label = actor.get("verify");
    if (variant != Variant.V4) {
      // V0: one Java step for the whole round, taken at the round's first spec VerifyApply.
      if (roundEffect == null) {
        if (label == null || !sched.alive(label)) {
          return skipOrDiverge(s, "no verify round running");
        }
        ReplayScheduler.Parked p = sched.settle(label);
        if (p == null || p.action() != SpecAction.VerifyApply) {
          return skipOrDiverge(s, "verify is parked before " + p);
        }
        Map<String, Optional<Replica>> before = new HashMap<>();
        for (String x : javaNames.keySet()) {
          before.put(x, registry.get(java(x)));
        }
        sched.grant(label);
        roundEffect = new HashMap<>();
        for (String x : javaNames.keySet()) {
          Optional<Replica> was = before.get(x);
          Optional<Replica> now = registry.get(java(x));
          String effect = was.isEmpty() && now.isPresent() ? "adopt"
              : now.isPresent() && now.get().state() == ReplicaState.ERROR
                  && (was.isEmpty() || was.get().state() != ReplicaState.ERROR) ? "error"
              : now.isEmpty() && was.isPresent() ? "removed" : "keep";
          roundEffect.put(x, effect);
          if (effect.equals("error")) {
            harm(x);
          }
        }
      }
      String effect = roundEffect.get(n);
      if (mode == Mode.FAITHFUL && !s.outcome().equals(effect)) {
        throw new Divergence(s + ": Java's round did " + effect + " to " + n + " (" + label() + ")");
      }
      return "round: " + effect;
    }
    // V4: one step per name Java visits, in name order.
    if (label == null || !sched.alive(label)) {
      return notVisited(s, "the round has returned");
    }
    ReplayScheduler.Parked p = sched.settle(label);
    if (p == null || p.action() != SpecAction.VerifyApply || !java(n).equals(p.name())) {
      return notVisited(s, "verify is parked before " + p);
    }
    Step st = grant(label);
    // A name freed during the round keeps a tombstone in Java ("changed"): the spec's "keep" of a
    // name with no entry.
    boolean tombstone = s.outcome().equals("keep") && st.outcome().equals("changed") && registry.get(java(n)).isEmpty();
    if (mode == Mode.FAITHFUL && !tombstone && !ChainMapping.VerifyApply.outcomeMatches(s.outcome(), st.outcome())) {
      throw new Divergence(s + ": Java's VerifyApply answered " + st.outcome() + " (" + label() + ")");
    }
    return "VerifyApply:" + st.outcome();
  }

  /**
   * A spec decision about a name Java's round does not visit (no entry and no head when the round
   * began applying): it must change nothing ({@code keep}, or {@code skip} of an entry made since).
   */
  private String notVisited(SpecStep s, String why) {
    if (mode == Mode.FAITHFUL && !s.outcome().equals("keep") && !s.outcome().equals("skip")) {
      throw new Divergence(s + ": Java's round does not visit " + s.name() + " (" + why + ") but the spec decides "
          + s.outcome());
    }
    return "not visited";
  }

  /** Verify marked {@code n} ERROR: harm if its head or rebuilding lvol exists (the spec's harmed). */
  private void harm(String n) {
    if (store.contains(java(n)) || store.contains(java(n) + LvolKind.REBUILDING_SUFFIX)) {
      harmed.add(n);
    }
  }

  private String verifyDone() {
    String label = actor.get("verify");
    if (label != null && sched.alive(label)) {
      ReplayScheduler.Parked p = sched.settle(label);
      if (sched.alive(label)) {
        if (mode == Mode.FAITHFUL) {
          throw new Divergence("VerifyDone: Java's round has not returned: parked before " + p + "; " + sched);
        }
        return "round still running";
      }
    }
    Throwable e = label == null ? null : sched.error(label);
    if (e != null && mode == Mode.FAITHFUL) {
      throw new Divergence("VerifyDone: Java's round threw " + e);
    }
    return "round returned";
  }

  private String environment(SpecStep s) {
    switch (s.action()) {
      case "LoseHead" -> {
        boolean gone = store.loseLvol(java(s.name()));
        if (gone) {
          lost.add(s.name());
        } else if (mode == Mode.FAITHFUL) {
          throw new Divergence(s + ": Java has no head " + java(s.name()) + " to lose");
        }
        return gone ? "lost" : "no head to lose";
      }
      case "Restart" -> {
        sched.abandonAll();
        registry.close();
        open();
        return "restarted";
      }
      default -> throw new Divergence("unknown environment step " + s);
    }
  }

  /** The spec's properties, evaluated on Java: the violated ones with a reason. */
  Map<String, String> violations() {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, Set<String>> e : acked.entrySet()) {
      String n = java(e.getKey());
      Optional<Replica> r = registry.get(n);
      for (String s : e.getValue()) {
        if (!store.contains(n + LvolKind.SNAPSHOT_INFIX + s)) {
          out.put("AckedSnapshotKept", "the snapshot lvol of " + n + "/" + s + " is gone");
        } else if (r.isPresent() && r.get().state() != ReplicaState.DELETING && !r.get().snapshots().contains(s)) {
          out.put("AckedSnapshotKept", n + "'s chain " + r.get().snapshots() + " lacks " + s);
        }
      }
    }
    if (!harmed.isEmpty()) {
      out.put("NoErrorFromChainOps", "verify marked " + harmed + " ERROR while its data lvol existed");
    }
    for (String x : javaNames.keySet()) {
      Optional<Replica> r = registry.get(java(x));
      if (r.isPresent() && r.get().state() == ReplicaState.STOPPED && !store.contains(java(x)) && !lost.contains(x)) {
        out.put("OnlyHeadsAdopted", java(x) + " is STOPPED without a head");
      }
    }
    if (!twins.isEmpty()) {
      out.put("StartNoTwin", "a start made the head of " + twins);
    }
    return out;
  }

  /**
   * The same properties on a state of the spec, decoded from ITF: the violated ones.
   */
  static Set<String> specViolations(Map<String, Object> st) {
    Set<String> out = new TreeSet<>();
    Map<?, ?> acked = (Map<?, ?>) st.get("acked");
    Map<?, ?> sc = (Map<?, ?>) st.get("sc");
    Map<?, ?> map = (Map<?, ?>) st.get("map");
    Map<?, ?> head = (Map<?, ?>) st.get("head");
    Set<?> lost = Properties.set(st.get("lost"));
    for (Map.Entry<?, ?> e : acked.entrySet()) {
      Object n = e.getKey();
      for (Object s : Properties.set(e.getValue())) {
        boolean inStore = ((List<?>) sc.get(n)).contains(s);
        boolean inChain = !(map.get(n) instanceof Map<?, ?> entry) || entry.get("st").equals("deleting")
            || ((List<?>) entry.get("chain")).contains(s);
        if (!inStore || !inChain) {
          out.add("AckedSnapshotKept");
        }
      }
    }
    if (!Properties.set(st.get("harmed")).isEmpty()) {
      out.add("NoErrorFromChainOps");
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> entry && entry.get("st").equals("stopped")
          && !Boolean.TRUE.equals(head.get(e.getKey())) && !lost.contains(e.getKey())) {
        out.add("OnlyHeadsAdopted");
      }
    }
    if (!Properties.set(st.get("twins")).isEmpty()) {
      out.add("StartNoTwin");
    }
    return out;
  }

  /**
   * Lets every operation and round still running take its remaining steps ({@link
   * Mode#WHERE_IT_APPLIES}: the schedule has ended).
   *
   * @return the labels of those that did not return
   */
  List<String> finish() {
    for (int i = 0; i < 1_000; i++) {
      boolean moved = false;
      for (String label : sched.live()) {
        ReplayScheduler.Parked p = sched.settle(label);
        if (p != null) {
          grant(label);
          moved = true;
        }
      }
      if (!moved) {
        break;
      }
    }
    return sched.live();
  }

  /** What an operation threw, by label, for those that did. */
  Map<String, Throwable> errors() {
    Map<String, Throwable> out = new TreeMap<>();
    for (String label : new HashSet<>(actor.values())) {
      Throwable e = sched.error(label);
      if (e != null) {
        out.put(label, e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    sched.abandonAll();
    registry.close();
  }
}
