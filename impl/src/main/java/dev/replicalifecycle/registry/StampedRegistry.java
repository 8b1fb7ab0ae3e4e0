package dev.replicalifecycle.registry;

import dev.replicalifecycle.registry.VerifyReport.Change;
import dev.replicalifecycle.registry.VerifyReport.ChangeKind;
import dev.replicalifecycle.registry.VerifyReport.Skip;
import dev.replicalifecycle.registry.VerifyReport.SkipReason;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolBusyException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreProtocolException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The V4 ("stamped verify") registry: see {@link ReplicaRegistry} for the contract and {@code
 * spec/ReplicaLifecycle.tla} for the model it follows step by step ({@link SpecAction}).
 *
 * <p>State: one {@link Slot} per name in a {@link ConcurrentHashMap}; every change to a name is a
 * {@code compute} on its key that stamps the slot with a fresh value of one global counter. A
 * slot whose replica is {@code null} is a tombstone (when not busy): it remembers when the name
 * was last freed, so that a verify round can tell that a name changed even after it went away.
 * Tombstones are made only while a round runs, and the round removes them when it ends.
 *
 * <p>Every store call goes through {@link #call}, the fence: after {@link #close} has set {@code
 * closed} under the fence's lock, no call starts, and close waits for the calls already started.
 *
 * <p>Thread-safe; no lock is held across a store call. The locks are the fence's (held only to
 * register or unregister a call) and the round lock, which only verify rounds take.
 */
final class StampedRegistry implements ReplicaRegistry {

  /** Outcome of a DeleteMark or CreateReserve try that found the name busy: nothing happened. */
  static final String BUSY = "busy";
  /** Outcome of a step cut short by {@link #close}: the operation ends with RegistryClosed. */
  static final String CLOSED = "closed";
  /** Outcome of a mark step that found the replica in a state (or chain) the operation refuses. */
  static final String REFUSED = "refused";
  /** Size of the probe lvol a delete creates to prove that no create of the name is pending. */
  static final long PROBE_BYTES = 1L << 20;

  /**
   * One name's state.
   *
   * @param replica the replica, or {@code null} for a tombstone or a delete's reservation of an
   *     absent name
   * @param version the counter value of the last change to this name
   * @param busy completes when the create or delete in flight ends; {@code null} if none
   * @param lvstore the lvol store of the replica's lvol, if known
   * @param lostFrom for a replica verify marked error because its lvol was missing: the state it
   *     had (what {@link #recover} restores); {@code null} otherwise
   */
  private record Slot(
      Replica replica, long version, CompletableFuture<Void> busy, String lvstore, ReplicaState lostFrom) {
    boolean live() {
      return replica != null;
    }

    /** A delete is in flight: of a replica (deleting) or of an absent name (no replica). */
    boolean deleting() {
      return busy != null && (replica == null || replica.state() == ReplicaState.DELETING);
    }

    /** This name, settled (no operation in flight) with {@code next} as its replica. */
    Slot settle(Replica next, AtomicLong clock) {
      return new Slot(next, clock.incrementAndGet(), null, lvstore, null);
    }
  }

  /** The result of one store call: its value, or its failure. */
  private record Res<T>(T value, StoreException failure) {
    boolean ok() {
      return failure == null;
    }

    boolean is(Class<? extends StoreException> kind) {
      return kind.isInstance(failure);
    }

    /** The step outcome word, as in the spec. */
    String word() {
      if (failure == null) {
        return "ok";
      }
      if (failure instanceof LvolAlreadyExistsException) {
        return "exists";
      }
      if (failure instanceof LvolNotFoundException) {
        return "notfound";
      }
      if (failure instanceof LvolBusyException) {
        return "busy";
      }
      return failure.outcomeKnown() ? "fail" : "timeout";
    }
  }

  /** A store call. */
  @FunctionalInterface
  private interface StoreCall<T> {
    T run() throws StoreException;
  }

  private final LvolStore store;
  private final StepListener listener;
  private final long operationTimeoutNanos;
  private final long retryDelayNanos;
  private final Duration closeTimeout;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong();
  private final ReentrantLock roundLock = new ReentrantLock();
  /** Guards {@link #calls}; {@link #closed} is written under it. */
  private final Object fence = new Object();
  /** Store calls in flight: token to name (null for a listing). */
  private final Map<Object, String> calls = new IdentityHashMap<>();
  /** Completes when the registry is closed: wakes waiters and pauses. */
  private final CompletableFuture<Void> closedSignal = new CompletableFuture<>();
  private volatile boolean closed;
  /** A verify round is between its stamp and its end (tombstones needed). */
  private volatile boolean roundActive;
  private volatile VerifyLoop loop;

  StampedRegistry(
      LvolStore store,
      StepListener listener,
      Duration operationTimeout,
      Duration retryDelay,
      Duration closeTimeout) {
    this.store = store;
    this.listener = listener;
    this.operationTimeoutNanos = operationTimeout.toNanos();
    this.retryDelayNanos = retryDelay.toNanos();
    this.closeTimeout = closeTimeout;
  }

  void startLoop(
      Duration interval, Consumer<VerifyReport> onReport, Consumer<ReplicaStoreException> onFail) {
    loop = VerifyLoop.start(this, interval, onReport, onFail);
  }

  // ---------------------------------------------------------------- create

  @Override
  public Replica create(String name, long sizeBytes) {
    return make(name, sizeBytes, false);
  }

  @Override
  public Replica beginRebuild(String name, long sizeBytes) {
    return make(name, sizeBytes, true);
  }

