package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.RegistryClosedException;
import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaException;
import dev.replicalifecycle.registry.ReplicaOutcomeUnknownException;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStateException;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.registry.VerifyReport.SkipReason;
import dev.replicalifecycle.registry.model.RegistryModel;
import dev.replicalifecycle.registry.property.Op.Concurrent;
import dev.replicalifecycle.registry.property.Op.Create;
import dev.replicalifecycle.registry.property.Op.Delete;
import dev.replicalifecycle.registry.property.Op.AbortRebuild;
import dev.replicalifecycle.registry.property.Op.BeginRebuild;
import dev.replicalifecycle.registry.property.Op.DeleteSnapshot;
import dev.replicalifecycle.registry.property.Op.FinishRebuild;
import dev.replicalifecycle.registry.property.Op.Start;
import dev.replicalifecycle.registry.property.Op.Snapshot;
import dev.replicalifecycle.registry.property.Op.FailNext;
import dev.replicalifecycle.registry.property.Op.Get;
import dev.replicalifecycle.registry.property.Op.HideLvstore;
import dev.replicalifecycle.registry.property.Op.LateFinish;
import dev.replicalifecycle.registry.property.Op.LoseLvol;
import dev.replicalifecycle.registry.property.Op.PutOrphan;
import dev.replicalifecycle.registry.property.Op.Restart;
import dev.replicalifecycle.registry.property.Op.RestartDuring;
import dev.replicalifecycle.registry.property.Op.Unreadable;
import dev.replicalifecycle.registry.property.Op.Verify;
import dev.replicalifecycle.registry.property.Subject.Target;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The model loop: applies an op sequence to a fresh registry over a fresh {@link
 * InMemoryLvolStore} and checks, after every step, the properties of {@code
 * spec/ReplicaLifecycle.tla} under their spec names, mirroring the spec's history variables
 * ({@code created}, {@code deleted}, {@code harmed}) and the engine's view ({@code eng}):
 *
 * <ul>
 *   <li>{@code NoDeleteWhileCreating} (only for targets that insert first: V0, V4): while a
 *       create of {@code n} is in flight (its CreateReserve said ok, it has not returned), {@code
 *       n} has an entry in state CREATING, and no second create of {@code n} is in flight;
 *   <li>{@code CreatedStaysVisible}: every name in {@code created} has an entry;
 *   <li>{@code OneObjectPerName}: {@link Subject#liveObjects} is at most 1 for every name, and two
 *       creates of a name never both return running without a delete of it in between;
 *   <li>{@code DeleteIsFinal}: every name in {@code deleted} has neither an entry nor an lvol;
 *   <li>{@code NoHealthyReplicaMarkedErr}: a {@code get} is the engine's poll; NotFound or ERROR
 *       for a replica the engine has as RW marks it ERR, which is unjust unless the name is in
 *       {@code harmed};
 *   <li>{@code LostLvolDetected} (the spec's liveness property, bounded): a verify round that
 *       completes, with no operation on {@code n} during the round, leaves no replica {@code n}
 *       RUNNING or STOPPED whose lvol was already gone when the round started;
 *   <li>{@code AgreesWithModel} (targets with a sequential model): each op run alone gives the
 *       {@link SequentialModel}'s result, map and lvols; after a concurrent op the model takes the
 *       observed state;
 *   <li>{@code UnexpectedException}, {@code Hang}: an exception the API does not declare, a
 *       deadlock.
 * </ul>
 *
 * <p>The steps of a {@link Concurrent} op are checked one by one: its two threads are run by an
 * {@link Interleaver} that parks them at every step and lets one go at a time, as the schedule
 * bits say. After the sequence, a settle phase (faults cleared, two verify rounds, then a delete
 * of every replica) checks {@code SettleIsStable} (the second round changes nothing), {@code
 * NoStuckReservation} (nothing CREATING or DELETING), {@code ReplicaHasLvolOrError}, and {@code
 * NoLeakedLvol} (every head lvol has exactly one replica; after the deletes, no lvol is left).
 *
 * <p>Not thread-safe: one {@link #run} at a time per harness.
 */
final class Harness {

  /**
   * A violated property.
   *
   * @param property the spec's name (or one of the harness's, see the class doc)
   * @param op the 1-based index of the op in the sequence, or 0 for the settle phase
   * @param detail what was seen
   * @param trace the steps of that op (both threads of a concurrent op) up to the violation
   */
  record Failure(String property, int op, String detail, List<String> trace) {
    String where() {
      return op == 0 ? "settle" : "op " + op;
    }

    /** The steps of the failing op up to the violation, one per line, threads labelled. */
    String renderTrace() {
      StringBuilder sb = new StringBuilder();
      for (String t : trace) {
        sb.append("      ").append(t).append(System.lineSeparator());
      }
      return sb.toString();
    }

    @Override
    public String toString() {
      return property + " violated at " + where() + ": " + detail;
    }
  }

  private final Target target;
  private final Set<String> watched;

  /** A harness that stops at the first violation of any property. */
  Harness(Target target) {
    this(target, null);
  }

  /**
   * A harness that reports only violations of {@code watched} (and {@code Hang}) and runs on
   * through others: for variants with several known defects, to look for one of them.
   */
  Harness(Target target, Set<String> watched) {
    this.target = target;
    this.watched = watched == null ? null : Set.copyOf(watched);
  }

  Target target() {
    return target;
  }

  /** Runs {@code ops} on a fresh store and registry; the first violation, or null. */
  Failure run(List<Op> ops) {
    Run run = new Run(ops);
    try {
      return run.go();
    } finally {
      run.subject.close();
    }
  }

  // ------------------------------------------------------------------ events

  /** A step the registry took, on a lane (-1: the harness thread). */
  private record StepEvent(int lane, Step step) {}

  /** A verify op starts; {@code undetected}: names whose lvol is gone but entry RUNNING/STOPPED. */
  private record VerifyBegin(int lane, Set<String> undetected) {}

  /**
   * An op returned (value) or threw (error). {@code current}: it ran on the registry that is the
   * current one when it returned (an op of a registry closed meanwhile belongs to a dead
   * incarnation: it keeps no history, and may end with {@code RegistryClosedException}).
   */
  private record Done(int lane, Op op, Object value, Throwable error, boolean lvolBefore,
      boolean lvolAfter, Set<String> undetected, boolean current, long createCalls) {}

  /** An open verify round: names judged missing at its start, names touched by others since. */
  private record Window(Set<String> undetected, Set<String> touched) {}

  private final class Run implements StepListener {
    private final List<Op> ops;
    private final InMemoryLvolStore store = new InMemoryLvolStore();
    private final Interleaver interleaver = new Interleaver();
    private final Queue<Object> events = new ConcurrentLinkedQueue<>();
    private RegistryModel model = target.sequentialModel() ? new RegistryModel() : null;
    private final boolean stepped = target.stepped();
    private final TreeSet<String> names = new TreeSet<>(OpCodec.NAMES);
    private volatile Subject subject;

    // The spec's history variables and the engine's view.
    private final Set<String> created = new HashSet<>();
    private final Set<String> deleted = new HashSet<>();
    private final Set<String> failed = new HashSet<>();
    /** Names whose head lvol the environment lost at some point (see the settle phase). */
    private final Set<String> lostHeads = ConcurrentHashMap.newKeySet();
    /** Snapshots acknowledged per name, not since asked to be deleted (AckedSnapshotKept). */
    private final Map<String, Set<String>> acked = new HashMap<>();
    /** Snapshot operations running now, on any lane. */
    private final java.util.concurrent.atomic.AtomicInteger chainOps = new java.util.concurrent.atomic.AtomicInteger();
    private final Set<String> harmed = new HashSet<>();
    private final Map<String, String> eng = new HashMap<>();
    /** Creates of a name that returned running, since its last delete (API-level objects). */
    private final Map<String, Integer> handles = new HashMap<>();
    private final Map<Integer, String> createInFlight = new HashMap<>();
    private final Map<Integer, String> deleteInFlight = new HashMap<>();
    /** Lanes whose delete in flight saw an lvol of its name appear behind its back. */
    private final Set<Integer> taintedDeletes = new HashSet<>();
    private final Map<Integer, Window> windows = new HashMap<>();
    /** Lanes whose create in flight had its lvol call time out (the CreateLvol step said so). */
    private final Set<Integer> lvolCallUnknown = new HashSet<>();

    private int opIndex;
    private Failure failure;
    /** The steps of the current op, for the failure report. */
    private final List<String> trace = new ArrayList<>();

    Run(List<Op> ops) {
      this.ops = ops;
      for (Op op : ops) {
        collectNames(op);
      }
      this.subject = open();
    }

    private Subject open() {
      return target.factory().open(store, stepped ? this : null);
    }

    private void collectNames(Op op) {
      String n = nameOf(op);
      if (n != null) {
        names.add(n);
      }
      if (op instanceof Concurrent c) {
        c.left().forEach(this::collectNames);
        c.right().forEach(this::collectNames);
      } else if (op instanceof RestartDuring r) {
        r.old().forEach(this::collectNames);
        r.fresh().forEach(this::collectNames);
      }
    }

    // StepListener: park lanes at every step; record every step.
    @Override
    public void beforeStep(SpecAction action, String name) {
      interleaver.park(name == null ? action.name() : action + " " + name);
    }

    @Override
    public void afterStep(Step step) {
      events.add(new StepEvent(interleaver.laneOfCurrentThread(), step));
    }

    Failure go() {
      for (int i = 0; i < ops.size() && failure == null; i++) {
        opIndex = i + 1;
        runOp(ops.get(i));
      }
      if (failure == null) {
        settle();
      }
      return failure;
    }

    private void fail(String property, String detail) {
      if (watched != null && !watched.contains(property) && !property.equals("Hang")) {
        return;
      }
      if (failure == null) {
        failure = new Failure(property, opIndex, detail, List.copyOf(trace));
      }
    }

    // ---------------------------------------------------------------- running ops

    private void runOp(Op op) {
      trace.clear();
      if (op instanceof Restart) {
        restart();
        if (model != null) {
          model.restart();
        }
      } else if (op instanceof Concurrent c) {
        runThreads(c.left(), c.right(), c.schedule(), false);
      } else if (op instanceof RestartDuring r) {
        runThreads(r.old(), r.fresh(), r.schedule(), true);
      } else {
        applyOp(op);
      }
      checkInvariants();
    }

    /** The server restarts: the registry is closed, a new one opens; the engine starts afresh. */
    private void restart() {
      forgetRebuilds(rebuilding(subject));
      subject.close();
      subject = open();
      created.clear();
      eng.clear();
      handles.clear();
      createInFlight.clear();
      deleteInFlight.clear();
    }

    /**
     * Two threads of ops. With a step listener they run interleaved step by step under the
     * schedule; without one (the production path) one after the other, deterministically. With
     * {@code restartBetween}, the second thread first restarts the server (the first thread's ops
     * keep the old registry), then runs its ops on the new one.
     */
    private void runThreads(List<Op> left, List<Op> right, long schedule, boolean restartBetween) {
      Subject old = subject;
      if (!stepped) {
        for (Op op : left) {
          applyOp(op, old);
        }
        if (restartBetween) {
          restart();
          if (model != null) {
            model.restart();
          }
        }
        for (Op op : right) {
          applyOp(op, subject);
        }
        return;
      }
      List<Runnable> bodies = new ArrayList<>();
      bodies.add(() -> {
        int lane = interleaver.laneOfCurrentThread();
        for (Op op : left) {
          try {
            interleaver.park("start " + op.render());
          } catch (IllegalStateException cancelled) {
            return;
          }
          execute(lane, op, old);
        }
      });
      bodies.add(() -> {
        int lane = interleaver.laneOfCurrentThread();
        Subject on = old;
        if (restartBetween) {
          try {
            interleaver.park("start restart");
          } catch (IllegalStateException cancelled) {
            return;
          }
          // The restart takes effect here, at this lane's step: the old registry is closed (its
          // ops still parked fail from now on), the new one opened; the harness resets the
          // history when it sees the event.
          Set<String> cut = rebuilding(old);
          on = open();
          old.close();
          subject = on;
          events.add(new Restarted(lane, cut));
        }
        for (Op op : right) {
          try {
            interleaver.park("start " + op.render());
          } catch (IllegalStateException cancelled) {
            return;
          }
          execute(lane, op, on);
        }
      });
      try {
        interleaver.run(
            bodies,
            i -> i < 64 ? (int) ((schedule >>> i) & 1) : i & 1,
            () -> {
              processEvents();
              checkInvariants();
            });
      } catch (Interleaver.HangException e) {
        fail("Hang", e.getMessage());
        return;
      }
      processEvents();
      if (model != null) {
        model = RegistryModel.of(store.copy(), subject.peekAll());
      }
    }

    /** The restart step of a {@link RestartDuring}, taken by a lane; the rebuilds it cut short. */
    private record Restarted(int lane, Set<String> rebuilding) {}

    /** The names whose replica is REBUILDING in {@code s}. */
    private static Set<String> rebuilding(Subject s) {
      Set<String> out = new TreeSet<>();
      for (Replica r : s.peekAll()) {
        if (r.state() == ReplicaState.REBUILDING) {
          out.add(r.name());
        }
      }
      return out;
    }

    /**
     * A restart ends the rebuilds in flight: the server forgets them, and no replica owns their
     * snapshots any more (the spec's, too: a name with a rebuilding lvol and no head gets no
     * replica again). They stay in the store, reported as orphans until the name is deleted.
     */
    private void forgetRebuilds(Set<String> names) {
      names.forEach(acked::remove);
    }

    /** Applies one op (not Restart, not Concurrent) on the calling thread; records its Done. */
    private Done execute(int lane, Op op, Subject on) {
      if (op instanceof Verify) {
        events.add(new VerifyBegin(lane, undetected()));
      }
      String name = nameOf(op);
      boolean lvolBefore = name != null && store.contains(name);
      long createsBefore = store.calls(InMemoryLvolStore.Call.CREATE);
      Object value = null;
      Throwable error = null;
      try {
        if (op instanceof Create c) {
          value = on.registry().create(c.name(), c.size());
        } else if (op instanceof Delete d) {
          on.registry().delete(d.name());
          value = Boolean.TRUE;
        } else if (op instanceof Get g) {
          value = on.registry().get(g.name());
        } else if (op instanceof Snapshot sn) {
          chainOps.incrementAndGet();
          try {
            value = on.registry().snapshot(sn.name(), sn.snapshot());
          } finally {
            chainOps.decrementAndGet();
          }
        } else if (op instanceof DeleteSnapshot ds) {
          chainOps.incrementAndGet();
          try {
            value = on.registry().deleteSnapshot(ds.name(), ds.snapshot());
          } finally {
            chainOps.decrementAndGet();
          }
        } else if (op instanceof Start s) {
          value = on.registry().start(s.name());
        } else if (op instanceof BeginRebuild b) {
          value = on.registry().beginRebuild(b.name(), b.size());
        } else if (op instanceof FinishRebuild f) {
          value = on.registry().finishRebuild(f.name());
        } else if (op instanceof AbortRebuild a) {
          on.registry().abortRebuild(a.name());
          value = Boolean.TRUE;
        } else if (op instanceof Verify) {
          value = on.registry().verify();
        } else if (op instanceof FailNext f) {
          store.failNext(f.call(), f.count(), f.fault());
        } else if (op instanceof LoseLvol l) {
          value = store.loseLvol(l.name());
          if (Boolean.TRUE.equals(value)) {
            lostHeads.add(l.name());
          }
        } else if (op instanceof PutOrphan p) {
          value = !store.contains(p.name()) && store.pendingCreate(p.name()).isEmpty()
              && store.putLvol(p.name(), p.size()) != null;
        } else if (op instanceof LateFinish l) {
          value = l.apply() ? store.landLate() : store.dropLate();
        } else if (op instanceof HideLvstore) {
          store.hideLvstore(InMemoryLvolStore.DEFAULT_LVSTORE, 1);
        } else if (op instanceof Unreadable u) {
          store.unreadable(u.name(), 1);
        } else {
          throw new IllegalArgumentException("not a simple op: " + op);
        }
      } catch (RuntimeException | Error e) {
        error = e;
      }
      Done done =
          new Done(
              lane,
              op,
              value,
              error,
              lvolBefore,
              name != null && store.contains(name),
              op instanceof Verify ? undetected() : null,
              on == subject || !registryOp(op),
              // the environment's ops belong to no registry
              store.calls(InMemoryLvolStore.Call.CREATE) - createsBefore);
      events.add(done);
      return done;
    }

    /** Names whose entry is RUNNING or STOPPED while neither their head nor rebuilding lvol exists. */
    private Set<String> undetected() {
      Set<String> lvols = new HashSet<>();
      for (Lvol l : store.lvols()) {
        if (l.kind() == LvolKind.HEAD || l.kind() == LvolKind.REBUILDING) {
          lvols.add(l.replicaName());
        }
      }
      Set<String> out = new TreeSet<>();
      for (Replica r : subject.peekAll()) {
        if ((r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED)
            && !lvols.contains(r.name())) {
          out.add(r.name());
        }
      }
      return out;
    }

    // ---------------------------------------------------------------- history

    private void processEvents() {
      Object ev;
      while ((ev = events.poll()) != null) {
        if (ev instanceof StepEvent s) {
          onStep(s.lane(), s.step());
        } else if (ev instanceof VerifyBegin v) {
          windows.put(v.lane(), new Window(v.undetected(), new HashSet<>()));
        } else if (ev instanceof Done d) {
          onDone(d);
        } else if (ev instanceof Restarted r) {
          trace.add(who(r.lane()) + "restart");
          forgetRebuilds(r.rebuilding());
          created.clear();
          eng.clear();
          handles.clear();
          createInFlight.clear();
          deleteInFlight.clear();
          if (model != null) {
            model.restart();
          }
        }
      }
    }

    private void touch(int lane, String name) {
      if (name == null) {
        return;
      }
      windows.forEach(
          (l, w) -> {
            if (l != lane) {
              w.touched().add(name);
            }
          });
    }

    private static String who(int lane) {
      return lane < 0 ? "" : lane == 0 ? "left:  " : "right: ";
    }

    private void onStep(int lane, Step step) {
      String n = step.name();
      trace.add(who(lane) + step.action() + (n == null ? "" : " " + n) + " -> " + step.outcome());
      touch(lane, n);
      if (step.outcome().equals("closed")) {
        return; // a step of a closed registry that did not run
      }
      switch (step.action()) {
        case CreateReserve -> {
          deleted.remove(n);
          failed.remove(n);
          if (step.outcome().equals("ok")) {
            acked.remove(n); // a new replica of the name: the old one's snapshots are not its
            if (target.insertsFirst() && createInFlight.containsValue(n)) {
              fail("NoDeleteWhileCreating",
                  "a second create of " + n + " reserved the name while the first is in flight");
            }
            createInFlight.put(lane, n);
            lvolCallUnknown.remove(lane);
          }
        }
        case CreateLvol -> {
          if (step.outcome().equals("timeout")) {
            lvolCallUnknown.add(lane);
          }
        }
        case DeleteMark -> {
          if (!step.outcome().equals("busy")) {
            startDelete(lane, n);
          }
        }
        case DeleteLvol, DeleteRlvol -> {
          created.remove(n);
          handles.remove(n);
        }
        case DeleteRemove -> created.remove(n);
        default -> {}
      }
    }

    /** A delete of {@code n} starts (its DeleteMark; or, without steps, the delete op). */
    private void startDelete(int lane, String n) {
      acked.remove(n);
      harmed.add(n);
      created.remove(n);
      deleted.remove(n);
      failed.remove(n);
      deleteInFlight.put(lane, n);
    }

    private void onDone(Done d) {
      Op op = d.op();
      String n = nameOf(op);
      trace.add(who(d.lane()) + op.render() + " returned "
          + (d.error() != null ? d.error().getClass().getSimpleName() : String.valueOf(d.value())));
      if (!(op instanceof Get) && !(op instanceof FailNext)) {
        touch(d.lane(), n);
      }
      if (d.error() != null && !allowed(op, d.error(), d.current())) {
        fail("UnexpectedException", op.render() + " threw " + stackTrace(d.error()));
      }
      if (!d.current()) {
        createInFlight.remove(d.lane());
        deleteInFlight.remove(d.lane());
        return; // an op of a closed registry: a dead incarnation keeps no history
      }
      if (op instanceof Start && d.lane() < 0 && d.createCalls() > 0) {
        // StartNoTwin (spec/ReplicaChains.tla): starting a stopped replica never makes an lvol.
        fail("StartNoTwin", "start " + n + " made " + d.createCalls() + " create call(s)"
            + (!d.lvolBefore() && d.lvolAfter() ? ": " + n + " has a head it did not have" : ""));
      }
      if (op instanceof Verify && d.error() == null) {
        // OnlyHeadsAdopted: verify adopts heads only, never a snapshot or a -rebuilding lvol.
        for (VerifyReport.Change c : ((VerifyReport) d.value()).changes()) {
          if (c.kind() == VerifyReport.ChangeKind.ADOPTED) {
            for (Lvol l : store.lvols()) {
              if (l.kind() != LvolKind.HEAD && l.uuid().equals(c.replica().lvolUuid())) {
                fail("OnlyHeadsAdopted", "verify adopted " + c.replica() + " from the " + l.kind() + " lvol "
                    + l.name());
              }
            }
          }
        }
      }
      if (op instanceof Create || op instanceof BeginRebuild) {
        createInFlight.remove(d.lane());
        // NoForeignLvolDeleted: a create, run alone, that fails must not delete an lvol of its
        // name that existed before it started (its rollback may only delete what it made).
        if (d.lane() < 0 && d.error() instanceof ReplicaStoreException
            && d.lvolBefore() && !d.lvolAfter()) {
          fail("NoForeignLvolDeleted", "a failed create of " + n + " deleted an lvol " + n
              + " that existed before it started (its rollback removed what it did not make)");
        }
        // FailedCreateLeavesNothing: a create whose lvol call's outcome was unknown and that
        // then failed (not gave up) must leave nothing of its own. Upstream returns the replica in
        // error instead of failing: counted the same way.
        boolean callUnknown = stepped ? lvolCallUnknown.remove(d.lane()) : d.createCalls() > 0;
        boolean settledFailure = d.error() instanceof ReplicaStoreException e
            && !(e instanceof ReplicaOutcomeUnknownException) && !e.getCause().outcomeKnown()
            && callUnknown;
        boolean errorObject = d.value() instanceof Replica r && r.state() == ReplicaState.ERROR
            && r.errorReason() != null && r.errorReason().contains("timeout");
        if (settledFailure || errorObject) {
          failed.add(n);
        }
        if (d.value() instanceof Replica r && r.state() == ReplicaState.RUNNING) {
          boolean intact = d.lvolAfter() && !deleteInFlight.containsValue(n);
          eng.put(n, "RW");
          if (intact) {
            created.add(n);
            harmed.remove(n);
          } else {
            harmed.add(n);
          }
          int h = handles.merge(n, 1, Integer::sum);
          if (h > 1) {
            fail("OneObjectPerName",
                h + " creates of " + n + " returned running with no delete of " + n + " between");
          }
        }
      } else if (op instanceof Delete || op instanceof AbortRebuild) {
        deleteInFlight.remove(d.lane());
        acked.remove(n);
        if (d.error() == null && !taintedDeletes.remove(d.lane())) {
          deleted.add(n);
        }
      } else if (op instanceof Snapshot sn) {
        if (d.error() == null) {
          acked.computeIfAbsent(n, k -> new TreeSet<>()).add(sn.snapshot());
        }
      } else if (op instanceof DeleteSnapshot ds) {
        Set<String> a = acked.get(n);
        if (a != null) {
          a.remove(ds.snapshot());
        }
      } else if (op instanceof Get && d.value() instanceof Optional<?> o) {
        boolean bad = o.isEmpty() || ((Replica) o.get()).state() == ReplicaState.ERROR;
        if (bad && "RW".equals(eng.get(n))) {
          eng.put(n, "ERR");
          if (!harmed.contains(n)) {
            fail("NoHealthyReplicaMarkedErr",
                "get " + n + " gave " + (o.isEmpty() ? "NotFound" : o.get())
                    + " although its lvol was not lost and no delete of it started since its"
                    + " create returned running");
          }
        }
      } else if (op instanceof Verify) {
        Window w = windows.remove(d.lane());
        if (d.error() == null && w != null) {
          VerifyReport report = (VerifyReport) d.value();
          Set<String> unsure = new HashSet<>();
          report.skipped().forEach(sk -> {
            if (sk.reason() == SkipReason.LVSTORE_NOT_LISTED || sk.reason() == SkipReason.UNREADABLE_ENTRY) {
              unsure.add(sk.name());
            }
          });
          for (String m : w.undetected()) {
            if (!w.touched().contains(m) && !unsure.contains(m) && d.undetected().contains(m)) {
              fail("LostLvolDetected",
                  "the lvol of " + m + " was gone when a verify round started; the round"
                      + " completed, nothing touched " + m + " meanwhile, and " + m
                      + " is still " + subject.peek(m).map(r -> r.state().name()).orElse("?"));
            }
          }
        }
      } else if (op instanceof LoseLvol && Boolean.TRUE.equals(d.value())) {
        harmed.add(n);
        created.remove(n);
      } else if (op instanceof PutOrphan && Boolean.TRUE.equals(d.value())) {
        // The environment made an lvol of that name: like a create starting. A delete of the
        // name in flight cannot promise that this lvol is gone.
        acked.remove(n); // a new head: the old one's snapshots are not its
        deleted.remove(n);
        failed.remove(n);
        deleteInFlight.forEach(
            (lane, name) -> {
              if (name.equals(n)) {
                taintedDeletes.add(lane);
              }
            });
      }
    }

    private boolean allowed(Op op, Throwable e, boolean current) {
      if (!current && e instanceof RegistryClosedException) {
        return true; // an op of a registry closed while it ran
      }
      if (!target.sequentialModel()) {
        return e instanceof ReplicaException;
      }
      if (op instanceof Create) {
        return e instanceof ReplicaAlreadyExistsException || e instanceof ReplicaStoreException;
      }
      if (op instanceof Snapshot || op instanceof DeleteSnapshot || op instanceof Start
          || op instanceof FinishRebuild || op instanceof AbortRebuild) {
        return e instanceof ReplicaStateException || e instanceof ReplicaStoreException;
      }
      if (op instanceof BeginRebuild) {
        return e instanceof ReplicaAlreadyExistsException || e instanceof ReplicaStoreException;
      }
      return (op instanceof Delete || op instanceof Verify) && e instanceof ReplicaStoreException;
    }

    // ---------------------------------------------------------------- properties

    private void checkInvariants() {
      if (target.insertsFirst()) {
        for (String n : createInFlight.values()) {
          Optional<Replica> e = subject.peek(n);
          if (e.isEmpty()) {
            fail("NoDeleteWhileCreating", "a create of " + n + " is in flight but " + n
                + " has no entry");
          } else if (e.get().state() != ReplicaState.CREATING) {
            fail("NoDeleteWhileCreating", "a create of " + n + " is in flight but its entry is "
                + e.get().state());
          }
        }
      }
      for (String n : created) {
        if (subject.peek(n).isEmpty()) {
          fail("CreatedStaysVisible", "the create of " + n + " returned running, no delete,"
              + " loss or restart since, but " + n + " has no entry");
        }
      }
      for (String n : names) {
        int live = subject.liveObjects(n);
        if (live > 1) {
          fail("OneObjectPerName", live + " live replica objects hold " + n);
        }
      }
      for (String n : deleted) {
        Optional<Replica> e = subject.peek(n);
        if (e.isPresent()) {
          fail("DeleteIsFinal", "delete of " + n + " returned success, no create of " + n
              + " started since, but it has an entry: " + e.get());
        } else if (store.contains(n)) {
          fail("DeleteIsFinal", "delete of " + n + " returned success, no create of " + n
              + " started since, but its lvol exists");
        } else if (store.pendingCreate(n).orElse(false)) {
          fail("DeleteIsFinal", "delete of " + n + " returned success, no create of " + n
              + " started since, but a create of it is still pending in the store");
        }
      }
      for (String n : failed) {
        Optional<Replica> e = subject.peek(n);
        if (e.isPresent()) {
          fail("FailedCreateLeavesNothing", "a create of " + n + " failed after its lvol call"
              + " timed out, no create or delete of " + n + " since, but it has an entry: " + e.get());
        } else if (store.contains(n)) {
          fail("FailedCreateLeavesNothing", "a create of " + n + " failed after its lvol call"
              + " timed out, but an lvol " + n + " exists");
        } else if (store.pendingCreate(n).orElse(false)) {
          fail("FailedCreateLeavesNothing", "a create of " + n + " failed after its lvol call"
              + " timed out, but a create of " + n + " is still pending in the store");
        }
      }
      // AckedSnapshotKept (spec/ReplicaChains.tla): a snapshot acknowledged, and not since asked
      // to be deleted (nor its replica), is in the store and in the replica's chain. Checked
      // while no snapshot operation is in flight (they report no steps yet).
      if (chainOps.get() == 0) {
        acked.forEach((n, snaps) -> {
          if (deleteInFlight.containsValue(n)) {
            return;
          }
          Optional<Replica> e = subject.peek(n);
          for (String s : snaps) {
            if (!store.contains(dev.replicalifecycle.registry.ReplicaNames.snapshotLvol(n, s))) {
              fail("AckedSnapshotKept", "snapshot " + s + " of " + n + " was acknowledged but its lvol is gone");
            } else if (e.isPresent() && e.get().state() != ReplicaState.DELETING
                && !e.get().snapshots().contains(s)) {
              fail("AckedSnapshotKept", "snapshot " + s + " of " + n + " was acknowledged but the chain is "
                  + e.get().snapshots() + " (" + e.get() + ")");
            }
          }
        });
      }
      // ReservationHasOwner: an entry creating or deleting belongs to an operation in flight.
      for (Replica r : subject.peekAll()) {
        if (r.state().inFlight() && !createInFlight.containsValue(r.name())
            && !deleteInFlight.containsValue(r.name())) {
          fail("ReservationHasOwner", r + " with no operation on " + r.name() + " in flight");
        }
      }
    }

    // ---------------------------------------------------------------- sequential model

    private Object predict(Op op) {
      if (op instanceof Create c) {
        return outcome(() -> model.create(c.name(), c.size()));
      } else if (op instanceof Delete d) {
        return outcome(() -> {
          model.delete(d.name());
          return Boolean.TRUE;
        });
      } else if (op instanceof Get g) {
        return outcome(() -> model.get(g.name()));
      } else if (op instanceof Snapshot sn) {
        return outcome(() -> model.snapshot(sn.name(), sn.snapshot()));
      } else if (op instanceof DeleteSnapshot ds) {
        return outcome(() -> model.deleteSnapshot(ds.name(), ds.snapshot()));
      } else if (op instanceof Start s) {
        return outcome(() -> model.start(s.name()));
      } else if (op instanceof BeginRebuild b) {
        return outcome(() -> model.beginRebuild(b.name(), b.size()));
      } else if (op instanceof FinishRebuild f) {
        return outcome(() -> model.finishRebuild(f.name()));
      } else if (op instanceof AbortRebuild a) {
        return outcome(() -> {
          model.abortRebuild(a.name());
          return Boolean.TRUE;
        });
      } else if (op instanceof Verify) {
        return outcome(model::verify);
      } else if (op instanceof FailNext f) {
        model.store().failNext(f.call(), f.count(), f.fault());
      } else if (op instanceof LoseLvol l) {
        model.store().loseLvol(l.name());
      } else if (op instanceof PutOrphan p) {
        if (!model.store().contains(p.name()) && model.store().pendingCreate(p.name()).isEmpty()) {
          model.store().putLvol(p.name(), p.size());
        }
      } else if (op instanceof LateFinish l) {
        if (l.apply()) {
          model.store().landLate();
        } else {
          model.store().dropLate();
        }
      } else if (op instanceof HideLvstore) {
        model.store().hideLvstore(InMemoryLvolStore.DEFAULT_LVSTORE, 1);
      } else if (op instanceof Unreadable u) {
        model.store().unreadable(u.name(), 1);
      }
      return null;
    }

    private Object outcome(java.util.function.Supplier<Object> f) {
      try {
        return show(f.get());
      } catch (RuntimeException e) {
        return e.getClass().getSimpleName();
      }
    }

    private void compareWithModel(Op op, Object predicted, Done done) {
      if (registryOp(op)) {
        Object actual = done.error() != null ? done.error().getClass().getSimpleName() : show(done.value());
        if (!java.util.Objects.equals(predicted, actual)) {
          fail("AgreesWithModel", op.render() + ": expected " + predicted + ", got " + actual);
          return;
        }
      }
      List<Object> want = model.list().stream().map(Harness::show).toList();
      List<Object> got = subject.peekAll().stream().map(Harness::show).toList();
      if (!want.equals(got)) {
        fail("AgreesWithModel", "after " + op.render() + ": map expected " + want + " but registry has " + got);
        return;
      }
      if (!model.store().lvols().equals(store.lvols())
          || !model.store().pendingLate().equals(store.pendingLate())) {
        fail("AgreesWithModel", "after " + op.render() + ": lvols expected " + model.store().lvols()
            + " pending " + model.store().pendingLate() + " but store has " + store.lvols()
            + " pending " + store.pendingLate());
      }
    }

    // ---------------------------------------------------------------- settle

    private void settle() {
      opIndex = 0;
      store.clearFaults();
      store.landLate(); // the store finishes what it started
      if (model != null) {
        model = RegistryModel.of(store.copy(), subject.peekAll());
      }
      VerifyReport second = null;
      for (int round = 0; round < 2 && failure == null; round++) {
        Done d = settleOp(new Verify());
        if (d != null && d.error() != null) {
          fail("SettleVerify", "verify failed with no faults: " + stackTrace(d.error()));
        } else if (d != null) {
          second = (VerifyReport) d.value();
        }
      }
      if (failure != null) {
        return;
      }
      if (!second.changes().isEmpty()) {
        fail("SettleIsStable", "a second verify round with nothing going on changed "
            + second.changes());
      }
      List<Replica> replicas = subject.peekAll();
      for (Replica r : replicas) {
        if (r.state().inFlight()) {
          fail("NoStuckReservation", r + " with no operation in flight");
        } else if (r.state() != ReplicaState.ERROR && !store.contains(
            r.state() == ReplicaState.REBUILDING ? r.name() + LvolKind.REBUILDING_SUFFIX : r.name())
            // by design, a rebuilding lvol defers the missing-head judgement (an engine's rebuild
            // drops and re-clones the head: the spec's rebuild exemption), also one left by a
            // rebuild a restart cut short (impl/README, "Known limits")
            && !store.contains(r.name() + LvolKind.REBUILDING_SUFFIX)) {
          fail("ReplicaHasLvolOrError", r + " has no lvol and is not in error");
        }
      }
      for (Lvol l : store.lvols()) {
        if (l.kind() == LvolKind.HEAD && subject.liveObjects(l.name()) != 1) {
          fail("NoLeakedLvol", "lvol " + l.name() + " is held by " + subject.liveObjects(l.name())
              + " replicas after two verify rounds");
        }
      }
      for (Replica r : replicas) {
        if (failure != null) {
          return;
        }
        Done d = settleOp(new Delete(r.name()));
        if (d.error() != null) {
          fail("SettleDelete", "delete " + r.name() + " failed with no faults: "
              + stackTrace(d.error()));
        }
      }
      // A rebuild cut short by a restart leaves its -rebuilding lvol (and the snapshots taken on
      // it) with no replica: rounds report them as orphans, and the engine's cleanup is a delete
      // of that name (an absent name's delete removes its rebuilding lvol and both chains).
      Set<String> orphanOwners = new TreeSet<>();
      for (String lvol : second.orphanLvols()) {
        LvolKind kind = LvolKind.of(lvol);
        if (kind == LvolKind.REBUILDING || kind == LvolKind.SNAPSHOT) {
          String owner = kind.replicaName(lvol);
          if (!lostHeads.contains(owner) || kind == LvolKind.REBUILDING) {
            orphanOwners.add(owner);
          }
        }
      }
      for (String owner : orphanOwners) {
        if (failure != null) {
          return;
        }
        Done d = settleOp(new Delete(owner));
        if (d.error() != null) {
          fail("SettleDelete", "delete " + owner + " (orphan lvols " + second.orphanLvols() + ") failed with no"
              + " faults: " + stackTrace(d.error()));
        }
      }
      // Left alone: snapshot lvols of a name with neither head nor replica whose head the
      // environment lost (LoseLvol) while no registry knew the name (after a restart, before a
      // round adopted it): every round reports them (orphanLvols) and nothing deletes them, as
      // verify never deletes and there is no replica to delete (impl/README, "Known limits").
      List<Lvol> left = store.lvols().stream()
          .filter(l -> !(l.kind() == LvolKind.SNAPSHOT && lostHeads.contains(l.replicaName())))
          .toList();
      if (failure == null && (!left.isEmpty() || !subject.peekAll().isEmpty())) {
        fail("NoLeakedLvol", "after deleting every replica, left: lvols " + store.lvols()
            + ", replicas " + subject.peekAll());
      }
    }

    private Done settleOp(Op op) {
      Done done = applyOp(op);
      checkInvariants();
      return done;
    }

    /** One sequential op on the current registry: predicted by the model, run, compared. */
    private Done applyOp(Op op) {
      return applyOp(op, subject);
    }

    private Done applyOp(Op op, Subject on) {
      if (!stepped) {
        // No steps to keep history from: an operation's start is its first step.
        String n = nameOf(op);
        if ((op instanceof Create || op instanceof BeginRebuild) && on == subject) {
          deleted.remove(n);
          failed.remove(n);
          if (subject.peek(n).isEmpty()) {
            acked.remove(n); // a new replica of the name: the old one's snapshots are not its
          }
        } else if ((op instanceof Delete || op instanceof AbortRebuild) && on == subject) {
          startDelete(-1, n);
          handles.remove(n); // its DeleteLvol step, in a sequential run
        }
      }
      Object predicted = model == null || on != subject ? null : predict(op);
      Done done = execute(-1, op, on);
      processEvents();
      if (model != null && on == subject && failure == null) {
        compareWithModel(op, predicted, done);
      }
      return done;
    }
  }

  /** A value as the model comparison sees it: replicas without error texts, reports by content. */
  private static Object show(Object v) {
    if (v instanceof Replica r) {
      return r.name() + ":" + r.state() + ":" + r.lvolUuid() + ":" + r.sizeBytes() + ":" + r.snapshots();
    }
    if (v instanceof Optional<?> o) {
      return o.map(Harness::show).orElse("absent");
    }
    if (v instanceof VerifyReport rep) {
      return rep.changes().stream().map(c -> c.kind() + " " + show(c.replica())).toList()
          + " skipped=" + rep.skipped() + " recoverable=" + rep.recoverable();
    }
    return v;
  }

  /** A call of the registry (not of the environment, nor a composite op). */
  static boolean registryOp(Op op) {
    return op instanceof Create || op instanceof Delete || op instanceof Get || op instanceof Verify
        || op instanceof Snapshot || op instanceof DeleteSnapshot || op instanceof Start
        || op instanceof BeginRebuild || op instanceof FinishRebuild || op instanceof AbortRebuild;
  }

  static String nameOf(Op op) {
    if (op instanceof Unreadable u) {
      return u.name();
    }
    if (op instanceof Create c) {
      return c.name();
    } else if (op instanceof Delete d) {
      return d.name();
    } else if (op instanceof Get g) {
      return g.name();
    } else if (op instanceof LoseLvol l) {
      return l.name();
    } else if (op instanceof PutOrphan p) {
      return p.name();
    } else if (op instanceof Snapshot sn) {
      return sn.name();
    } else if (op instanceof DeleteSnapshot ds) {
      return ds.name();
    } else if (op instanceof Start s) {
      return s.name();
    } else if (op instanceof BeginRebuild b) {
      return b.name();
    } else if (op instanceof FinishRebuild f) {
      return f.name();
    } else if (op instanceof AbortRebuild a) {
      return a.name();
    }
    return null;
  }

  private static String stackTrace(Throwable t) {
    StringBuilder sb = new StringBuilder(t.toString());
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(6, st.length); i++) {
      sb.append("\n        at ").append(st[i]);
    }
    return sb.toString();
  }
}
