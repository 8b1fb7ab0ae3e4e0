package dev.replicalifecycle.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records a registry's execution as a trace of spec events, for trace validation by TLC ({@code
 * spec/ReplicaLifecycleTrace.tla}). Install it as the registry's {@link StepListener} (alone, or
 * after a scheduler with {@link #chain}); without it the registry pays one {@code null} check
 * per step, so recording is off by default at no cost.
 *
 * <ul>
 *   <li>Order: one lock is held from {@code beforeStep} to {@code afterStep}, so events are in
 *       the order the steps took effect. (For a registry that blocks inside a step, as V0..V3
 *       do on their locks, use it only under a scheduler that grants enabled steps.)
 *   <li>A {@code busy} CreateReserve or DeleteMark is dropped: a try that found the name busy
 *       is not a spec step (the spec's action is not enabled); a {@code busy} store answer is.
 *       Steps of a closed registry ({@code closed}: the fence refused them) are dropped too: no
 *       step of an old incarnation runs after a restart.
 *   <li>Processes: verify's steps get proc {@code verify}; a client operation gets the lowest
 *       client id {@code c1..ck} free when it starts and keeps it until its last step (the spec's
 *       clients are idle between operations).
 *   <li>Names: renamed {@code n1..nk} in order of first appearance.
 *   <li>Environment: {@link #env} records LoseLvol, Restart, LateApply and LateDrop; {@link
 *       #late}, installed as the store's {@code LateListener}, records the pending calls the
 *       store finishes by itself; given the store, the recorder
 *       also finds lost head lvols itself by comparing the store's heads before each step with
 *       those after the previous one, and flags a head that appeared behind the registry's back
 *       ({@link #unmodelled()}): the spec has no such step.
 * </ul>
 *
 * <p>Every wait is bounded ({@code conformance.recorderWaitMs}, default 10 s): a step whose
 * {@code afterStep} never comes fails the next step that waits for it, and every later use of
 * the recorder, with an {@link AssertionError} naming the step, instead of a deadlock.
 *
 * <p>Events as NDJSON ({@link #writeNdjson}): {@code {"action":..,"proc":..,"name":..,"outcome":..}},
 * one per line, {@code name} null for the spec's None. Thread-safe.
 */
final class Recorder implements StepListener {

  /** One event, in the spec's words. */
  record Event(String action, String proc, String name, String outcome) {
    @Override
    public String toString() {
      return action + " " + proc + (name == null ? "" : " " + name) + " -> " + outcome;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReentrantLock lock = new ReentrantLock();
  private final boolean absentDeleteEnds;
  private final InMemoryLvolStore store;
  private final List<Event> events = new ArrayList<>();
  private final Map<Thread, String> clientOf = new HashMap<>();
  private final Set<String> busyClients = new HashSet<>();
  private final Map<String, String> canonical = new LinkedHashMap<>();
  private Set<String> heads = new TreeSet<>();
  private String unmodelled;
  /** The step each thread has begun and not ended (its {@code beforeStep} without {@code afterStep}). */
  private final Map<Thread, String> open = new java.util.concurrent.ConcurrentHashMap<>();
  private final long waitNanos;
  /** Why the recording is broken (a step event went missing), or null. */
  private volatile String broken;

  /** How long a step waits for another thread's step to end, by default. */
  static final Duration WAIT = Duration.ofMillis(Long.getLong("conformance.recorderWaitMs", 10_000));

  /**
   * @param absentDeleteEnds whether a DeleteMark that finds no entry ends the delete (V0..V3,
   *     and the V4 mutant NoopAbsentDelete); V4 goes on to delete the lvol
   * @param store the store, to find lvol losses and orphans by itself; null if {@link #env}
   *     records them
   */
  Recorder(boolean absentDeleteEnds, InMemoryLvolStore store) {
    this(absentDeleteEnds, store, WAIT);
  }

  /**
   * @param wait how long a step waits for another thread's step to end before the recording is
   *     declared broken (that step's {@code afterStep} is missing) instead of waiting for good
   */
  Recorder(boolean absentDeleteEnds, InMemoryLvolStore store, Duration wait) {
    this.absentDeleteEnds = absentDeleteEnds;
    this.store = store;
    this.waitNanos = wait.toNanos();
  }

  @Override
  public void beforeStep(SpecAction action, String name) {
    String step = action + (name == null ? "" : " " + name);
    String mine = open.get(Thread.currentThread());
    if (mine != null) {
      fail("step " + step + " of thread " + Thread.currentThread().getName() + " began before its step " + mine
          + " ended: the afterStep event of " + mine + " is missing");
    }
    acquire("step " + step);
    open.put(Thread.currentThread(), step);
    diffStore();
  }

  @Override
  public void afterStep(Step step) {
    if (open.remove(Thread.currentThread()) == null) {
      fail("afterStep " + step + " on thread " + Thread.currentThread().getName()
          + " without its beforeStep: the beforeStep event is missing");
    }
    try {
      if (!waits(step) && !step.outcome().equals("closed")) {
        record(step);
      }
      snapshot();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the lock, waiting at most the recorder's wait: a thread that holds it longer has begun
   * a step whose end never came. Then the recording is broken, and this fails naming that step.
   */
  private void acquire(String what) {
    String b = broken;
    if (b != null) {
      throw new AssertionError("the recording is broken: " + b);
    }
    try {
      if (lock.tryLock(waitNanos, java.util.concurrent.TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(what + " was interrupted while waiting for the recorder");
    }
    StringBuilder holders = new StringBuilder();
    open.forEach((t, st) -> holders.append(holders.length() == 0 ? "" : ", ").append(st).append(" (thread ")
        .append(t.getName()).append(')'));
    fail(what + " waited " + Duration.ofNanos(waitNanos).toMillis() + " ms for the step in progress to end: "
        + (holders.length() == 0 ? "a step of another thread" : holders) + " has no afterStep event");
  }

  private void fail(String why) {
    if (broken == null) {
      broken = why;
    }
    throw new AssertionError(why);
  }

  /** Throws if the recording is broken (a step event went missing); the recording is then not a trace. */
  void check() {
    String b = broken;
    if (b != null) {
      throw new AssertionError("the recording is broken: " + b);
    }
  }

  private static boolean waits(Step step) {
    return step.outcome().equals("busy")
        && (step.action() == SpecAction.CreateReserve || step.action() == SpecAction.DeleteMark);
  }

  private void record(Step step) {
    String a = step.action().name();
    String proc;
    if (a.startsWith("Verify")) {
      proc = "verify";
    } else {
      Thread t = Thread.currentThread();
      proc = clientOf.get(t);
      if (proc == null) {
        for (int k = 1; ; k++) {
          if (!busyClients.contains("c" + k)) {
            proc = "c" + k;
            break;
          }
        }
        clientOf.put(t, proc);
        busyClients.add(proc);
      }
      String o = step.outcome();
      boolean ends = a.equals("CreatePublish") || a.equals("CreateAbort") || a.equals("DeleteRemove")
          || (a.equals("CreateReserve") && o.equals("exists"))
          || (a.equals("DeleteMark") && o.equals("absent") && absentDeleteEnds);
      if (ends) {
        clientOf.remove(t);
        busyClients.remove(proc);
      }
    }
    events.add(new Event(a, proc, canon(step.name()), step.outcome()));
  }

  /**
   * An environment step: {@code LoseLvol} (with the Java name), {@code Restart}, or {@code
   * LateApply}/{@code LateDrop} (the replica's Java name; outcome create, delete or rdelete).
   */
  void env(String action, String javaName, String outcome) {
    acquire(action);
    try {
      diffStore();
      events.add(new Event(action, "env", canon(javaName), outcome));
      if (action.equals("Restart")) {
        clientOf.clear();
        busyClients.clear();
      }
      snapshot();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The store finished a pending call by itself (its {@code LateListener}): LateApply or LateDrop.
   * Called under the store's lock, on the thread whose store call landed it (inside that step,
   * whose event follows: the landing took effect first) or on a thread of the test.
   */
  void late(String lvol, boolean create, boolean applied) {
    boolean inStep = lock.isHeldByCurrentThread(); // the step's own store changes are not losses
    acquire("the store's late " + (create ? "create" : "delete") + " of " + lvol);
    try {
      if (!inStep) {
        diffStore();
      }
      boolean rebuilding = lvol.endsWith(LvolKind.REBUILDING_SUFFIX);
      String replica = rebuilding ? lvol.substring(0, lvol.length() - LvolKind.REBUILDING_SUFFIX.length()) : lvol;
      events.add(new Event(applied ? "LateApply" : "LateDrop", "env", canon(replica),
          create ? "create" : rebuilding ? "rdelete" : "delete"));
      if (applied && !rebuilding) {
        // the store changed under its own lock: follow it here, not by a listing
        if (create) {
          heads.add(lvol);
        } else {
          heads.remove(lvol);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Call at the end: records losses after the last step. */
  void finish() {
    acquire("the end of the recording");
    try {
      diffStore();
    } finally {
      lock.unlock();
    }
  }

  private String canon(String javaName) {
    if (javaName == null) {
      return null;
    }
    return canonical.computeIfAbsent(javaName, k -> "n" + (canonical.size() + 1));
  }

  private Set<String> currentHeads() {
    Set<String> out = new TreeSet<>();
    for (Lvol l : store.lvols()) {
      if (l.kind() == LvolKind.HEAD) {
        out.add(l.name());
      }
    }
    return out;
  }

  private void diffStore() {
    if (store == null) {
      return;
    }
    Set<String> now = currentHeads();
    for (String h : heads) {
      if (!now.contains(h)) {
        events.add(new Event("LoseLvol", "env", canon(h), "ok"));
      }
    }
    for (String h : now) {
      if (!heads.contains(h) && unmodelled == null) {
        unmodelled = "lvol " + h + " appeared behind the registry's back (not a spec step)";
      }
    }
    heads = now;
  }

  private void snapshot() {
    if (store != null) {
      heads = currentHeads();
    }
  }

  /** The events so far. */
  List<Event> events() {
    acquire("reading the events");
    try {
      check();
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  /** How many names and clients the trace uses. */
  int names() {
    return canonical.size();
  }

  int clients() {
    int max = 0;
    for (Event e : events()) {
      if (e.proc().startsWith("c")) {
        max = Math.max(max, Integer.parseInt(e.proc().substring(1)));
      }
    }
    return max;
  }

  /** Why the trace cannot be a spec behaviour whatever the registry did, or null. */
  String unmodelled() {
    return unmodelled;
  }

  /** The events as NDJSON, one object per line. */
  static String ndjson(List<Event> events) {
    StringBuilder sb = new StringBuilder();
    for (Event e : events) {
      try {
        sb.append(JSON.writeValueAsString(e)).append('\n');
      } catch (JsonProcessingException x) {
        throw new UncheckedIOException(x);
      }
    }
    return sb.toString();
  }

  static void writeNdjson(Path file, List<Event> events) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, ndjson(events));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads NDJSON written by {@link #writeNdjson}. */
  static List<Event> readNdjson(Path file) {
    try {
      List<Event> out = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.add(JSON.readValue(line, Event.class));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
