package dev.replicalifecycle.registry;

import dev.replicalifecycle.registry.VerifyReport.Change;
import dev.replicalifecycle.registry.VerifyReport.ChangeKind;
import dev.replicalifecycle.registry.VerifyReport.Skip;
import dev.replicalifecycle.registry.VerifyReport.SkipReason;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The V4 ("stamped verify") registry: see {@link ReplicaRegistry} for the contract and {@code
 * spec/ReplicaLifecycle.tla} for the model it follows step by step ({@link SpecAction}).
 *
 * <p>State: one {@link Slot} per name in a {@link ConcurrentHashMap}; every change to a name is a
 * {@code compute} on its key that stamps the slot with a fresh value of one global counter. A
 * slot whose replica is {@code null} is a tombstone: it remembers when the name was last freed,
 * so that a verify round can tell that a name changed even after it went away. Tombstones are
 * made only while a round runs, and the round removes them when it ends.
 *
 * <p>Thread-safe; no lock is held across a store call. The only lock is the round lock, which
 * only verify rounds take.
 */
final class StampedRegistry implements ReplicaRegistry {

  /** Outcome of a DeleteMark try that found the name busy: nothing happened, the delete waits. */
  static final String BUSY = "busy";

  /**
   * One name's state.
   *
   * @param replica the replica, or {@code null} for a tombstone
   * @param version the counter value of the last change to this name
   * @param busy completes when the create or delete in flight ends; {@code null} if none
   */
  private record Slot(Replica replica, long version, CompletableFuture<Void> busy) {
    boolean live() {
      return replica != null;
    }

    /** A delete is in flight: of a replica (deleting) or of an absent name (no replica). */
    boolean deleting() {
      return busy != null && (replica == null || replica.state() == ReplicaState.DELETING);
    }

    /** This name, settled (no operation in flight) with {@code next} as its replica. */
    Slot settle(Replica next, AtomicLong clock) {
      return new Slot(next, clock.incrementAndGet(), null);
    }
  }

  private final LvolStore store;
  private final StepListener listener;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong();
  private final ReentrantLock roundLock = new ReentrantLock();
  private volatile boolean closed;
  /** A verify round is between its stamp and its end (tombstones needed). */
  private volatile boolean roundActive;
  private volatile VerifyLoop loop;

  StampedRegistry(LvolStore store, StepListener listener) {
    this.store = store;
    this.listener = listener;
  }

  void startLoop(
      Duration interval, Consumer<VerifyReport> onReport, Consumer<ReplicaStoreException> onFail) {
    loop = VerifyLoop.start(this, interval, onReport, onFail);
  }

  // ---------------------------------------------------------------- create

  @Override
  public Replica create(String name, long sizeBytes) {
    ReplicaNames.validate(name);
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("sizeBytes must be positive: " + sizeBytes);
    }
    ensureOpen();

    // CreateReserve: a delete of the name in flight is waited for (per-name serialisation; a
    // try that finds one is reported as "busy", like DeleteMark's); any other entry, a create in
    // flight included, fails the create.
    CompletableFuture<Void> done = new CompletableFuture<>();
    Replica creating = new Replica(name, ReplicaState.CREATING, null, sizeBytes, null);
    boolean[] reserved = {false};
    while (true) {
      before(SpecAction.CreateReserve, name);
      Slot[] seen = {null};
      slots.compute(
          name,
          (k, cur) -> {
            seen[0] = cur;
            if (cur != null && (cur.deleting() || cur.live())) {
              return cur;
            }
            reserved[0] = true;
            return new Slot(creating, clock.incrementAndGet(), done);
          });
      if (seen[0] != null && seen[0].deleting()) {
        after(SpecAction.CreateReserve, name, BUSY);
        seen[0].busy().join();
        continue;
      }
      break;
    }
    after(SpecAction.CreateReserve, name, reserved[0] ? "ok" : "exists");
    if (!reserved[0]) {
      throw new ReplicaAlreadyExistsException(name, "replica " + name + " already exists");
    }

