package dev.replicalifecycle.registry;

import static dev.replicalifecycle.registry.TestSupport.failure;
import static dev.replicalifecycle.registry.TestSupport.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The exact step sequence ({@link SpecAction} and outcome word, as {@link Step} documents them)
 * of each path through create, delete and verify, as a {@link StepListener} sees it: what the
 * conformance module validates against the spec, here one path per test without TLC. Also the
 * listener's contract: every {@code beforeStep} is followed by exactly one {@code afterStep} of
 * the same action on the same thread, with no other step of that thread in between; a closed
 * registry takes no step at all.
 */
class StepTraceTest {
  private final InMemoryLvolStore store = new InMemoryLvolStore();
  private final GatedStore gated = new GatedStore(store);
  private final Recorder recorder = new Recorder();

  /** Records "Action name:outcome" per step of the test's thread, checking the pairing. */
  static final class Recorder implements StepListener {
    final List<String> steps = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    private volatile Thread thread = Thread.currentThread();
    private final ThreadLocal<SpecAction> open = new ThreadLocal<>();

    @Override
    public synchronized void beforeStep(SpecAction action, String name) {
      if (open.get() != null) {
        violations.add("before " + action + " while " + open.get() + " is open");
      }
      open.set(action);
    }

    @Override
    public synchronized void afterStep(Step step) {
      if (open.get() != step.action()) {
        violations.add("after " + step.action() + " without its before (open: " + open.get() + ")");
      }
      open.remove();
      if (Thread.currentThread() == thread) {
        steps.add(step.action() + (step.name() == null ? "" : " " + step.name()) + ":" + step.outcome());
      }
    }

    /** From now on, records the steps of the calling thread. */
    synchronized void follow() {
      steps.clear();
      thread = Thread.currentThread();
    }

    synchronized List<String> take() {
      assertEquals(List.of(), violations, "StepListener contract");
      List<String> out = List.copyOf(steps);
      steps.clear();
      return out;
    }
  }

  private ReplicaRegistry registry() {
    return registry(Duration.ofMinutes(1));
  }

  private ReplicaRegistry registry(Duration operationTimeout) {
    return ReplicaRegistry.builder(gated)
        .stepListener(recorder)
        .operationTimeout(operationTimeout)
        .retryDelay(Duration.ofMillis(1))
        .build();
  }

  // ------------------------------------------------------------------ create

