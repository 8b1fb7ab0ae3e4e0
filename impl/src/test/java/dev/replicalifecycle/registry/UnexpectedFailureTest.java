package dev.replicalifecycle.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The registry's safety nets (the {@code finally} blocks of create, delete and recover; issue 13,
 * item 3): a {@link StepListener} that throws an unexpected {@link RuntimeException}, then an
 * {@link Error}, at each step in turn (every {@link SpecAction}, before and after, with each
 * outcome the scenarios reach), and a store that throws one from each of its calls in turn. After
 * every such run the name must not be stuck: no {@code CREATING} or {@code DELETING} replica is
 * left, a delete of the name (faults off) succeeds and leaves no lvol, a verify round runs, and a
 * create of the name works.
 *
 * <p>Each scenario is first run without a fault to record its events (step events on the
 * operation's thread, or store calls); then once per distinct event and kind of throwable, with
 * the throw at the first occurrence of the event and again at its last.
 */
class UnexpectedFailureTest {
  private static final String N = "r1";
  /** A broken safety net breaks many runs, each waiting out an operation timeout: stop early. */
  private static final int MAX_PROBLEMS = 6;

  /** What to throw. */
  enum Kind {
    RUNTIME,
    ERROR;

    Throwable make(String where) {
      return this == RUNTIME ? new InjectedException(where) : new InjectedError(where);
    }
  }

  static final class InjectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedException(String where) {
      super("injected at " + where);
    }
  }

  static final class InjectedError extends Error {
    private static final long serialVersionUID = 1L;

    InjectedError(String where) {
      super("injected at " + where);
    }
  }

  /** Records the events of one thread and throws at the chosen occurrence of the chosen one. */
  static final class Injector {
    final List<String> events = new ArrayList<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private volatile Thread thread;
    private String target;
    private int occurrence;
    private Kind kind;
    Throwable thrown;

    void arm(String target, int occurrence, Kind kind) {
      this.target = target;
      this.occurrence = occurrence;
      this.kind = kind;
      this.thread = Thread.currentThread();
    }

    void disarm() {
      thread = null;
    }

    void hit(String label) {
      if (Thread.currentThread() != thread) {
        return;
      }
      events.add(label);
      int n = counts.merge(label, 1, Integer::sum);
      if (thrown == null && label.equals(target) && n == occurrence) {
        thrown = kind.make(label + " #" + n);
        if (thrown instanceof Error e) {
          throw e;
        }
        throw (RuntimeException) thrown;
      }
    }
  }

  /** A listener whose events are "before Action" and "after Action:outcome". */
  static final class ThrowingListener implements StepListener {
    final Injector injector;

    ThrowingListener(Injector injector) {
      this.injector = injector;
    }

    @Override
    public void beforeStep(SpecAction action, String name) {
      injector.hit("before " + action);
    }

    @Override
    public void afterStep(Step step) {
      injector.hit("after " + step.action() + ":" + step.outcome());
    }
  }

  /** A store whose events are its calls, "method(name)". */
  static final class ThrowingStore implements LvolStore {
    final LvolStore inner;
    final Injector injector;

    ThrowingStore(LvolStore inner, Injector injector) {
      this.inner = inner;
      this.injector = injector;
    }

    @Override
    public Lvol createLvol(String name, long sizeBytes) throws StoreException {
      injector.hit("createLvol(" + name + ")");
      return inner.createLvol(name, sizeBytes);
    }

    @Override
    public void deleteLvol(String name) throws StoreException {
      injector.hit("deleteLvol(" + name + ")");
      inner.deleteLvol(name);
    }

    @Override
    public LvolListing listLvols() throws StoreException {
      injector.hit("listLvols()");
      return inner.listLvols();
    }

    @Override
    public Optional<Lvol> findLvol(String name) throws StoreException {
      injector.hit("findLvol(" + name + ")");
      return inner.findLvol(name);
    }

    @Override
    public Lvol snapshotLvol(String name, String snapshotName) throws StoreException {
      injector.hit("snapshotLvol(" + name + ")");
      return inner.snapshotLvol(name, snapshotName);
    }

    @Override
    public Lvol renameLvol(String name, String newName) throws StoreException {
      injector.hit("renameLvol(" + name + ")");
      return inner.renameLvol(name, newName);
    }
  }

  /** One run's world. */
  static final class World {
    final InMemoryLvolStore store = new InMemoryLvolStore();
    final GatedStore gated = new GatedStore(store);
    final Injector injector = new Injector();
    final ReplicaRegistry registry;
    final List<Thread> helpers = new ArrayList<>();

    World(boolean listenerFaults, Duration operationTimeout, Duration retryDelay) {
      ReplicaRegistry.Builder b =
          ReplicaRegistry.builder(listenerFaults ? gated : new ThrowingStore(gated, injector))
              .operationTimeout(operationTimeout)
              .retryDelay(retryDelay);
      if (listenerFaults) {
        b.stepListener(new ThrowingListener(injector));
      }
      registry = b.build();
    }

    /** Runs {@code r} on a helper thread (an operation of another client). */
    void background(ThrowingRunnable r) {
      Thread t = new Thread(() -> {
        try {
          r.run();
        } catch (Throwable ignored) {
          // the helper's own outcome is not what the scenario checks
        }
      });
      t.setDaemon(true);
      helpers.add(t);
      t.start();
    }

    /** Releases the held call of this kind after {@code millis}, from a helper thread. */
    void releaseLater(Call call, long millis) {
      background(() -> {
        Thread.sleep(millis);
        gated.release(call, false);
      });
    }

    void joinHelpers() throws InterruptedException {
      for (Thread t : helpers) {
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(t.isAlive(), "helper thread still running");
      }
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @FunctionalInterface
  interface WorldStep {
    void run(World w) throws Exception;
  }

  /**
   * A scenario: a setup (no fault), then one operation on this thread, with faults armed.
   *
   * @param names every replica name the scenario touches (each is checked not stuck)
   */
  record Scenario(String label, Duration operationTimeout, Duration retryDelay, WorldStep setup, WorldStep op,
      Set<String> names) {
    Scenario(String label, WorldStep setup, WorldStep op) {
      this(label, Duration.ofSeconds(2), Duration.ofMillis(1), setup, op, Set.of(N));
    }
  }

  private static List<Scenario> scenarios() {
    List<Scenario> s = new ArrayList<>();
    s.add(new Scenario("create", w -> {}, w -> w.registry.create(N, 1)));
    s.add(new Scenario("create of a taken name", w -> w.registry.create(N, 1), w -> w.registry.create(N, 1)));
    s.add(new Scenario("create over an orphan lvol", w -> w.store.putLvol(N, 1), w -> w.registry.create(N, 1)));
    s.add(new Scenario("create rejected", w -> w.store.failNext(Call.CREATE, 1, Fault.REJECT),
        w -> w.registry.create(N, 1)));
    s.add(new Scenario("create answered EEXIST", w -> {
      w.store.setLateLanding(0);
      w.store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
      expectFailure(() -> w.store.createLvol(N, 1)); // an earlier registry's create, still pending
    }, w -> w.registry.create(N, 1)));
    s.add(new Scenario("create rolled back after a lost create",
        w -> w.store.failNext(Call.CREATE, 1, Fault.TIMEOUT_BEFORE_APPLY), w -> w.registry.create(N, 1)));
    s.add(new Scenario("create rolled back after an applied create",
        w -> w.store.failNext(Call.CREATE, 1, Fault.TIMEOUT_AFTER_APPLY), w -> w.registry.create(N, 1)));
    s.add(new Scenario("create that gives up", Duration.ofMillis(60), Duration.ofMillis(20), w -> {
      w.store.setLateLanding(0);
      w.store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    }, w -> w.registry.create(N, 1), Set.of(N)));
    s.add(new Scenario("create waiting for a delete", w -> {
      w.registry.create(N, 1);
      w.gated.hold(Call.DELETE);
      w.background(() -> w.registry.delete(N));
      w.gated.awaitArrival(Call.DELETE);
      w.releaseLater(Call.DELETE, 30);
    }, w -> w.registry.create(N, 1)));
    s.add(new Scenario("delete", w -> w.registry.create(N, 1), w -> w.registry.delete(N)));
    s.add(new Scenario("delete with a rebuilding lvol", w -> {
      w.registry.create(N, 1);
      w.store.putLvol(N + "-rebuilding", 1);
    }, w -> w.registry.delete(N)));
    s.add(new Scenario("delete of an absent name (probe)", w -> w.store.putLvol(N, 1), w -> w.registry.delete(N)));
    s.add(new Scenario("delete rejected", w -> {
      w.registry.create(N, 1);
      w.store.failNext(Call.DELETE, 1, Fault.REJECT);
    }, w -> w.registry.delete(N)));
    s.add(new Scenario("delete retried", w -> {
      w.registry.create(N, 1);
      w.store.failNext(Call.DELETE, 2, Fault.UNAVAILABLE);
    }, w -> w.registry.delete(N)));
    s.add(new Scenario("delete of an error replica (probe)", w -> {
      w.registry.create(N, 1);
      w.store.loseLvol(N);
      w.registry.verify();
    }, w -> w.registry.delete(N)));
    s.add(new Scenario("delete that gives up", Duration.ofMillis(60), Duration.ofMillis(20), w -> {
      w.registry.create(N, 1);
      w.store.failNext(Call.DELETE, 1000, Fault.UNAVAILABLE);
    }, w -> w.registry.delete(N), Set.of(N)));
    s.add(new Scenario("delete waiting for a create", w -> {
      w.gated.hold(Call.CREATE);
      w.background(() -> w.registry.create(N, 1));
      w.gated.awaitArrival(Call.CREATE);
      w.releaseLater(Call.CREATE, 30);
    }, w -> w.registry.delete(N)));
    s.add(new Scenario("verify", Duration.ofSeconds(2), Duration.ofMillis(1), w -> {
      w.registry.create(N, 1);
      w.registry.create("r2", 1);
      w.store.loseLvol("r2");
      w.store.putLvol("r3", 1); // adopted
      w.store.putLvol("r4-snap-1", 1); // an orphan snapshot
    }, w -> w.registry.verify(), Set.of(N, "r2", "r3")));
    s.add(new Scenario("verify of a relinked head", w -> {
      w.registry.create(N, 1);
      w.store.loseLvol(N);
      w.store.putLvol(N, 1);
    }, w -> w.registry.verify()));
    s.add(new Scenario("verify with a partial listing", w -> {
      w.registry.create(N, 1);
      w.store.unreadable(N, 1);
    }, w -> w.registry.verify()));
    s.add(new Scenario("verify skipping a name in flight", w -> {
      w.gated.hold(Call.CREATE);
      w.background(() -> w.registry.create(N, 1));
      w.gated.awaitArrival(Call.CREATE);
      w.releaseLater(Call.CREATE, 30);
    }, w -> w.registry.verify()));
    // the operations of spec/ReplicaChains.tla
    s.add(new Scenario("snapshot", w -> w.registry.create(N, 1), w -> w.registry.snapshot(N, "s1")));
    s.add(new Scenario("snapshot of a name in its chain (refused)", w -> {
      w.registry.create(N, 1);
      w.registry.snapshot(N, "s1");
    }, w -> w.registry.snapshot(N, "s1")));
    s.add(new Scenario("snapshot of a lost head", w -> {
      w.registry.create(N, 1);
      w.store.loseLvol(N);
    }, w -> w.registry.snapshot(N, "s1")));
    s.add(new Scenario("snapshot settled after a timeout", w -> {
      w.registry.create(N, 1);
      w.store.failNext(Call.SNAPSHOT, 1, Fault.TIMEOUT_AFTER_APPLY);
    }, w -> w.registry.snapshot(N, "s1")));
    s.add(new Scenario("deleteSnapshot", w -> {
      w.registry.create(N, 1);
      w.registry.snapshot(N, "s1");
    }, w -> w.registry.deleteSnapshot(N, "s1")));
    s.add(new Scenario("deleteSnapshot of a name not in the chain (refused)", w -> w.registry.create(N, 1),
        w -> w.registry.deleteSnapshot(N, "s1")));
    s.add(new Scenario("start", w -> {
      w.store.putLvol(N, 1);
      w.registry.verify(); // adopted, STOPPED
    }, w -> w.registry.start(N)));
    s.add(new Scenario("start of a running replica", w -> w.registry.create(N, 1), w -> w.registry.start(N)));
    s.add(new Scenario("start without a head", w -> {
      w.store.putLvol(N, 1);
      w.registry.verify();
      w.store.loseLvol(N);
    }, w -> w.registry.start(N)));
    s.add(new Scenario("finishRebuild", w -> w.registry.beginRebuild(N, 1), w -> w.registry.finishRebuild(N)));
    s.add(new Scenario("finishRebuild settled after a timeout", w -> {
      w.registry.beginRebuild(N, 1);
      w.store.failNext(Call.RENAME, 1, Fault.TIMEOUT_AFTER_APPLY);
    }, w -> w.registry.finishRebuild(N)));
    s.add(new Scenario("abortRebuild", w -> w.registry.beginRebuild(N, 1), w -> w.registry.abortRebuild(N)));
    s.add(new Scenario("abortRebuild of a running replica (refused)", w -> w.registry.create(N, 1),
        w -> w.registry.abortRebuild(N)));
    s.add(new Scenario("recover", w -> {
      w.registry.create(N, 1);
      Lvol lvol = w.store.findLvol(N).orElseThrow();
      w.store.loseLvol(N);
      w.registry.verify();
      w.store.restoreLvol(lvol);
    }, w -> w.registry.recover(N)));
    return s;
  }

  @Test
  void throwingStepListenerNeverLeavesANameStuck() throws Exception {
    Set<String> faulted = runAll(true);
    // every step, before and after, was hit by a throw at least once
    for (SpecAction a : EnumSet.allOf(SpecAction.class)) {
      assertTrue(faulted.contains("before " + a), "no throw before " + a + ": " + faulted);
      assertTrue(faulted.stream().anyMatch(e -> e.startsWith("after " + a + ":")),
          "no throw after " + a + ": " + faulted);
    }
  }

  @Test
  void throwingStoreNeverLeavesANameStuck() throws Exception {
    Set<String> faulted = runAll(false);
    for (String call : List.of("createLvol(", "deleteLvol(", "listLvols(", "findLvol(", "snapshotLvol(",
        "renameLvol(")) {
      assertTrue(faulted.stream().anyMatch(e -> e.startsWith(call)), "no throw from " + call + ": " + faulted);
    }
  }

  /** Runs every scenario with a throw at each of its events; returns the events thrown at. */
  private Set<String> runAll(boolean listenerFaults) throws Exception {
    Set<String> faulted = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Scenario sc : scenarios()) {
      List<String> events = run(sc, listenerFaults, null, 0, Kind.RUNTIME, problems);
      // (recover takes no step; a create of a taken name makes no store call)
      Map<String, int[]> occurrences = new LinkedHashMap<>();
      for (String e : events) {
        occurrences.computeIfAbsent(e, k -> new int[1])[0]++;
      }
      for (Map.Entry<String, int[]> e : occurrences.entrySet()) {
        for (int occurrence : new TreeSet<>(List.of(1, e.getValue()[0]))) {
          for (Kind kind : Kind.values()) {
            run(sc, listenerFaults, e.getKey(), occurrence, kind, problems);
            if (problems.size() >= MAX_PROBLEMS) {
              fail("stopped after " + problems.size() + " problem runs:\n  " + String.join("\n  ", problems));
            }
          }
        }
        faulted.add(e.getKey());
      }
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " runs left a name stuck or broke a rule:\n  " + String.join("\n  ", problems));
    }
    return faulted;
  }

  /** One run; returns the events the operation's thread saw. Problems are collected. */
  private List<String> run(Scenario sc, boolean listenerFaults, String target, int occurrence, Kind kind,
      List<String> problems) throws Exception {
    World w = new World(listenerFaults, sc.operationTimeout(), sc.retryDelay());
    String where = sc.label() + (target == null ? " (no fault)" : ", " + kind + " at " + target + " #" + occurrence)
        + (listenerFaults ? " [listener]" : " [store]");
    sc.setup().run(w);
    Set<String> orphansBefore = new TreeSet<>();
    for (String name : sc.names()) {
      if (w.store.contains(name) && w.registry.get(name).isEmpty()) {
        orphansBefore.add(name); // an lvol no replica owned before the operation
      }
    }
    w.injector.arm(target, occurrence, kind);
    Throwable outcome = null;
    try {
      sc.op().run(w);
    } catch (Throwable t) {
      outcome = t;
    } finally {
      w.injector.disarm();
    }
    w.joinHelpers();
    Throwable thrown = w.injector.thrown;
    if (thrown != null && (listenerFaults || thrown instanceof Error) && outcome != thrown) {
      problems.add(where + ": the operation ended with " + outcome + ", not the injected " + thrown);
    }
    if (thrown instanceof RuntimeException && !listenerFaults && outcome != null
        && !(outcome instanceof ReplicaException)) {
      problems.add(where + ": a store's RuntimeException must end as a ReplicaException, got " + outcome);
    }
    for (String name : sc.names()) {
      // an lvol the operation made or had is never left without a replica: a later round would
      // adopt it as STOPPED (the safety nets leave the replica in ERROR, visible)
      if (w.store.contains(name) && w.registry.get(name).isEmpty() && !orphansBefore.contains(name)) {
        problems.add(where + ": lvol " + name + " left with no replica");
      }
    }
    try {
      assertNotStuck(w, sc.names());
    } catch (AssertionError | RuntimeException e) {
      problems.add(where + ": " + e);
    }
    return w.injector.events;
  }

  /**
   * No CREATING or DELETING replica; with the faults off, every name deletes (no lvol left), a
   * round runs, and the name can be created again.
   */
  private static void assertNotStuck(World w, Set<String> names) {
    for (Replica r : w.registry.list()) {
      assertFalse(r.state() == ReplicaState.CREATING || r.state() == ReplicaState.DELETING,
          "left in flight: " + r);
    }
    w.store.clearFaults();
    w.store.landLate();
    for (String name : names) {
      w.registry.delete(name);
      assertTrue(w.registry.get(name).isEmpty(), name + " still there after delete");
      assertFalse(w.store.contains(name), "lvol " + name + " left after delete");
      assertFalse(w.store.contains(name + "-rebuilding"), "lvol " + name + "-rebuilding left after delete");
    }
    w.registry.verify();
    for (String name : names) {
      assertTrue(w.registry.get(name).isEmpty(), name + " came back after a round");
      assertEquals(ReplicaState.RUNNING, w.registry.create(name, 1).state());
    }
    assertEquals(Set.of(), w.registry.close(Duration.ofSeconds(1)));
  }

  private static void expectFailure(ThrowingRunnable r) {
    try {
      r.run();
    } catch (Exception expected) {
      return;
    }
    fail("expected a failure");
  }
}