    try {
      // CreateLvol: look the name up first, so that an lvol no replica owns yet (an orphan
      // from before a restart) fails the create instead of being deleted by its rollback.
      // A look-up changes nothing, so even its timeout is a known outcome: no rollback.
      before(SpecAction.CreateLvol, name);
      boolean exists;
      try {
        exists = store.findLvol(name).isPresent();
      } catch (StoreException | RuntimeException e) {
        StoreException failure = asStoreException(e);
        after(SpecAction.CreateLvol, name, "fail");
        abort(name, done, null);
        throw new ReplicaStoreException(
            name,
            "create of " + name + " failed: looking the name up: " + failure.getMessage(),
            failure);
      }
      Lvol lvol;
      try {
        if (exists) {
          throw new LvolAlreadyExistsException("lvol " + name + " exists");
        }
        lvol = store.createLvol(name, sizeBytes);
      } catch (LvolAlreadyExistsException e) {
        after(SpecAction.CreateLvol, name, "exists");
        abort(name, done, null);
        throw new ReplicaAlreadyExistsException(
            name,
            "an lvol named "
                + name
                + " exists in the store but no replica owns it (a verify round adopts it)");
      } catch (StoreException | RuntimeException e) {
        StoreException failure = asStoreException(e);
        after(SpecAction.CreateLvol, name, failure.outcomeKnown() ? "fail" : "timeout");
        throw rollBack(name, done, failure);
      }
      after(SpecAction.CreateLvol, name, "ok");

      // CreateExpose: where engine code exposes the head; nothing to do here.
      before(SpecAction.CreateExpose, name);
      after(SpecAction.CreateExpose, name, "ok");

      // CreatePublish
      before(SpecAction.CreatePublish, name);
      Replica running = new Replica(name, ReplicaState.RUNNING, lvol.uuid(), sizeBytes, null);
      slots.compute(name, (k, cur) -> ownedBy(cur, done, name).settle(running, clock));
      done.complete(null);
      after(SpecAction.CreatePublish, name, "running");
      return running;
    } finally {
      // Unexpected errors (a listener that throws, an Error) must not leave the name stuck.
      if (!done.isDone()) {
        slots.computeIfPresent(
            name,
            (k, cur) ->
                cur.busy() == done
                    ? cur.settle(cur.replica().withError("create interrupted by an unexpected error"), clock)
                    : cur);
        done.complete(null);
      }
    }
  }

  /** CreateRollback (outcome unknown only), then CreateAbort; returns the exception to throw. */
  private ReplicaStoreException rollBack(
      String name, CompletableFuture<Void> done, StoreException cause) {
    if (cause.outcomeKnown()) {
      abort(name, done, null);
      return new ReplicaStoreException(
          name, "create of " + name + " failed; rolled back: " + cause.getMessage(), cause);
    }
    before(SpecAction.CreateRollback, name);
    String leftover = null;
    try {
      store.deleteLvol(name);
      after(SpecAction.CreateRollback, name, "ok");
    } catch (LvolNotFoundException e) {
      after(SpecAction.CreateRollback, name, "notfound");
    } catch (StoreException | RuntimeException e) {
      StoreException failure = asStoreException(e);
      after(SpecAction.CreateRollback, name, failure.outcomeKnown() ? "fail" : "timeout");
      leftover =
          "create failed ("
              + cause.getMessage()
              + ") and its rollback failed ("
              + failure.getMessage()
              + "): the lvol may exist; delete the replica";
    }
    abort(name, done, leftover);
    return new ReplicaStoreException(
        name,
        leftover != null
            ? "create of " + name + ": " + leftover
            : "create of " + name + " failed; rolled back: " + cause.getMessage(),
        cause);
  }

  /** CreateAbort: free the name, or leave it in error with {@code leftover} as the reason. */
  private void abort(String name, CompletableFuture<Void> done, String leftover) {
    before(SpecAction.CreateAbort, name);
    slots.compute(
        name,
        (k, cur) -> {
          Slot own = ownedBy(cur, done, name);
          return leftover == null ? free() : own.settle(own.replica().withError(leftover), clock);
        });
    done.complete(null);
    after(SpecAction.CreateAbort, name, leftover == null ? "removed" : "error");
  }

  // ---------------------------------------------------------------- delete

  @Override
  public void delete(String name) {
    ReplicaNames.validate(name);
    ensureOpen();

    // DeleteMark: mark (or reserve) the name; if an operation on it is in flight, wait for its
    // end and try again. A try that finds the name busy changes nothing and is reported with
    // the outcome "busy" (not a spec step: in the spec, DeleteMark is simply not enabled).
    CompletableFuture<Void> done = new CompletableFuture<>();
    while (true) {
      before(SpecAction.DeleteMark, name);
      Slot[] seen = {null};
      slots.compute(
          name,
          (k, cur) -> {
            seen[0] = cur;
            if (cur != null && cur.busy() != null) {
              return cur;
            }
            // An absent name is reserved with no replica: get() and list() do not show it.
            Replica deleting =
                cur != null && cur.live() ? cur.replica().withState(ReplicaState.DELETING) : null;
            return new Slot(deleting, clock.incrementAndGet(), done);
          });
      Slot cur = seen[0];
      if (cur == null || cur.busy() == null) {
        after(SpecAction.DeleteMark, name, cur != null && cur.live() ? "found" : "absent");
        break;
      }
      after(SpecAction.DeleteMark, name, BUSY);
      cur.busy().join();
    }

    try {
      // DeleteLvol: the head, then a rebuilding lvol if there is one (as the spec's step and
      // upstream do: left behind, it would keep a later replica of the name "alive" in verify's
      // eyes after its head is lost). Not found counts as done for both.
      before(SpecAction.DeleteLvol, name);
      StoreException failure = null;
      String deleted;
      try {
        try {
          store.deleteLvol(name);
          deleted = "ok";
        } catch (LvolNotFoundException e) {
          deleted = "notfound";
        }
        try {
          store.deleteLvol(name + LvolKind.REBUILDING_SUFFIX);
        } catch (LvolNotFoundException e) {
          // none: the usual case
        }
        after(SpecAction.DeleteLvol, name, deleted);
      } catch (StoreException | RuntimeException e) {
        failure = asStoreException(e);
        after(SpecAction.DeleteLvol, name, failure.outcomeKnown() ? "fail" : "timeout");
      }

      // DeleteRemove
      before(SpecAction.DeleteRemove, name);
      String reason = failure == null ? null : "delete failed: " + failure.getMessage();
      slots.compute(
          name,
          (k, cur) -> {
            Slot own = ownedBy(cur, done, name);
            return reason == null ? free() : own.settle(replicaOf(own, name).withError(reason), clock);
          });
      done.complete(null);
      after(SpecAction.DeleteRemove, name, reason == null ? "removed" : "error");
      if (failure != null) {
        throw new ReplicaStoreException(
            name, "delete of " + name + " failed; replica left in error: " + reason, failure);
      }
    } finally {
      if (!done.isDone()) {
        slots.computeIfPresent(
            name,
            (k, cur) ->
                cur.busy() == done
                    ? cur.settle(
                        replicaOf(cur, name).withError("delete interrupted by an unexpected error"),
                        clock)
                    : cur);
        done.complete(null);
      }
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<Replica> get(String name) {
    ReplicaNames.validate(name);
    Slot slot = slots.get(name);
    return slot == null ? Optional.empty() : Optional.ofNullable(slot.replica());
  }

  @Override
  public List<Replica> list() {
    List<Replica> out = new ArrayList<>();
    for (Slot slot : slots.values()) {
      if (slot.live()) {
        out.add(slot.replica());
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  // ---------------------------------------------------------------- verify

  @Override
  public VerifyReport verify() {
    ensureOpen();
    roundLock.lock();
    try {
      return round();
    } finally {
      roundLock.unlock();
    }
  }

  private VerifyReport round() {
    // VerifyStart. roundActive is set before the stamp is read: a name freed from now on keeps
    // a tombstone, so that this round sees it changed (see free()).
    before(SpecAction.VerifyStart, null);
    roundActive = true;
    try {
      long stamp = clock.get();
      afterStep(new Step(SpecAction.VerifyStart, null, "ok", stamp));
      return listAndApply(stamp);
    } finally {
      // Tombstones tell no later round anything: its stamp will be at least their version.
      roundActive = false;
      slots.forEach(
          (name, slot) -> {
            if (!slot.live() && slot.busy() == null) {
              slots.remove(name, slot);
            }
          });
    }
  }

  private VerifyReport listAndApply(long stamp) {
    // VerifyList
    before(SpecAction.VerifyList, null);
    List<Lvol> lvols;
    try {
      lvols = store.listLvols();
    } catch (StoreException | RuntimeException e) {
      StoreException failure = asStoreException(e);
      after(SpecAction.VerifyList, null, "fail");
      throw new ReplicaStoreException(
          null, "verify: listing lvols failed; nothing changed: " + failure.getMessage(), failure);
    }
    after(SpecAction.VerifyList, null, "ok");

    Decider decider = new Decider(stamp, lvols.size());
    List<Lvol> others = new ArrayList<>();
    for (Lvol lvol : lvols) {
      switch (lvol.kind()) {
        case HEAD -> decider.heads.put(lvol.name(), lvol);
        case REBUILDING -> {
          decider.rebuilding.add(lvol.replicaName());
          others.add(lvol);
        }
        case SNAPSHOT -> others.add(lvol);
      }
    }

    // VerifyApply, once per name the registry or the store knows. The order does not matter
    // (each decision is about its own name only); with a step listener it is name order, so
    // that traces and replays are repeatable.
    List<Change> changes = new ArrayList<>();
    List<Skip> skipped = new ArrayList<>();
    if (listener == null) {
      for (String name : slots.keySet()) {
        apply(name, decider, changes, skipped);
      }
      for (String head : decider.heads.keySet()) {
        if (!slots.containsKey(head) && ReplicaNames.isValid(head)) {
          apply(head, decider, changes, skipped);
        }
      }
      changes.sort(Comparator.comparing(Change::name));
      skipped.sort(Comparator.comparing(Skip::name));
    } else {
      TreeSet<String> names = new TreeSet<>(slots.keySet());
      for (String head : decider.heads.keySet()) {
        if (ReplicaNames.isValid(head)) {
          names.add(head);
        }
      }
      for (String name : names) {
        apply(name, decider, changes, skipped);
      }
    }

    // Lvols of other kinds whose replica has neither an entry nor a head: reported only.
    List<String> orphans = new ArrayList<>();
    for (Lvol lvol : others) {
      String owner = lvol.replicaName();
      Slot slot = slots.get(owner);
      if ((slot == null || !slot.live()) && !decider.heads.containsKey(owner)) {
        orphans.add(lvol.name());
      }
    }
    orphans.sort(null);
    return new VerifyReport(stamp, lvols.size(), changes, skipped, orphans);
  }

  /** One VerifyApply step. */
  private void apply(String name, Decider decider, List<Change> changes, List<Skip> skipped) {
    before(SpecAction.VerifyApply, name);
    decider.outcome = "keep";
    decider.result = null;
    slots.compute(name, decider);
    after(SpecAction.VerifyApply, name, decider.outcome);
    switch (decider.outcome) {
      case "changed" -> skipped.add(new Skip(name, SkipReason.CHANGED_SINCE_STAMP));
      case "inflight" -> skipped.add(new Skip(name, SkipReason.IN_FLIGHT));
      case "error" -> changes.add(new Change(name, ChangeKind.MARKED_ERROR, decider.result));
      case "adopt" -> changes.add(new Change(name, ChangeKind.ADOPTED, decider.result));
      default -> {}
    }
  }

  /**
   * The compare-and-set of VerifyApply as the remapping function of {@code compute} on the
   * name's key. One per round, reused for every name (a round runs on one thread); {@code
   * outcome} and {@code result} say what the last call decided.
   */
  private final class Decider implements BiFunction<String, Slot, Slot> {
    final long stamp;
    final Map<String, Lvol> heads;
    final Set<String> rebuilding = new HashSet<>();
    String outcome;
    Replica result;

    Decider(long stamp, int lvols) {
      this.stamp = stamp;
      this.heads = new HashMap<>(Math.max(16, lvols * 4 / 3 + 1));
    }

    @Override
    public Slot apply(String name, Slot cur) {
      return decide(name, cur, this);
    }
  }

  /** The compare-and-set of VerifyApply, run inside {@code compute} on the name's key. */
  private Slot decide(String name, Slot cur, Decider d) {
    long stamp = d.stamp;
    Map<String, Lvol> heads = d.heads;
    Set<String> rebuilding = d.rebuilding;
    if (cur != null && cur.version() > stamp) {
      d.outcome = "changed";
      return cur;
    }
    if (cur != null && cur.busy() != null) {
      d.outcome = "inflight";
      return cur;
    }
    Replica r = cur == null ? null : cur.replica();
    Lvol head = heads.get(name);
    if (r != null && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED)) {
      String lost = null;
      if (head == null && !rebuilding.contains(name)) {
        lost = "lvol " + name + " not found in the store";
      } else if (head != null && r.lvolUuid() != null && !r.lvolUuid().equals(head.uuid())) {
        // Not in the spec, which does not model lvol identity: an lvol of the same name made
        // behind the registry's back is not this replica's data.
        lost = "lvol " + name + " was replaced: uuid " + head.uuid() + ", expected " + r.lvolUuid();
      }
      if (lost != null) {
        d.outcome = "error";
        d.result = r.withError(lost + " (verify round at stamp " + stamp + ")");
        return cur.settle(d.result, clock);
      }
    }
    if (r == null && head != null) {
      d.outcome = "adopt";
      d.result = new Replica(name, ReplicaState.STOPPED, head.uuid(), head.sizeBytes(), null);
      return new Slot(d.result, clock.incrementAndGet(), null);
    }
    return cur;
  }

  // ---------------------------------------------------------------- close

  @Override
  public void close() {
    closed = true;
    VerifyLoop l = loop;
    if (l != null) {
      l.stop();
    }
  }

  // ---------------------------------------------------------------- helpers

  private void ensureOpen() {
    if (closed) {
      throw new RegistryClosedException();
    }
  }

  /** The slot of the operation owning {@code done}; anything else is a broken invariant. */
  private static Slot ownedBy(Slot cur, CompletableFuture<Void> done, String name) {
    if (cur == null || cur.busy() != done) {
      throw new IllegalStateException(
          "registry invariant broken: " + name + " changed while its operation was in flight");
    }
    return cur;
  }

  /**
   * What a name becomes when it is freed: a tombstone if a round is running (so that the round
   * sees the name changed since its stamp), else nothing at all (a later round's stamp is at
   * least this change's version, so it needs no tombstone). The version is taken before
   * {@code roundActive} is read, and a round sets {@code roundActive} before reading its stamp:
   * either this sees the round, or the round's stamp covers this change.
   */
  private Slot free() {
    long version = clock.incrementAndGet();
    return roundActive ? new Slot(null, version, null) : null;
  }

  /** The slot's replica; for the reservation of an absent name, a placeholder to mark error. */
  private static Replica replicaOf(Slot slot, String name) {
    return slot.live() ? slot.replica() : new Replica(name, ReplicaState.DELETING, null, 0, null);
  }

  private static StoreException asStoreException(Exception e) {
    if (e instanceof StoreException se) {
      return se;
    }
    return new StoreUnavailableException("store call threw " + e, e);
  }

  private void before(SpecAction action, String name) {
    if (listener != null) {
      listener.beforeStep(action, name);
    }
  }

  private void after(SpecAction action, String name, String outcome) {
    if (listener != null) {
      listener.afterStep(new Step(action, name, outcome, clock.get()));
    }
  }

  private void afterStep(Step step) {
    if (listener != null) {
      listener.afterStep(step);
    }
  }

}