  @Test
  void createThatSucceeds() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:ok", "CreateExpose r1:ok",
        "CreatePublish r1:running"), recorder.take());
  }

  @Test
  void createOfATakenName() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    recorder.take();
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:exists"), recorder.take());
  }

  @Test
  void createOverAnOrphanLvol() {
    ReplicaRegistry registry = registry();
    store.putLvol("r1", 1);
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:exists", "CreateAbort r1:removed"),
        recorder.take());
  }

  @Test
  void createWhoseLookupFails() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.FIND, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:fail", "CreateAbort r1:removed"),
        recorder.take());
  }

  @Test
  void createRejected() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.CREATE, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:fail", "CreateAbort r1:removed"),
        recorder.take());
  }

  @Test
  void createAnsweredEexistByAPendingCreate() throws Exception {
    ReplicaRegistry registry = registry();
    store.setLateLanding(0);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    assertThrows(Exception.class, () -> store.createLvol("r1", 1));
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:exists", "CreateAbort r1:removed"),
        recorder.take());
  }

  @Test
  void createWhoseCallWasLostIsProbedAndRolledBack() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_BEFORE_APPLY);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:timeout", "CreateRollback r1:notfound",
        "CreateSettle r1:ok", "CreateRollback r1:ok", "CreateAbort r1:removed"), recorder.take());
  }

  @Test
  void createWhoseCallWasAppliedIsRolledBack() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_AFTER_APPLY);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:timeout", "CreateRollback r1:ok",
        "CreateAbort r1:removed"), recorder.take());
  }

  @Test
  void createWhoseRollbackIsRejectedTriesAgain() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_AFTER_APPLY);
    store.failNext(Call.DELETE, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:timeout", "CreateRollback r1:fail",
        "CreateRollback r1:ok", "CreateAbort r1:removed"), recorder.take());
  }

  @Test
  void createThatCannotSettleGivesUp() {
    ReplicaRegistry registry = registry(Duration.ofMillis(100));
    store.setLateLanding(0);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.create("r1", 1));
    assertShape(recorder.take(), List.of("CreateReserve r1:ok", "CreateLvol r1:timeout"),
        Set.of("CreateRollback r1:notfound", "CreateSettle r1:exists"), List.of("CreateAbort r1:error"));
  }

  /** The name reserved, the registry closed during the look-up: the create call is refused. */
  @Test
  void createClosedDuringItsLookup() throws Exception {
    ReplicaRegistry registry = registry();
    gated.hold(Call.FIND);
    CompletableFuture<List<String>> create = CompletableFuture.supplyAsync(() -> {
      recorder.follow();
      assertInstanceOf(RegistryClosedException.class, failure(() -> registry.create("r1", 1)));
      return recorder.take();
    });
    gated.awaitArrival(Call.FIND);
    registry.close(Duration.ZERO);
    gated.release(Call.FIND, false);
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:closed"), create.get(10, TimeUnit.SECONDS));
    assertEquals(0, store.calls(Call.CREATE), "no create call after close");
  }

  @Test
  void createWaitingForADelete() throws Exception {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    recorder.take();
    CompletableFuture.runAsync(() -> {
      sleep(50);
      gated.release(Call.DELETE, false);
    });
    registry.create("r1", 1);
    delete.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("CreateReserve r1:busy", "CreateReserve r1:ok", "CreateLvol r1:ok",
        "CreateExpose r1:ok", "CreatePublish r1:running"), recorder.take());
  }

  // ------------------------------------------------------------------ delete

  @Test
  void deleteOfAReplica() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.putLvol("r1-rebuilding", 1);
    recorder.take();
    registry.delete("r1");
    assertEquals(List.of("DeleteMark r1:found", "DeleteRlvol r1:ok", "DeleteLvol r1:ok",
        "DeleteRemove r1:removed"), recorder.take());
  }

  @Test
  void deleteOfAnAbsentNameWithAnLvol() {
    ReplicaRegistry registry = registry();
    store.putLvol("r1", 1);
    registry.delete("r1");
    assertEquals(List.of("DeleteMark r1:absent", "DeleteRlvol r1:notfound", "DeleteLvol r1:ok",
        "DeleteRemove r1:removed"), recorder.take());
  }

  @Test
  void deleteOfAnAbsentNameProbes() {
    ReplicaRegistry registry = registry();
    registry.delete("r1");
    assertEquals(List.of("DeleteMark r1:absent", "DeleteRlvol r1:notfound", "DeleteLvol r1:notfound",
        "DeleteProbe r1:ok", "DeleteLvol r1:ok", "DeleteRemove r1:removed"), recorder.take());
  }

  @Test
  void deleteProbeSeesAPendingCreate() throws Exception {
    ReplicaRegistry registry = registry();
    // lands at the 5th call from now: the delete's look-ups of r1 and r1-rebuilding (the chains
    // of an absent name), DeleteRlvol, DeleteLvol, then the probe sees it
    store.setLateLanding(5);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    assertThrows(Exception.class, () -> store.createLvol("r1", 1)); // an earlier registry's call
    registry.delete("r1");
    assertShape(recorder.take(), List.of("DeleteMark r1:absent", "DeleteRlvol r1:notfound",
            "DeleteLvol r1:notfound", "DeleteProbe r1:exists"),
        Set.of("DeleteLvol r1:notfound", "DeleteProbe r1:exists"),
        List.of("DeleteLvol r1:ok", "DeleteRemove r1:removed"));
  }

  @Test
  void deleteRejected() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    recorder.take();
    store.failNext(Call.DELETE, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.delete("r1"));
    assertEquals(List.of("DeleteMark r1:found", "DeleteRlvol r1:fail", "DeleteRemove r1:error"),
        recorder.take());
  }

  @Test
  void deleteWhoseHeadDeleteIsRejected() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    recorder.take();
    store.failNext(Call.DELETE, 1, Fault.TIMEOUT_BEFORE_APPLY); // rebuilding: timeout, tried again
    store.failNext(Call.DELETE, 1, Fault.UNAVAILABLE);
    store.failNext(Call.DELETE, 1, Fault.REJECT); // the rebuilding lvol's second try
    assertThrows(ReplicaStoreException.class, () -> registry.delete("r1"));
    assertEquals(List.of("DeleteMark r1:found", "DeleteRlvol r1:timeout", "DeleteRlvol r1:timeout",
        "DeleteRlvol r1:fail", "DeleteRemove r1:error"), recorder.take());
  }

  /** The head's delete lands late: another try answers "busy" until it does. */
  @Test
  void deleteAnsweredBusyTriesAgain() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.putLvol("r1-rebuilding", 1);
    recorder.take();
    store.setLateLanding(2);
    store.failNext(Call.DELETE, 1, Fault.TIMEOUT_LATE);
    registry.delete("r1");
    assertEquals(List.of("DeleteMark r1:found", "DeleteRlvol r1:timeout", "DeleteRlvol r1:busy",
        "DeleteRlvol r1:notfound", "DeleteLvol r1:ok", "DeleteRemove r1:removed"), recorder.take());
  }

  @Test
  void deleteOfAReplicaInErrorProbes() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.loseLvol("r1");
    registry.verify();
    recorder.take();
    registry.delete("r1");
    assertEquals(List.of("DeleteMark r1:found", "DeleteRlvol r1:notfound", "DeleteLvol r1:notfound",
        "DeleteProbe r1:ok", "DeleteLvol r1:ok", "DeleteRemove r1:removed"), recorder.take());
  }

  @Test
  void deleteThatGivesUp() {
    ReplicaRegistry registry = registry(Duration.ofMillis(100));
    registry.create("r1", 1);
    recorder.take();
    store.failNext(Call.DELETE, 100_000, Fault.UNAVAILABLE);
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r1"));
    assertShape(recorder.take(), List.of("DeleteMark r1:found", "DeleteRlvol r1:timeout"),
        Set.of("DeleteRlvol r1:timeout"), List.of("DeleteRemove r1:error"));
  }

  @Test
  void deleteWaitingForACreate() throws Exception {
    ReplicaRegistry registry = registry();
    gated.hold(Call.CREATE);
    CompletableFuture<Replica> create = CompletableFuture.supplyAsync(() -> registry.create("r1", 1));
    gated.awaitArrival(Call.CREATE);
    CompletableFuture.runAsync(() -> {
      sleep(50);
      gated.release(Call.CREATE, false);
    });
    registry.delete("r1");
    create.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("DeleteMark r1:busy", "DeleteMark r1:found", "DeleteRlvol r1:notfound",
        "DeleteLvol r1:ok", "DeleteRemove r1:removed"), recorder.take());
  }

  /** Closed between two store calls: the next step reports "closed" and nothing else runs. */
  @Test
  void deleteClosedBetweenItsCalls() throws Exception {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    gated.hold(Call.DELETE);
    CompletableFuture<List<String>> delete = CompletableFuture.supplyAsync(() -> {
      recorder.follow();
      assertInstanceOf(RegistryClosedException.class, failure(() -> registry.delete("r1")));
      return recorder.take();
    });
    gated.awaitArrival(Call.DELETE);
    registry.close(Duration.ZERO);
    gated.release(Call.DELETE, false);
    assertEquals(List.of("DeleteMark r1:found", "DeleteRlvol r1:notfound", "DeleteLvol r1:closed"),
        delete.get(10, TimeUnit.SECONDS));
    assertEquals(1, store.calls(Call.DELETE));
  }

  /**
   * A delete retrying an unknown outcome when the registry closes: it ends at once with
   * RegistryClosedException, taking no further step (no DeleteRemove, no "closed" retry).
   */
  @Test
  void deleteRetryingWhenClosedTakesNoFurtherStep() throws Exception {
    ReplicaRegistry registry = ReplicaRegistry.builder(store).stepListener(recorder)
        .retryDelay(Duration.ofSeconds(10)).build();
    registry.create("r1", 1);
    store.failNext(Call.DELETE, 100_000, Fault.UNAVAILABLE);
    CompletableFuture<List<String>> delete = CompletableFuture.supplyAsync(() -> {
      recorder.follow();
      assertInstanceOf(RegistryClosedException.class, failure(() -> registry.delete("r1")));
      return recorder.take();
    });
    Thread.sleep(300); // pausing (the pauses double: 204.8 ms by now)
    registry.close(Duration.ofSeconds(5));
    assertShape(delete.get(10, TimeUnit.SECONDS), List.of("DeleteMark r1:found", "DeleteRlvol r1:timeout"),
        Set.of("DeleteRlvol r1:timeout"), List.of("DeleteRlvol r1:timeout"));
  }

  // ------------------------------------------------------------------ verify

  @Test
  void verifyDecisions() {
    ReplicaRegistry registry = registry();
    registry.create("a-kept", 1);
    registry.create("b-lost", 1);
    registry.create("c-relinked", 1);
    store.loseLvol("b-lost");
    store.loseLvol("c-relinked");
    store.putLvol("c-relinked", 1);
    store.putLvol("d-orphan", 1);
    recorder.take();
    registry.verify();
    assertEquals(List.of("VerifyStart:ok", "VerifyList:ok", "VerifyApply a-kept:keep",
        "VerifyApply b-lost:error", "VerifyApply c-relinked:keep", "VerifyApply d-orphan:adopt"),
        recorder.take());
  }

  /** With a listener, VerifyApply runs in name order (repeatable traces), whatever the map's order. */
  @Test
  void verifyAppliesInNameOrder() {
    ReplicaRegistry registry = registry();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String n = "n" + Integer.toString(i * 7919 % 1000, 36) + "-" + i;
      names.add(n);
      if (i % 2 == 0) {
        registry.create(n, 1);
      } else {
        store.putLvol(n, 1);
      }
    }
    recorder.take();
    registry.verify();
    List<String> applied = recorder.take().stream()
        .filter(s -> s.startsWith("VerifyApply "))
        .map(s -> s.substring("VerifyApply ".length(), s.indexOf(':')))
        .toList();
    assertEquals(names.stream().sorted().toList(), applied);
  }

  @Test
  void verifyWithAPartialListing() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.loseLvol("r1");
    store.hideLvstore(InMemoryLvolStore.DEFAULT_LVSTORE, 1);
    recorder.take();
    registry.verify();
    assertEquals(List.of("VerifyStart:ok", "VerifyList:partial", "VerifyApply r1:uncertain"), recorder.take());
  }

  @Test
  void verifyWhoseListingFails() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.LIST, 1, Fault.REJECT);
    store.failNext(Call.LIST, 1, Fault.UNAVAILABLE);
    store.failNext(Call.LIST, 1, Fault.TIMEOUT_BEFORE_APPLY);
    for (int i = 0; i < 3; i++) {
      assertThrows(ReplicaStoreException.class, registry::verify);
    }
    assertEquals(List.of("VerifyStart:ok", "VerifyList:fail", "VerifyStart:ok", "VerifyList:broken",
        "VerifyStart:ok", "VerifyList:fail"), recorder.take());
  }

  @Test
  void verifySkipsANameInFlight() throws Exception {
    ReplicaRegistry registry = registry();
    gated.hold(Call.CREATE);
    CompletableFuture<Replica> create = CompletableFuture.supplyAsync(() -> registry.create("r1", 1));
    gated.awaitArrival(Call.CREATE);
    registry.verify();
    gated.release(Call.CREATE, false);
    create.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("VerifyStart:ok", "VerifyList:ok", "VerifyApply r1:inflight"), recorder.take());
  }

  // ------------------------------------------------------------------ closed

  /** A closed registry refuses every call before any step: a listener sees nothing. */
  @Test
  void aClosedRegistryTakesNoStep() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    registry.close();
    recorder.take();
    assertThrows(RegistryClosedException.class, () -> registry.create("r2", 1));
    assertThrows(RegistryClosedException.class, () -> registry.delete("r1"));
    assertThrows(RegistryClosedException.class, registry::verify);
    assertThrows(RegistryClosedException.class, () -> registry.recover("r1"));
    assertEquals(List.of(), recorder.take());
  }

  // ------------------------------------------------------------------ helpers

  /** {@code steps} is {@code head}, then any number of entries from {@code middle}, then {@code tail}. */
  private static void assertShape(List<String> steps, List<String> head, Set<String> middle, List<String> tail) {
    String all = String.join("\n", steps);
    assertTrue(steps.size() >= head.size() + tail.size(), all);
    assertEquals(head, steps.subList(0, head.size()), all);
    assertEquals(tail, steps.subList(steps.size() - tail.size(), steps.size()), all);
    for (String s : steps.subList(head.size(), steps.size() - tail.size())) {
      assertTrue(middle.contains(s), "unexpected " + s + " in\n" + all);
    }
  }

  // ------------------------------------------------------------------ snapshots, start, rebuild
  // (spec/ReplicaChains.tla's steps; beginRebuild and abortRebuild are a create and a delete)

  /** Over the store itself: the gated wrapper forwards only create, delete, find and list. */
  private ReplicaRegistry chainRegistry() {
    return ReplicaRegistry.builder(store).stepListener(recorder).retryDelay(Duration.ofMillis(1)).build();
  }

  @Test
  void snapshotAndItsDelete() {
    ReplicaRegistry registry = chainRegistry();
    registry.create("r1", 1);
    recorder.take();
    registry.snapshot("r1", "s1");
    assertEquals(List.of("SnapMark r1:s1", "SnapCall r1:ok", "SnapPublish r1:ok"), recorder.take());
    assertThrows(ReplicaStateException.class, () -> registry.snapshot("r1", "s1"));
    assertEquals(List.of("SnapMark r1:refused"), recorder.take());
    registry.deleteSnapshot("r1", "s1");
    assertEquals(List.of("SnapDelMark r1:s1", "SnapDelCall r1:ok", "SnapDelPublish r1:ok"), recorder.take());
    assertThrows(ReplicaStateException.class, () -> registry.deleteSnapshot("r1", "s1"));
    assertEquals(List.of("SnapDelMark r1:refused"), recorder.take());
  }

  @Test
  void snapshotOfALostHeadIsRefusedAndFreesTheName() {
    ReplicaRegistry registry = chainRegistry();
    registry.create("r1", 1);
    store.loseLvol("r1");
    recorder.take();
    assertThrows(ReplicaStoreException.class, () -> registry.snapshot("r1", "s1"));
    assertEquals(List.of("SnapMark r1:s1", "SnapCall r1:notfound", "SnapPublish r1:failed"), recorder.take());
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
  }

  @Test
  void startOfAStoppedReplica() {
    store.putLvol("r1", 1);
    ReplicaRegistry registry = chainRegistry();
    registry.verify();
    recorder.take();
    registry.start("r1");
    assertEquals(List.of("StartMark r1:ok", "StartLook r1:running"), recorder.take());
    registry.start("r1");
    assertEquals(List.of("StartMark r1:running"), recorder.take());
  }

  @Test
  void startWithoutAHeadChangesNothing() {
    store.putLvol("r1", 1);
    ReplicaRegistry registry = chainRegistry();
    registry.verify();
    store.loseLvol("r1");
    recorder.take();
    assertThrows(ReplicaStateException.class, () -> registry.start("r1"));
    assertEquals(List.of("StartMark r1:ok", "StartLook r1:nohead"), recorder.take());
    assertEquals(ReplicaState.STOPPED, registry.get("r1").orElseThrow().state());
  }

  @Test
  void rebuildBeginFinishAndAbort() {
    ReplicaRegistry registry = chainRegistry();
    registry.beginRebuild("r1", 1);
    assertEquals(List.of("CreateReserve r1:ok", "CreateLvol r1:ok", "CreateExpose r1:ok",
        "CreatePublish r1:running"), recorder.take());
    registry.finishRebuild("r1");
    assertEquals(List.of("RebuildFinishMark r1:ok", "RebuildRename r1:ok", "RebuildFinishPublish r1:running"),
        recorder.take());
    registry.beginRebuild("r2", 1);
    recorder.take();
    registry.abortRebuild("r2");
    List<String> abort = recorder.take();
    assertEquals("DeleteMark r2:found", abort.get(0));
    assertEquals("DeleteRemove r2:removed", abort.get(abort.size() - 1));
  }

  @Test
  void abortRebuildOfAReplicaNotRebuildingIsRefused() {
    ReplicaRegistry registry = chainRegistry();
    registry.create("r1", 1);
    recorder.take();
    assertThrows(ReplicaStateException.class, () -> registry.abortRebuild("r1"));
    assertThrows(ReplicaStateException.class, () -> registry.abortRebuild("r2"));
    assertEquals(List.of("DeleteMark r1:refused", "DeleteMark r2:refused"), recorder.take());
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
  }

  @Test
  void startWhoseLookUpIsRejectedFreesTheNameInAStep() {
    store.putLvol("r1", 1);
    ReplicaRegistry registry = chainRegistry();
    registry.verify();
    recorder.take();
    store.failNext(Call.FIND, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.start("r1"));
    assertEquals(List.of("StartMark r1:ok", "StartLook r1:fail", "StartLook r1:failed"), recorder.take());
    assertEquals(ReplicaState.STOPPED, registry.get("r1").orElseThrow().state());
  }
}