  /**
   * A create: of the head ({@code rebuild} false, the replica ends RUNNING), or of the {@code
   * -rebuilding} lvol of a replica being rebuilt ({@code rebuild} true, it ends REBUILDING).
   */
  private Replica make(String name, long sizeBytes, boolean rebuild) {
    ReplicaNames.validate(name);
    String lvolName = rebuild ? name + LvolKind.REBUILDING_SUFFIX : name;
    ReplicaState finalState = rebuild ? ReplicaState.REBUILDING : ReplicaState.RUNNING;
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("sizeBytes must be positive: " + sizeBytes);
    }
    ensureOpen();
    long deadline = deadline();

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
            return new Slot(creating, clock.incrementAndGet(), done, null, null);
          });
      if (seen[0] != null && seen[0].deleting()) {
        after(SpecAction.CreateReserve, name, BUSY);
        await(seen[0].busy(), deadline, name);
        continue;
      }
      break;
    }
    if (!reserved[0]) {
      after(SpecAction.CreateReserve, name, "exists");
      throw new ReplicaAlreadyExistsException(name, "replica " + name + " already exists");
    }

    try {
      // Inside the try: the name is reserved, so a listener that throws here must not leave it so.
      after(SpecAction.CreateReserve, name, "ok");
      // CreateLvol: look the name (and its rebuilding lvol) up first, so that an lvol no replica
      // owns yet (an orphan from before a restart) fails the create instead of being deleted by
      // its rollback. A look-up changes nothing, so even its timeout is a known outcome.
      before(SpecAction.CreateLvol, name);
      Res<Boolean> look =
          call(
              SpecAction.CreateLvol,
              name,
              () ->
                  store.findLvol(name).isPresent()
                      || store.findLvol(name + LvolKind.REBUILDING_SUFFIX).isPresent());
      if (!look.ok()) {
        after(SpecAction.CreateLvol, name, "fail");
        abort(name, done, null);
        throw new ReplicaStoreException(
            name,
            "create of " + name + " failed: looking the name up: " + look.failure().getMessage()
                + "; nothing changed",
            look.failure());
      }
      if (look.value()) {
        after(SpecAction.CreateLvol, name, "exists");
        abort(name, done, null);
        throw new ReplicaAlreadyExistsException(
            name,
            "an lvol named " + name + " (or " + name + LvolKind.REBUILDING_SUFFIX
                + ") exists in the store but no replica owns it (a verify round adopts a head)");
      }
      Res<Lvol> made = call(SpecAction.CreateLvol, name, () -> store.createLvol(lvolName, sizeBytes));
      after(SpecAction.CreateLvol, name, made.word());
      if (made.is(LvolAlreadyExistsException.class)) {
        abort(name, done, null);
        throw new ReplicaAlreadyExistsException(
            name,
            "an lvol named " + lvolName + " exists or is being created in the store, and no replica"
                + " owns it");
      }
      if (!made.ok() && made.failure().outcomeKnown()) {
        abort(name, done, null);
        throw new ReplicaStoreException(
            name,
            "create of " + name + " failed; nothing changed: " + made.failure().getMessage(),
            made.failure());
      }
      if (!made.ok()) {
        throw settle(name, lvolName, sizeBytes, done, deadline, made.failure());
      }
      Lvol lvol = made.value();

      // CreateExpose: where engine code exposes the head; nothing to do here.
      before(SpecAction.CreateExpose, name);
      after(SpecAction.CreateExpose, name, "ok");

      // CreatePublish
      before(SpecAction.CreatePublish, name);
      Replica running = new Replica(name, finalState, lvol.uuid(), sizeBytes, null);
      slots.compute(
          name,
          (k, cur) -> {
            ownedBy(cur, done, name);
            return new Slot(running, clock.incrementAndGet(), null, lvol.lvstore(), null);
          });
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
                    ? cur.settle(
                        cur.replica().withError(
                            "create interrupted by an unexpected error: the lvol may exist;"
                                + " delete the replica"),
                        clock)
                    : cur)
            ;
        done.complete(null);
      }
    }
  }

  /**
   * The create's lvol call timed out or the store was unreachable: the lvol may exist, may be
   * pending in the store, or may never come. Keep the name reserved and settle it: CreateRollback
   * deletes the lvol (success proves that nothing is left: a create is applied at most once, and a
   * pending create excludes an lvol of the name); "not found" proves nothing (the create may still
   * be pending), so CreateSettle probes with a create of the name (EEXIST: it landed or is pending;
   * success: it never will, and the probe's lvol is the one to delete); anything else is tried
   * again after a pause. Past the operation deadline (or on an interrupt) it gives up: the replica
   * is left in ERROR and the outcome is unknown.
   *
   * @return the exception to throw
   */
  private ReplicaException settle(
      String name,
      String lvolName,
      long sizeBytes,
      CompletableFuture<Void> done,
      long deadline,
      StoreException cause) {
    int attempt = 0;
    while (true) {
      if (!mayTry(deadline)) {
        return giveUpCreate(name, done, cause);
      }
      before(SpecAction.CreateRollback, name);
      Res<Void> del = call(SpecAction.CreateRollback, name, () -> {
        store.deleteLvol(lvolName);
        return null;
      });
      after(SpecAction.CreateRollback, name, del.word());
      if (del.ok()) {
        abort(name, done, null);
        return new ReplicaStoreException(
            name,
            "create of " + name + " failed (" + cause.getMessage() + "); rolled back: its lvol is"
                + " deleted, nothing is left",
            cause);
      }
      if (del.is(LvolNotFoundException.class)) {
        if (!mayTry(deadline)) {
          return giveUpCreate(name, done, cause);
        }
        before(SpecAction.CreateSettle, name);
        Res<Lvol> probe = call(SpecAction.CreateSettle, name, () -> store.createLvol(lvolName, sizeBytes));
        after(SpecAction.CreateSettle, name, probe.word());
        if (probe.ok()) {
          continue; // the probe's lvol: the next rollback deletes it
        }
      }
      if (!pause(attempt++, deadline)) {
        return giveUpCreate(name, done, cause);
      }
    }
  }

  /** CreateAbort, giving up: the replica in error, its name taken until a delete settles it. */
  private ReplicaException giveUpCreate(String name, CompletableFuture<Void> done, StoreException cause) {
    if (closed) {
      return new RegistryClosedException();
    }
    String reason =
        "create outcome unknown (" + cause.getMessage() + "): its lvol may exist or still appear;"
            + " delete the replica to settle it";
    abort(name, done, reason);
    return new ReplicaOutcomeUnknownException(
        name,
        "create of " + name + " gave up: " + reason
            + (Thread.currentThread().isInterrupted() ? " (interrupted)" : ""),
        cause);
  }

  /** CreateAbort: free the name, or leave it in error with {@code reason} (giving up). */
  private void abort(String name, CompletableFuture<Void> done, String reason) {
    before(SpecAction.CreateAbort, name);
    slots.compute(
        name,
        (k, cur) -> {
          Slot own = ownedBy(cur, done, name);
          return reason == null ? free() : own.settle(own.replica().withError(reason), clock);
        });
    done.complete(null);
    after(SpecAction.CreateAbort, name, reason == null ? "removed" : "error");
  }

  // ---------------------------------------------------------------- delete

  @Override
  public void delete(String name) {
    delete(name, false);
  }

  @Override
  public void abortRebuild(String name) {
    delete(name, true);
  }

  /** A delete; {@code rebuildOnly}: only of a REBUILDING replica (an abort of its rebuild). */
  private void delete(String name, boolean rebuildOnly) {
    ReplicaNames.validate(name);
    ensureOpen();
    long deadline = deadline();
    Replica[] victim = {null};

    // DeleteMark: mark (or reserve) the name; if an operation on it is in flight, wait for its
    // end and try again. A try that finds the name busy changes nothing and is reported with
    // the outcome "busy" (not a spec step: in the spec, DeleteMark is simply not enabled).
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean probe;
    String marked;
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
            if (rebuildOnly
                && (cur == null || !cur.live() || cur.replica().state() != ReplicaState.REBUILDING)) {
              return cur;
            }
            // An absent name is reserved with no replica: get() and list() do not show it.
            Replica deleting =
                cur != null && cur.live() ? cur.replica().withState(ReplicaState.DELETING) : null;
            return new Slot(
                deleting, clock.incrementAndGet(), done, cur == null ? null : cur.lvstore(), null);
          });
      Slot cur = seen[0];
      if (rebuildOnly
          && (cur == null || cur.busy() == null)
          && (cur == null || !cur.live() || cur.replica().state() != ReplicaState.REBUILDING)) {
        after(SpecAction.DeleteMark, name, REFUSED);
        throw new ReplicaStateException(
            name,
            "abortRebuild: "
                + (cur == null || !cur.live()
                    ? "no replica " + name
                    : "replica " + name + " is " + cur.replica().state() + ", not REBUILDING")
                + "; nothing changed");
      }
      if (cur == null || cur.busy() == null) {
        boolean found = cur != null && cur.live();
        victim[0] = found ? cur.replica() : null;
        // "Not found" proves the lvol gone only where no create of the name can be pending: not
        // for a name with no entry (an earlier incarnation's create may be), nor for one in error
        // (a create that gave up may be).
        probe = !found || cur.replica().state() == ReplicaState.ERROR;
        marked = found ? "found" : "absent";
        break;
      }
      after(SpecAction.DeleteMark, name, BUSY);
      await(cur.busy(), deadline, name);
    }

    try {
      // Inside the try: the name is marked, so a listener that throws here must not leave it so.
      after(SpecAction.DeleteMark, name, marked);
      StoreException failure = null;
      boolean gaveUp = false;

      // The store may hold more snapshots of the name than its entry knows: a name with no entry
      // may have a head with a chain (after a restart, before a round adopted it), an adopted
      // one may have more than the listing showed, one in ERROR more than its entry says; and
      // any but a REBUILDING one may have a rebuilding lvol with a chain (a rebuild cut short
      // by a restart, also beside a head adopted since). So those chains are read before their
      // lvols go, and their snapshots deleted with the entry's (a replica the registry made or
      // started keeps its head's chain itself). A look-up whose outcome is unknown is tried
      // again; a rejected one fails the delete.
      List<String> known = victim[0] == null ? List.of() : victim[0].snapshots();
      ReplicaState was = victim[0] == null ? null : victim[0].state();
      boolean readHead = was == null || was == ReplicaState.ERROR || was == ReplicaState.STOPPED;
      boolean readRebuilding = was != ReplicaState.REBUILDING;
      List<String> chain = known;
      int attempt = 0;
      while (readHead || readRebuilding) {
        try {
          chain = new ArrayList<>(chainInStore(name, readHead, readRebuilding));
          for (String s : known) {
            if (!chain.contains(s)) {
              chain.add(s);
            }
          }
          break;
        } catch (StoreException e) {
          if (definiteFailure(e)) {
            failure = e;
            break;
          }
          if (!pause(attempt++, deadline)) {
            failure = e;
            gaveUp = true;
            break;
          }
        }
      }

      // DeleteRlvol: the rebuilding lvol first (a rebuild cannot re-clone the head without it).
      attempt = 0;
      String rebuilding = name + LvolKind.REBUILDING_SUFFIX;
      while (failure == null) {
        before(SpecAction.DeleteRlvol, name);
        Res<Void> r = call(SpecAction.DeleteRlvol, name, () -> {
          store.deleteLvol(rebuilding);
          return null;
        });
        after(SpecAction.DeleteRlvol, name, r.word());
        if (r.ok() || r.is(LvolNotFoundException.class)) {
          break;
        }
        if (definite(r)) {
          failure = r.failure();
          break;
        }
        if (!pause(attempt++, deadline)) {
          failure = r.failure();
          gaveUp = true;
          break;
        }
      }

      // DeleteLvol, with DeleteProbe where "not found" proves nothing.
      attempt = 0;
      while (failure == null) {
        before(SpecAction.DeleteLvol, name);
        Res<Void> r = call(SpecAction.DeleteLvol, name, () -> {
          store.deleteLvol(name);
          return null;
        });
        after(SpecAction.DeleteLvol, name, r.word());
        if (r.ok() || (r.is(LvolNotFoundException.class) && !probe)) {
          break;
        }
        if (r.is(LvolNotFoundException.class)) {
          if (!mayTry(deadline)) {
            failure = r.failure();
            gaveUp = true;
            break;
          }
          before(SpecAction.DeleteProbe, name);
          Res<Lvol> p = call(SpecAction.DeleteProbe, name, () -> store.createLvol(name, PROBE_BYTES));
          after(SpecAction.DeleteProbe, name, p.word());
          if (p.ok()) {
            continue; // no create is pending; delete the probe's lvol
          }
          if (definite(p) && !p.is(LvolAlreadyExistsException.class)) {
            failure = p.failure();
            break;
          }
        } else if (definite(r)) {
          failure = r.failure();
          break;
        }
        if (!pause(attempt++, deadline)) {
          failure = r.failure();
          gaveUp = true;
          break;
        }
      }

      // The snapshots of the replica's chain, newest first (each has no clone left once its
      // children are gone). No step of their own: spec/ReplicaChains' RebuildAbortDelete takes
      // them with the rebuilding lvol; spec/ReplicaLifecycle has no chains.
      for (int i = chain.size() - 1; i >= 0 && failure == null; i--) {
        String snapLvol = ReplicaNames.snapshotLvol(name, chain.get(i));
        attempt = 0;
        while (true) {
          Res<Void> r = call(null, name, () -> {
            store.deleteLvol(snapLvol);
            return null;
          });
          if (r.ok() || r.is(LvolNotFoundException.class)) {
            break;
          }
          if (definite(r)) {
            failure = r.failure();
            break;
          }
          if (!pause(attempt++, deadline)) {
            failure = r.failure();
            gaveUp = true;
            break;
          }
        }
      }

      if (gaveUp && closed) {
        throw new RegistryClosedException();
      }
      // DeleteRemove
      before(SpecAction.DeleteRemove, name);
      String reason =
          failure == null
              ? null
              : gaveUp
                  ? "delete outcome unknown (" + failure.getMessage() + "): delete it again to settle"
                  : "delete failed: " + failure.getMessage();
      slots.compute(
          name,
          (k, cur) -> {
            Slot own = ownedBy(cur, done, name);
            return reason == null ? free() : own.settle(replicaOf(own, name).withError(reason), clock);
          });
      done.complete(null);
      after(SpecAction.DeleteRemove, name, reason == null ? "removed" : "error");
      if (gaveUp) {
        throw new ReplicaOutcomeUnknownException(
            name, "delete of " + name + " gave up; replica left in error: " + reason, failure);
      }
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

  /** A failure that is an answer (nothing applied) and not "busy" (try again). */
  private static boolean definite(Res<?> r) {
    return !r.ok() && definiteFailure(r.failure());
  }

  // ---------------------------------------------------------------- snapshots, start, rebuild
  // The steps of spec/ReplicaChains.tla: each operation marks the name (SnapMark, SnapDelMark,
  // StartMark, RebuildFinishMark), makes its store call(s) as steps of their own, and ends with
  // a publish step that frees the name (SnapPublish, SnapDelPublish, StartLook,
  // RebuildFinishPublish). The look-ups that settle a call of unknown outcome are not steps
  // (that spec has no store faults); they run between the call's step and the next.

  /**
   * The mark step of an operation on an existing replica: marks the name busy, waiting (up to
   * the deadline) for an operation in flight on it; each try that finds it busy is reported as
   * {@code busy}, a refusal as {@code refused}. On success the caller reports the step's
   * outcome (exactly once: {@code after(mark, ...)}). The version is left as it is: the
   * operation's end stamps the name if it changed the replica.
   *
   * @throws ReplicaStateException if there is no replica or {@code allowed} refuses its state
   */
  private Slot acquire(
      String name,
      long deadline,
      CompletableFuture<Void> done,
      SpecAction mark,
      String op,
      Set<ReplicaState> allowed) {
    return acquire(
        name,
        deadline,
        done,
        mark,
        slot -> allowed.contains(slot.replica().state()),
        slot ->
            slot == null
                ? op + ": no replica " + name + "; nothing changed"
                : op + ": replica " + name + " is " + slot.replica().state() + ", not one of "
                    + allowed + "; nothing changed");
  }

  /**
   * As {@link #acquire(String, long, CompletableFuture, SpecAction, String, Set)}, with the test
   * on the live slot and the refusal's message (of {@code null}: no replica) given; {@code mark}
   * null: no step is reported.
   */
  private Slot acquire(
      String name,
      long deadline,
      CompletableFuture<Void> done,
      SpecAction mark,
      java.util.function.Predicate<Slot> allowed,
      java.util.function.Function<Slot, String> refusal) {
    while (true) {
      if (mark != null) {
        before(mark, name);
      }
      Slot[] seen = {null};
      slots.compute(
          name,
          (k, cur) -> {
            seen[0] = cur;
            if (cur == null || !cur.live() || cur.busy() != null || !allowed.test(cur)) {
              return cur;
            }
            return new Slot(cur.replica(), cur.version(), done, cur.lvstore(), cur.lostFrom());
          });
      Slot cur = seen[0];
      if (cur != null && cur.busy() != null) {
        if (mark != null) {
          after(mark, name, BUSY);
        }
        await(cur.busy(), deadline, name);
        continue;
      }
      if (cur == null || !cur.live() || !allowed.test(cur)) {
        if (mark != null) {
          after(mark, name, REFUSED);
        }
        throw new ReplicaStateException(name, refusal.apply(cur == null || !cur.live() ? null : cur));
      }
      return cur;
    }
  }

  /**
   * Ends an operation that {@link #acquire} started: the replica becomes {@code next} (stamped
   * with a new version, its lvol store {@code lvstore} if not null), or stays as it was if
   * {@code next} is null.
   */
  private Replica release(String name, CompletableFuture<Void> done, Replica next, String lvstore) {
    Replica[] out = {null};
    slots.compute(
        name,
        (k, cur) -> {
          Slot own = ownedBy(cur, done, name);
          if (next == null) {
            out[0] = own.replica();
            return new Slot(own.replica(), own.version(), null, own.lvstore(), own.lostFrom());
          }
          out[0] = next;
          return new Slot(next, clock.incrementAndGet(), null,
              lvstore == null ? own.lvstore() : lvstore, null);
        });
    done.complete(null);
    return out[0];
  }

  /**
   * The publish step {@code action}: {@link #release} as one step reported with {@code
   * outcome}. If the registry is closed the name is freed unchanged and {@link
   * RegistryClosedException} thrown.
   */
  private Replica publish(
      SpecAction action, String name, CompletableFuture<Void> done, Replica next, String lvstore,
      String outcome) {
    boolean stepping = false;
    try {
      before(action, name);
      stepping = true;
    } finally {
      if (!stepping) {
        release(name, done, null, null);
      }
    }
    Replica out = release(name, done, next, lvstore);
    after(action, name, outcome);
    return out;
  }

  /**
   * The end of an operation that failed (an exception on its way out): if it still holds the
   * name, frees it unchanged as the publish step {@code action} with the outcome {@code failed}.
   */
  private void endFailed(SpecAction action, String name, CompletableFuture<Void> done) {
    if (!done.isDone()) {
      try {
        publish(action, name, done, null, null, "failed");
      } catch (RegistryClosedException e) {
        // freed by publish; the operation's own exception goes on
      }
    }
  }

  /** The lvol a replica's data is in now: its head, or its rebuilding lvol while rebuilt. */
  private static String dataLvol(Replica r) {
    return r.state() == ReplicaState.REBUILDING ? r.name() + LvolKind.REBUILDING_SUFFIX : r.name();
  }

  @Override
  public Replica snapshot(String name, String snapshotName) {
    ReplicaNames.validate(name);
    ReplicaNames.validateSnapshot(name, snapshotName);
    ensureOpen();
    long deadline = deadline();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Slot mine =
        acquire(name, deadline, done, SpecAction.SnapMark, "snapshot",
            Set.of(ReplicaState.RUNNING, ReplicaState.REBUILDING));
    Replica r = mine.replica();
    try {
      if (r.snapshots().contains(snapshotName)) {
        release(name, done, null, null); // inside the step: a refusal never shows the name busy
        after(SpecAction.SnapMark, name, REFUSED);
        throw new ReplicaStateException(
            name, "snapshot: replica " + name + " already has a snapshot " + snapshotName
                + "; nothing changed");
      }
      after(SpecAction.SnapMark, name, snapshotName);
      String target = dataLvol(r);
      String snapLvol = ReplicaNames.snapshotLvol(name, snapshotName);
      Replica taken = r.plusSnapshot(snapshotName);
      StoreException unknown = null;
      int attempt = 0;
      while (true) {
        before(SpecAction.SnapCall, name);
        Res<Lvol> made = call(SpecAction.SnapCall, name, () -> store.snapshotLvol(target, snapLvol));
        after(SpecAction.SnapCall, name, made.word());
        if (made.ok()) {
          return publish(SpecAction.SnapPublish, name, done, taken, null, "ok");
        }
        boolean exists = made.is(LvolAlreadyExistsException.class);
        if (!exists && made.failure().outcomeKnown()) {
          if (unknown == null) {
            throw new ReplicaStoreException(
                name,
                "snapshot " + snapshotName + " of " + name + " failed; nothing changed: "
                    + made.failure().getMessage(),
                made.failure());
          }
          if (made.is(LvolNotFoundException.class)) {
            // The data lvol is gone (lost since): the first call was applied iff its snapshot
            // exists; no later call can make it.
            Res<Optional<Lvol>> snap = call(null, name, () -> store.findLvol(snapLvol));
            if (snap.ok()) {
              if (snap.value().isPresent()) {
                return publish(SpecAction.SnapPublish, name, done, taken, null, "ok");
              }
              throw new ReplicaStoreException(
                  name,
                  "snapshot " + snapshotName + " of " + name + " failed: its lvol " + target
                      + " is gone and the snapshot was not taken; nothing changed",
                  made.failure());
            }
          }
          // Otherwise, after an unknown outcome, a rejection says nothing about the first call.
        }
        if (!made.failure().outcomeKnown() && unknown == null) {
          unknown = made.failure();
        }
        // Settle: the snapshot is ours if the data lvol is its clone.
        Res<Optional<Lvol>> look = call(null, name, () -> store.findLvol(target));
        if (look.ok() && look.value().isPresent() && snapLvol.equals(look.value().get().parent())) {
          return publish(SpecAction.SnapPublish, name, done, taken, null, "ok");
        }
        if (exists && unknown == null) {
          Res<Optional<Lvol>> other = call(null, name, () -> store.findLvol(snapLvol));
          if (other.ok() && other.value().isPresent()) {
            throw new ReplicaStateException(
                name,
                "snapshot: an lvol named " + snapLvol + " exists and is not a snapshot of " + name
                    + "; nothing changed");
          }
          unknown = made.failure(); // "exists" but not listed: a create of it is still pending
        }
        if (!pause(attempt++, deadline)) {
          if (closed) {
            throw new RegistryClosedException();
          }
          String reason =
              "snapshot " + snapshotName + " outcome unknown (" + unknown.getMessage() + "): its lvol "
                  + snapLvol + " may exist or still appear; delete the replica to settle it";
          publish(SpecAction.SnapPublish, name, done, taken.withError(reason), null, "error");
          throw new ReplicaOutcomeUnknownException(name, "snapshot of " + name + " gave up: " + reason, unknown);
        }
      }
    } finally {
      endFailed(SpecAction.SnapPublish, name, done);
    }
  }

  @Override
  public Replica deleteSnapshot(String name, String snapshotName) {
    ReplicaNames.validate(name);
    ReplicaNames.validateSnapshot(name, snapshotName);
    ensureOpen();
    long deadline = deadline();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Slot mine =
        acquire(name, deadline, done, SpecAction.SnapDelMark, "deleteSnapshot",
            Set.of(ReplicaState.RUNNING, ReplicaState.STOPPED, ReplicaState.REBUILDING));
    Replica r = mine.replica();
    try {
      if (!r.snapshots().contains(snapshotName)) {
        release(name, done, null, null); // inside the step: a refusal never shows the name busy
        after(SpecAction.SnapDelMark, name, REFUSED);
        throw new ReplicaStateException(
            name, "deleteSnapshot: replica " + name + " has no snapshot " + snapshotName
                + " (its chain: " + r.snapshots() + "); nothing changed");
      }
      after(SpecAction.SnapDelMark, name, snapshotName);
      String snapLvol = ReplicaNames.snapshotLvol(name, snapshotName);
      int attempt = 0;
      while (true) {
        before(SpecAction.SnapDelCall, name);
        Res<Void> d = call(SpecAction.SnapDelCall, name, () -> {
          store.deleteLvol(snapLvol);
          return null;
        });
        after(SpecAction.SnapDelCall, name,
            d.is(dev.replicalifecycle.store.LvolHasClonesException.class) ? "clones" : d.word());
        if (d.ok() || d.is(LvolNotFoundException.class)) {
          return publish(SpecAction.SnapDelPublish, name, done, r.minusSnapshot(snapshotName), null, "ok");
        }
        if (d.is(dev.replicalifecycle.store.LvolHasClonesException.class)) {
          throw new ReplicaStateException(
              name, "deleteSnapshot: snapshot " + snapshotName + " of " + name
                  + " has more than one clone, SPDK refuses to delete it; nothing changed: "
                  + d.failure().getMessage());
        }
        if (definite(d)) {
          throw new ReplicaStoreException(
              name, "deleteSnapshot " + snapshotName + " of " + name + " failed; nothing changed: "
                  + d.failure().getMessage(), d.failure());
        }
        if (!pause(attempt++, deadline)) {
          if (closed) {
            throw new RegistryClosedException();
          }
          throw new ReplicaOutcomeUnknownException(
              name, "deleteSnapshot " + snapshotName + " of " + name + " gave up ("
                  + d.failure().getMessage() + "): it stays in the chain; delete it again to settle",
              d.failure());
        }
      }
    } finally {
      endFailed(SpecAction.SnapDelPublish, name, done);
    }
  }

  @Override
  public Replica start(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    long deadline = deadline();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Slot mine =
        acquire(name, deadline, done, SpecAction.StartMark, "start",
            Set.of(ReplicaState.STOPPED, ReplicaState.RUNNING));
    Replica r = mine.replica();
    try {
      if (r.state() == ReplicaState.RUNNING) {
        // nothing to do (not a spec step): freed inside the step, so never seen busy
        Replica out = release(name, done, null, null);
        after(SpecAction.StartMark, name, "running");
        return out;
      }
      after(SpecAction.StartMark, name, "ok");
      int attempt = 0;
      while (true) {
        // StartLook: the head and its chain looked up; the replica RUNNING, or unchanged.
        before(SpecAction.StartLook, name);
        StoreException failure;
        try {
          Optional<Lvol> head = lookUp(SpecAction.StartLook, name, name);
          if (head.isEmpty() || head.get().kind() != LvolKind.HEAD
              || (r.lvolUuid() != null && !r.lvolUuid().equals(head.get().uuid()))) {
            release(name, done, null, null);
            after(SpecAction.StartLook, name, "nohead");
            throw new ReplicaStateException(
                name,
                "start: the head lvol of " + name + " is "
                    + (head.isEmpty() ? "not in the store" : "another lvol (" + head.get().uuid()
                        + ") than the one adopted (" + r.lvolUuid() + ")")
                    + "; start never creates one; nothing changed");
          }
          List<String> chain = chainFrom(SpecAction.StartLook, name, head);
          Replica running =
              new Replica(name, ReplicaState.RUNNING, head.get().uuid(), r.sizeBytes(), null, chain);
          Replica out = release(name, done, running, head.get().lvstore());
          after(SpecAction.StartLook, name, "running");
          return out;
        } catch (StoreException e) {
          failure = e;
        }
        after(SpecAction.StartLook, name, failure.outcomeKnown() ? "fail" : "timeout");
        if (definiteFailure(failure) || !pause(attempt++, deadline)) {
          if (closed) {
            throw new RegistryClosedException();
          }
          throw new ReplicaStoreException(
              name, "start of " + name + ": looking its lvols up failed; nothing changed: "
                  + failure.getMessage(), failure);
        }
      }
    } finally {
      // a start that failed frees the name in a step of its own (StartLook "failed")
      endFailed(SpecAction.StartLook, name, done);
    }
  }

  /**
   * The snapshots of replica {@code name} as the store has them: the chain of its head lvol
   * (look-ups of the head and its parents; if {@code head}), oldest first, then those of its
   * rebuilding lvol's chain not in it (if {@code rebuilding}: a rebuild cut short by a restart
   * leaves them with no replica); empty if it has neither.
   *
   * @throws StoreException if a look-up failed
   */
  private List<String> chainInStore(String name, boolean head, boolean rebuilding) throws StoreException {
    List<String> chain = head ? chainFrom(null, name, lookUp(null, name, name)) : new ArrayList<>();
    if (rebuilding) {
      for (String s : chainFrom(null, name, lookUp(null, name, name + LvolKind.REBUILDING_SUFFIX))) {
        if (!chain.contains(s)) {
          chain.add(s);
        }
      }
    }
    return chain;
  }

  /**
   * The chain below lvol {@code at} (a head, if present): its parents, looked up one by one, as
   * long as they are snapshots of replica {@code name}; oldest first. The look-ups belong to
   * step {@code step} (null: to none).
   *
   * @throws StoreException if a look-up failed
   */
  private List<String> chainFrom(SpecAction step, String name, Optional<Lvol> at) throws StoreException {
    List<String> chain = new ArrayList<>();
    while (at.isPresent() && at.get().parent() != null && isOwnSnapshot(name, at.get().parent())
        && chain.size() < 10_000) {
      String parent = at.get().parent();
      chain.add(0, snapshotNameOf(name, parent));
      at = lookUp(step, name, parent);
    }
    return chain;
  }

  /**
   * The chain below head {@code head} as a listing shows it ({@code all}: its lvols by name),
   * oldest first; it stops at a parent the listing does not have.
   */
  private static List<String> listedChain(String name, Lvol head, Map<String, Lvol> all) {
    List<String> chain = new ArrayList<>();
    Lvol at = head;
    while (at.parent() != null && isOwnSnapshot(name, at.parent()) && all.containsKey(at.parent())
        && chain.size() < all.size()) {
      chain.add(0, snapshotNameOf(name, at.parent()));
      at = all.get(at.parent());
    }
    return chain;
  }

  /** The snapshot name of {@code lvolName}, a snapshot lvol of replica {@code name}. */
  private static String snapshotNameOf(String name, String lvolName) {
    return lvolName.substring(name.length() + LvolKind.SNAPSHOT_INFIX.length());
  }

  /** Whether {@code lvolName} is a snapshot lvol of replica {@code name}. */
  private static boolean isOwnSnapshot(String name, String lvolName) {
    return LvolKind.of(lvolName) == LvolKind.SNAPSHOT
        && LvolKind.SNAPSHOT.replicaName(lvolName).equals(name);
  }

  /** {@code findLvol} through the fence, inside step {@code step} (or none); a failure is thrown. */
  private Optional<Lvol> lookUp(SpecAction step, String name, String lvolName) throws StoreException {
    Res<Optional<Lvol>> r = call(step, name, () -> store.findLvol(lvolName));
    if (!r.ok()) {
      throw r.failure();
    }
    return r.value();
  }

  private static boolean definiteFailure(StoreException e) {
    return e.outcomeKnown() && !(e instanceof LvolBusyException);
  }

  @Override
  public Replica finishRebuild(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    long deadline = deadline();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Slot mine =
        acquire(name, deadline, done, SpecAction.RebuildFinishMark, "finishRebuild",
            Set.of(ReplicaState.REBUILDING));
    Replica r = mine.replica();
    String rebuilding = name + LvolKind.REBUILDING_SUFFIX;
    try {
      // Inside the try: the name is marked, so a listener that throws here must not leave it so.
      after(SpecAction.RebuildFinishMark, name, "ok");
      StoreException unknown = null;
      int attempt = 0;
      while (true) {
        before(SpecAction.RebuildRename, name);
        Res<Lvol> ren = call(SpecAction.RebuildRename, name, () -> store.renameLvol(rebuilding, name));
        after(SpecAction.RebuildRename, name, ren.word());
        if (ren.ok()) {
          return publish(SpecAction.RebuildFinishPublish, name, done,
              new Replica(name, ReplicaState.RUNNING, ren.value().uuid(), r.sizeBytes(), null,
                  r.snapshots()), ren.value().lvstore(), "running");
        }
        if (ren.failure().outcomeKnown() && unknown == null) {
          throw new ReplicaStoreException(
              name, "finishRebuild of " + name + ": renaming " + rebuilding + " to " + name
                  + " failed; nothing changed: " + ren.failure().getMessage(), ren.failure());
        }
        if (!ren.failure().outcomeKnown()) {
          unknown = ren.failure();
        }
        // Settle: the head is the rebuilding lvol under its new name (same UUID), or not yet.
        Optional<Lvol> head = Optional.empty();
        Optional<Lvol> ours = Optional.empty();
        try {
          head = lookUp(null, name, name);
          if (head.isPresent() && (r.lvolUuid() == null || r.lvolUuid().equals(head.get().uuid()))) {
            return publish(SpecAction.RebuildFinishPublish, name, done,
                new Replica(name, ReplicaState.RUNNING, head.get().uuid(), r.sizeBytes(), null,
                    r.snapshots()), head.get().lvstore(), "running");
          }
          if (head.isPresent() && ren.is(LvolAlreadyExistsException.class)) {
            ours = lookUp(null, name, rebuilding);
          }
        } catch (StoreException e) {
          // not settled yet
        }
        if (ours.isPresent() && (r.lvolUuid() == null || r.lvolUuid().equals(ours.get().uuid()))) {
          // Another lvol holds the head's name and ours is still under its own: no try can succeed
          // while it does, so trying until the deadline would change nothing. Yet the timed-out
          // rename may still land if that lvol goes: the outcome is unknown, as at the deadline.
          String reason = "finishRebuild outcome unknown (" + unknown.getMessage() + "): the name " + name
              + " is taken by another lvol (" + head.get().uuid() + ") and " + rebuilding
              + " is still there; the timed-out rename may land if that lvol goes; delete the replica to"
              + " settle it";
          publish(SpecAction.RebuildFinishPublish, name, done, r.withError(reason), null, "error");
          throw new ReplicaOutcomeUnknownException(name, "finishRebuild of " + name + " gave up: " + reason,
              unknown);
        }
        if (!pause(attempt++, deadline)) {
          if (closed) {
            throw new RegistryClosedException();
          }
          String reason = "finishRebuild outcome unknown (" + unknown.getMessage() + "): " + rebuilding
              + " may have become " + name + "; delete the replica to settle it";
          publish(SpecAction.RebuildFinishPublish, name, done, r.withError(reason), null, "error");
          throw new ReplicaOutcomeUnknownException(name, "finishRebuild of " + name + " gave up: " + reason,
              unknown);
        }
      }
    } finally {
      endFailed(SpecAction.RebuildFinishPublish, name, done);
    }
  }

  // ---------------------------------------------------------------- recover

  @Override
  public Replica recover(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    long deadline = deadline();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Slot original =
        acquire(
            name,
            deadline,
            done,
            null,
            StampedRegistry::recoverable,
            cur ->
                cur == null
                    ? "recover: no replica " + name
                    : "recover: replica " + name + " is " + cur.replica().state()
                        + (cur.replica().errorReason() == null
                            ? ""
                            : " (" + cur.replica().errorReason() + ")")
                        + ", not in error for a missing lvol");
    try {
      Res<Optional<Lvol>> found = call(null, name, () -> store.findLvol(name));
      Optional<Lvol> lvol = found.ok() ? found.value() : Optional.empty();
      boolean back =
          lvol.isPresent()
              && lvol.get().kind() == LvolKind.HEAD
              && lvol.get().uuid().equals(original.replica().lvolUuid());
      Replica restored =
          back ? original.replica().withState(original.lostFrom()) : original.replica();
      release(name, done, back ? restored : null, back ? lvol.get().lvstore() : null);
      if (!found.ok()) {
        throw new ReplicaStoreException(
            name, "recover of " + name + ": looking the lvol up failed; nothing changed: "
                + found.failure().getMessage(), found.failure());
      }
      if (!back) {
        throw new ReplicaStateException(
            name,
            "recover: the lvol of " + name + " with UUID " + original.replica().lvolUuid()
                + " is not in the store"
                + lvol.map(l -> " (an lvol of that name has UUID " + l.uuid() + ")").orElse("")
                + "; nothing changed");
      }
      return restored;
    } finally {
      if (!done.isDone()) {
        release(name, done, null, null);
      }
    }
  }

  private static boolean recoverable(Slot s) {
    return s.live() && s.replica().state() == ReplicaState.ERROR && s.lostFrom() != null
        && s.replica().lvolUuid() != null;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<Replica> get(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    Slot slot = slots.get(name);
    return slot == null ? Optional.empty() : Optional.ofNullable(slot.replica());
  }

  @Override
  public List<Replica> list() {
    ensureOpen();
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
    try {
      roundLock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReplicaBusyException(null, true, "interrupted while waiting for a verify round");
    }
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
    Res<LvolListing> listed = call(SpecAction.VerifyList, null, store::listLvols);
    if (!listed.ok()) {
      StoreException failure = listed.failure();
      // A protocol error drops the connection as a broken one does.
      boolean broken =
          failure instanceof StoreUnavailableException || failure instanceof StoreProtocolException;
      after(SpecAction.VerifyList, null, broken ? "broken" : "fail");
      throw new ReplicaStoreException(
          null, "verify: listing lvols failed; nothing changed: " + failure.getMessage(), failure);
    }
    LvolListing listing = listed.value();
    after(SpecAction.VerifyList, null, listing.isComplete() ? "ok" : "partial");

    Decider decider = new Decider(stamp, listing);
    List<Lvol> others = new ArrayList<>();
    int nonReplica = 0;
    for (Lvol lvol : listing.lvols()) {
      decider.all.put(lvol.name(), lvol);
      switch (lvol.kind()) {
        case HEAD -> {
          if (ReplicaNames.isValid(lvol.name())) {
            decider.heads.put(lvol.name(), lvol);
          } else {
            nonReplica++;
          }
        }
        case REBUILDING -> {
          decider.rebuilding.add(lvol.replicaName());
          others.add(lvol);
        }
        case SNAPSHOT -> others.add(lvol);
        case OTHER -> nonReplica++;
      }
    }

    // VerifyApply, once per name the registry or the store knows. The order does not matter
    // (each decision is about its own name only); with a step listener it is name order, so
    // that traces and replays are repeatable.
    List<Change> changes = new ArrayList<>();
    List<Skip> skipped = new ArrayList<>();
    List<String> recoverable = new ArrayList<>();
    if (listener == null) {
      for (String name : slots.keySet()) {
        apply(name, decider, changes, skipped, recoverable);
      }
      for (String head : decider.heads.keySet()) {
        if (!slots.containsKey(head)) {
          apply(head, decider, changes, skipped, recoverable);
        }
      }
      changes.sort(Comparator.comparing(Change::name));
      skipped.sort(Comparator.comparing(Skip::name));
      recoverable.sort(null);
    } else {
      TreeSet<String> names = new TreeSet<>(slots.keySet());
      names.addAll(decider.heads.keySet());
      for (String name : names) {
        apply(name, decider, changes, skipped, recoverable);
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
    // A round that had no step left to refuse (no name to apply) still reports nothing after close.
    ensureOpen();
    return new VerifyReport(
        stamp,
        listing.lvols().size(),
        changes,
        skipped,
        orphans,
        nonReplica,
        listing.missingLvstores(),
        listing.unreadable().size(),
        recoverable);
  }

  /** One VerifyApply step. */
  private void apply(
      String name, Decider decider, List<Change> changes, List<Skip> skipped, List<String> recoverable) {
    before(SpecAction.VerifyApply, name);
    decider.outcome = "keep";
    decider.result = null;
    decider.change = null;
    decider.skip = null;
    decider.recoverable = false;
    slots.compute(name, decider);
    after(SpecAction.VerifyApply, name, decider.outcome);
    if (decider.skip != null) {
      skipped.add(new Skip(name, decider.skip));
    }
    if (decider.change != null) {
      changes.add(new Change(name, decider.change, decider.result));
    }
    if (decider.recoverable) {
      recoverable.add(name);
    }
  }

  /**
   * The compare-and-set of VerifyApply as the remapping function of {@code compute} on the
   * name's key. One per round, reused for every name (a round runs on one thread); the fields
   * say what the last call decided.
   */
  private final class Decider implements BiFunction<String, Slot, Slot> {
    final long stamp;
    final LvolListing listing;
    final Map<String, Lvol> heads;
    final Set<String> rebuilding = new HashSet<>();
    final Map<String, Lvol> all = new HashMap<>();
    String outcome;
    Replica result;
    ChangeKind change;
    SkipReason skip;
    boolean recoverable;

    Decider(long stamp, LvolListing listing) {
      this.stamp = stamp;
      this.listing = listing;
      this.heads = new HashMap<>(Math.max(16, listing.lvols().size() * 4 / 3 + 1));
    }

    @Override
    public Slot apply(String name, Slot cur) {
      return decide(name, cur, this);
    }
  }

  /** The compare-and-set of VerifyApply, run inside {@code compute} on the name's key. */
  private Slot decide(String name, Slot cur, Decider d) {
    if (cur != null && cur.version() > d.stamp) {
      d.outcome = "changed";
      d.skip = SkipReason.CHANGED_SINCE_STAMP;
      return cur;
    }
    if (cur != null && cur.busy() != null) {
      d.outcome = "inflight";
      d.skip = SkipReason.IN_FLIGHT;
      return cur;
    }
    Replica r = cur == null ? null : cur.replica();
    Lvol head = d.heads.get(name);
    if (r != null && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED)) {
      if (head == null && !d.rebuilding.contains(name)) {
        // Absence proves loss only where the listing covered the lvol store and read every entry
        // that could be this replica's head or its rebuilding lvol.
        if (!d.listing.certainAbout(name, cur.lvstore())
            || !d.listing.certainAbout(name + LvolKind.REBUILDING_SUFFIX, cur.lvstore())) {
          d.outcome = "uncertain";
          boolean storeMissing =
              cur.lvstore() == null
                  ? !d.listing.missingLvstores().isEmpty()
                  : d.listing.missingLvstores().contains(cur.lvstore());
          d.skip = storeMissing ? SkipReason.LVSTORE_NOT_LISTED : SkipReason.UNREADABLE_ENTRY;
          return cur;
        }
        d.outcome = "error";
        d.change = ChangeKind.MARKED_ERROR;
        d.result =
            r.withError(
                "lvol " + name + " not found in the store (verify round at stamp " + d.stamp + ")");
        return new Slot(d.result, clock.incrementAndGet(), null, cur.lvstore(), r.state());
      }
      if (head != null && r.lvolUuid() != null && !r.lvolUuid().equals(head.uuid())) {
        // The head was re-cloned (a rebuild does): the replica follows its head by name. Not a
        // spec decision (the spec has no lvol identity): the spec's "keep".
        d.change = ChangeKind.RELINKED;
        d.result = r.withLvolUuid(head.uuid());
        return new Slot(d.result, clock.incrementAndGet(), null, head.lvstore(), null);
      }
      return cur;
    }
    if (r == null && head != null) {
      d.outcome = "adopt";
      d.change = ChangeKind.ADOPTED;
      // Its chain as the listing shows it ({@link #start} reads it again from the store).
      d.result =
          new Replica(name, ReplicaState.STOPPED, head.uuid(), head.sizeBytes(), null,
              listedChain(name, head, d.all));
      return new Slot(d.result, clock.incrementAndGet(), null, head.lvstore(), null);
    }
    if (r != null && cur.lostFrom() != null && head != null && head.uuid().equals(r.lvolUuid())) {
      d.recoverable = true;
    }
    return cur;
  }

  // ---------------------------------------------------------------- close

  @Override
  public void close() {
    close(closeTimeout);
  }

  @Override
  public Set<String> close(Duration timeout) {
    synchronized (fence) {
      closed = true;
    }
    closedSignal.complete(null);
    long end = System.nanoTime() + Math.max(0, timeout.toNanos());
    VerifyLoop l = loop;
    if (l != null) {
      l.stop(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
    }
    synchronized (fence) {
      long left;
      while (!calls.isEmpty() && (left = end - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(fence, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      TreeSet<String> names = new TreeSet<>();
      for (String n : calls.values()) {
        if (n != null) {
          names.add(n); // a listing changes nothing: not reported
        }
      }
      return names;
    }
  }

  // ---------------------------------------------------------------- helpers

  private void ensureOpen() {
    if (closed) {
      throw new RegistryClosedException();
    }
  }

  /**
   * One store call through the fence: refused once the registry is closed (the step is then
   * reported with the outcome {@code closed} and the operation ends with {@link
   * RegistryClosedException}); otherwise registered until it returns, so that {@link #close}
   * can wait for it.
   */
  private <T> Res<T> call(SpecAction step, String name, StoreCall<T> body) {
    Object token = new Object();
    boolean refused;
    synchronized (fence) {
      refused = closed;
      if (!refused) {
        calls.put(token, name);
      }
    }
    if (refused) {
      if (step != null) {
        after(step, name, CLOSED); // outside the fence's lock, as StepListener promises
      }
      throw new RegistryClosedException();
    }
    try {
      return new Res<>(body.run(), null);
    } catch (StoreException e) {
      return new Res<>(null, e);
    } catch (RuntimeException e) {
      return new Res<>(null, new StoreUnavailableException("store call threw " + e, e));
    } finally {
      synchronized (fence) {
        calls.remove(token);
        if (closed) {
          fence.notifyAll();
        }
      }
    }
  }

  private long deadline() {
    return System.nanoTime() + operationTimeoutNanos;
  }

  /** Whether an operation may make another try: open, not interrupted, before its deadline. */
  private boolean mayTry(long deadline) {
    return !closed && !Thread.currentThread().isInterrupted() && deadline - System.nanoTime() > 0;
  }

  /**
   * Pauses before try {@code attempt + 1} of a store call whose outcome is not settled (0.1 ms,
   * doubling up to the retry delay). Returns {@code false} if the operation must give up instead:
   * past its deadline, interrupted (the interrupt status stays set), or the registry closed.
   */
  private boolean pause(int attempt, long deadline) {
    long delay = Math.min(retryDelayNanos, 100_000L << Math.min(attempt, 20));
    long left = deadline - System.nanoTime();
    if (left <= 0 || closed || Thread.currentThread().isInterrupted()) {
      return false;
    }
    try {
      closedSignal.get(Math.min(delay, left), TimeUnit.NANOSECONDS);
      return false; // closed while pausing
    } catch (TimeoutException e) {
      return mayTry(deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  /**
   * Waits for the operation in flight on {@code name} to end, up to the deadline.
   *
   * @throws ReplicaBusyException at the deadline or on an interrupt (interrupt status set again)
   * @throws RegistryClosedException if the registry closes meanwhile
   */
  private void await(CompletableFuture<Void> busy, long deadline, String name) {
    long left = deadline - System.nanoTime();
    try {
      if (left <= 0) {
        throw new TimeoutException();
      }
      CompletableFuture.anyOf(busy, closedSignal).get(left, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReplicaBusyException(
          name, true, "interrupted while waiting for the operation in flight on " + name
              + "; nothing changed");
    } catch (TimeoutException e) {
      throw new ReplicaBusyException(
          name, false, "an operation on " + name + " was still in flight after the operation"
              + " timeout (" + Duration.ofNanos(operationTimeoutNanos) + "); nothing changed");
    } catch (ExecutionException e) {
      // the futures never complete exceptionally
    }
    ensureOpen();
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
    return roundActive ? new Slot(null, version, null, null, null) : null;
  }

  /** The slot's replica; for the reservation of an absent name, a placeholder to mark error. */
  private static Replica replicaOf(Slot slot, String name) {
    return slot.live() ? slot.replica() : new Replica(name, ReplicaState.DELETING, null, 0, null);
  }

  /**
   * The start of a step: the listener's {@code beforeStep}, then the fence: once the registry is
   * closed no step of it runs (the spec's "no later step of the old incarnation"), so an
   * operation ends with {@link RegistryClosedException} at its next step, and never returns a
   * result it got after {@link #close}.
   */
  private void before(SpecAction action, String name) {
    if (listener != null) {
      listener.beforeStep(action, name);
    }
    if (closed) {
      after(action, name, CLOSED);
      throw new RegistryClosedException();
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
