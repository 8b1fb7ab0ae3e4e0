package dev.replicalifecycle.registry;

import static dev.replicalifecycle.registry.TestSupport.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.VerifyReport.SkipReason;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The V4 registry in SPDK's fault model (issue 9): calls that time out and are applied later,
 * calls that outlive a closed registry, listings that miss an lvol store or cannot read an entry,
 * and the bounds on waiting. Each test names the spec property or design rule it shows.
 */
class FaultModelTest {
  private final InMemoryLvolStore store = new InMemoryLvolStore();

  private ReplicaRegistry registry() {
    return ReplicaRegistry.builder(store).retryDelay(Duration.ofMillis(1)).build();
  }

  // ------------------------------------------------------------------ late-applied calls

  /**
   * Issue 9, Why 1 (the first V4 broke DeleteIsFinal this way, mutant NoSettle): the create's lvol
   * call times out and lands later. The create keeps the name reserved until the outcome is
   * settled, so no delete can return success while the lvol is still to come, and the failed
   * create leaves nothing (FailedCreateLeavesNothing).
   */
  @Test
  void createWhoseCallLandsLateSettlesBeforeFreeingTheName() {
    ReplicaRegistry registry = registry();
    store.setLateLanding(4);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertFalse(e instanceof ReplicaOutcomeUnknownException, "settled: " + e);
    assertTrue(store.pendingLate().isEmpty(), "the late create has landed");
    assertFalse(store.contains("r1"), "and its lvol is deleted");
    assertTrue(registry.get("r1").isEmpty());
    registry.delete("r1");
    assertTrue(registry.verify().changes().isEmpty(), "nothing to adopt: no phantom");
    assertFalse(store.contains("r1"));
  }

  /** The late create never lands (SPDK dropped it): the probe create proves it, the name is free. */
  @Test
  void createWhoseCallNeverLandsIsSettledByTheProbe() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_BEFORE_APPLY);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertFalse(store.contains("r1"));
    assertTrue(registry.get("r1").isEmpty());
    assertEquals(2, store.calls(Call.CREATE), "the create, then one probe");
  }

  /**
   * A create that cannot settle within the operation timeout gives up: the outcome is unknown,
   * the replica stays in ERROR with its name taken (ReservationHasOwner: no reservation without
   * an operation), and a later delete settles it.
   */
  @Test
  void createThatCannotSettleGivesUpAndDeleteSettlesIt() {
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store)
            .operationTimeout(Duration.ofMillis(200))
            .retryDelay(Duration.ofMillis(5))
            .build();
    store.setLateLanding(0); // never lands on its own
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    ReplicaOutcomeUnknownException e =
        assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.create("r1", 1));
    assertInstanceOf(dev.replicalifecycle.store.StoreTimeoutException.class, e.getCause());
    Replica r = registry.get("r1").orElseThrow();
    assertEquals(ReplicaState.ERROR, r.state());
    assertTrue(r.errorReason().contains("outcome unknown"), r.errorReason());
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    store.landLate(); // SPDK finishes the create at last
    registry.delete("r1");
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
    assertTrue(store.pendingLate().isEmpty());
  }

  /**
   * Issue 9, Why 2 across a restart (mutant NoProbe): a create of an earlier registry is still
   * pending in the store ("not found" to a delete, EEXIST to a create). A delete of the name in a
   * new registry (no entry) must not return success while that create can still land: its probe
   * create answers EEXIST until the create lands, and then it deletes the lvol (DeleteIsFinal).
   */
  @Test
  void deleteProbeSeesAPendingCreate() {
    store.setLateLanding(0);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    assertThrows(Exception.class, () -> store.createLvol("r1", 1)); // an earlier registry's call
    ReplicaRegistry registry = registry();
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    assertThrows(java.util.concurrent.TimeoutException.class, () -> delete.get(100, TimeUnit.MILLISECONDS),
        "the delete must not return while a create of the name is pending");
    store.landLate();
    delete.join();
    assertFalse(store.contains("r1"));
  }

  /** A delete whose call lands late: another delete answers "busy" until it does. */
  @Test
  void deleteWhoseCallLandsLateIsTriedUntilSettled() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.putLvol("r1-rebuilding", 1);
    store.setLateLanding(3);
    store.failNext(Call.DELETE, 1, Fault.TIMEOUT_LATE); // the rebuilding lvol's delete lands late
    registry.delete("r1");
    assertFalse(store.contains("r1"));
    assertFalse(store.contains("r1-rebuilding"));
    assertTrue(store.pendingLate().isEmpty());
    assertTrue(registry.get("r1").isEmpty());
  }

  // ------------------------------------------------------------------ the fence

  /**
   * Issue 9, Why 2 in-process (mutant NoFence): a delete of a closed registry, parked behind a
   * create of the same name, must never wake up and delete the lvol of a replica that a new
   * registry over the same store has created meanwhile.
   */
  @Test
  void parkedDeleteOfAClosedRegistryNeverTouchesTheStore() throws Exception {
    GatedStore gated = new GatedStore(store);
    ReplicaRegistry old = ReplicaRegistry.builder(gated).build();
    gated.hold(Call.CREATE);
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> old.create("r1", 1)));
    gated.awaitArrival(Call.CREATE);
    CompletableFuture<Throwable> delete = CompletableFuture.supplyAsync(() -> failure(() -> old.delete("r1")));
    Thread.sleep(50); // the delete parks: a create of r1 is in flight
    assertEquals(Set.of("r1"), old.close(Duration.ZERO), "the create's call is still in flight");

    ReplicaRegistry fresh = ReplicaRegistry.builder(store).build();
    Replica r = fresh.create("r1", 1); // the old create's call has not reached the store yet
    gated.release(Call.CREATE, true);   // ... and then fails: nothing applied
    assertInstanceOf(ReplicaException.class, create.get(10, TimeUnit.SECONDS));
    assertInstanceOf(RegistryClosedException.class, delete.get(10, TimeUnit.SECONDS));
    assertTrue(store.contains("r1"), "the new registry's lvol is intact");
    fresh.verify();
    assertEquals(r, fresh.get("r1").orElseThrow());
  }

  /** close() waits for calls in flight, up to its timeout, and reports the names still in one. */
  @Test
  void closeWaitsForCallsInFlightAndReportsTheRest() throws Exception {
    GatedStore gated = new GatedStore(store);
    ReplicaRegistry registry = ReplicaRegistry.builder(gated).build();
    gated.hold(Call.CREATE);
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> registry.create("r1", 1)));
    gated.awaitArrival(Call.CREATE);
    long t0 = System.nanoTime();
    assertEquals(Set.of("r1"), registry.close(Duration.ofMillis(100)));
    assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100));
    gated.release(Call.CREATE, false);
    create.get(10, TimeUnit.SECONDS);
    assertEquals(Set.of(), registry.close(Duration.ZERO), "nothing in flight any more");
  }

  /** close() stops the verify loop: no round runs after it returns. */
  @Test
  void closeStopsTheVerifyLoop() throws Exception {
    java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store).verifyEvery(Duration.ofMillis(5)).onVerify(r -> rounds.incrementAndGet()).build();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (rounds.get() < 2 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertTrue(rounds.get() >= 2, "the loop runs");
    registry.close();
    int after = rounds.get();
    long lists = store.calls(Call.LIST);
    Thread.sleep(100);
    assertEquals(after, rounds.get(), "no round after close()");
    assertEquals(lists, store.calls(Call.LIST), "no listing after close()");
  }

  // ------------------------------------------------------------------ waits

  /** A wait for a busy name ends at the operation timeout, with nothing changed. */
  @Test
  void waitForABusyNameEndsAtTheOperationTimeout() throws Exception {
    GatedStore gated = new GatedStore(store);
    ReplicaRegistry registry =
        ReplicaRegistry.builder(gated).operationTimeout(Duration.ofMillis(100)).build();
    gated.hold(Call.CREATE);
    CompletableFuture<Replica> create = CompletableFuture.supplyAsync(() -> registry.create("r1", 1));
    gated.awaitArrival(Call.CREATE);
    ReplicaBusyException e = assertThrows(ReplicaBusyException.class, () -> registry.delete("r1"));
    assertFalse(e.interrupted());
    assertEquals("r1", e.name());
    gated.release(Call.CREATE, false);
    assertEquals(ReplicaState.RUNNING, create.get(10, TimeUnit.SECONDS).state());
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state(), "nothing changed");
  }

  /** A wait for a busy name honours interrupts: the interrupt status is set again, nothing changed. */
  @Test
  void waitForABusyNameHonoursInterrupts() throws Exception {
    GatedStore gated = new GatedStore(store);
    ReplicaRegistry registry = ReplicaRegistry.builder(gated).build();
    gated.hold(Call.CREATE);
    CompletableFuture<Replica> create = CompletableFuture.supplyAsync(() -> registry.create("r1", 1));
    gated.awaitArrival(Call.CREATE);
    CompletableFuture<Object[]> waiter = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        registry.delete("r1");
        waiter.complete(new Object[] {null, false});
      } catch (RuntimeException ex) {
        waiter.complete(new Object[] {ex, Thread.currentThread().isInterrupted()});
      }
    });
    t.start();
    Thread.sleep(50);
    t.interrupt();
    Object[] got = waiter.get(10, TimeUnit.SECONDS);
    ReplicaBusyException e = assertInstanceOf(ReplicaBusyException.class, got[0]);
    assertTrue(e.interrupted());
    assertEquals(Boolean.TRUE, got[1], "interrupt status set again");
    gated.release(Call.CREATE, false);
    create.get(10, TimeUnit.SECONDS);
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
  }

  // ------------------------------------------------------------------ partial listings

  /**
   * Issue 9, Why 3 (mutant JudgeUncovered): a listing that misses the lvol store (not loaded yet,
   * renamed) proves nothing about its replicas: none is marked ERROR
   * (NoHealthyReplicaMarkedErr); once the lvol store is listed again, a really lost lvol is.
   */
  @Test
  void missingLvstoreMarksNothingError() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    registry.create("r2", 1);
    store.hideLvstore(InMemoryLvolStore.DEFAULT_LVSTORE, 1);
    VerifyReport report = registry.verify();
    assertFalse(report.listingComplete());
    assertEquals(Set.of(InMemoryLvolStore.DEFAULT_LVSTORE), report.missingLvstores());
    assertEquals(List.of(new VerifyReport.Skip("r1", SkipReason.LVSTORE_NOT_LISTED),
        new VerifyReport.Skip("r2", SkipReason.LVSTORE_NOT_LISTED)), report.skipped());
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
    assertEquals(ReplicaState.RUNNING, registry.get("r2").orElseThrow().state());
    store.loseLvol("r2");
    registry.verify();
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
    assertEquals(ReplicaState.ERROR, registry.get("r2").orElseThrow().state());
  }

  /** An unreadable entry proves nothing about the lvol it could be (mutant JudgeUnreadable). */
  @Test
  void unreadableEntryMarksNothingError() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    registry.create("r2", 1);
    store.unreadable("r1", 1);
    store.loseLvol("r2");
    VerifyReport report = registry.verify();
    assertEquals(1, report.unreadableEntries());
    assertEquals(List.of(new VerifyReport.Skip("r1", SkipReason.UNREADABLE_ENTRY)), report.skipped());
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
    assertEquals(ReplicaState.ERROR, registry.get("r2").orElseThrow().state(), "other names are judged");
  }

  /** An unreadable entry that could be the replica's rebuilding lvol proves nothing either. */
  @Test
  void unreadableRebuildingLvolMarksNothingError() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.putLvol("r1-rebuilding", 1);
    store.loseLvol("r1"); // a rebuild dropped the head; its rebuilding lvol keeps the replica
    store.unreadable("r1-rebuilding", 1);
    VerifyReport report = registry.verify();
    assertEquals(List.of(new VerifyReport.Skip("r1", SkipReason.UNREADABLE_ENTRY)), report.skipped());
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
  }

  /** Lvols that are no replica's (a backing image, a snapshot) are never adopted; only counted. */
  @Test
  void nonReplicaLvolsAreNeverAdopted() {
    ReplicaRegistry registry = registry();
    store.putLvol("bi-image1", 1, LvolKind.OTHER, InMemoryLvolStore.DEFAULT_LVSTORE);
    store.putLvol("looks-like-a-replica", 1, LvolKind.OTHER, InMemoryLvolStore.DEFAULT_LVSTORE);
    store.putLvol("r9-snap-1", 1);
    VerifyReport report = registry.verify();
    assertTrue(registry.list().isEmpty());
    assertEquals(2, report.nonReplicaLvols());
    assertEquals(List.of("r9-snap-1"), report.orphanLvols());
  }

  // ------------------------------------------------------------------ recover

  /** A replica marked ERROR for a missing lvol comes back when the same lvol is back. */
  @Test
  void recoverBringsBackAReplicaWhoseLvolIsBack() {
    ReplicaRegistry registry = registry();
    Replica r = registry.create("r1", 1);
    Lvol lvol = store.lvols().get(0);
    store.loseLvol("r1");
    registry.verify();
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
    assertThrows(ReplicaStateException.class, () -> registry.recover("r1"), "the lvol is not back");
    store.restoreLvol(lvol);
    assertEquals(List.of("r1"), registry.verify().recoverable());
    assertEquals(r, registry.recover("r1"));
    assertEquals(r, registry.get("r1").orElseThrow());
    assertThrows(ReplicaStateException.class, () -> registry.recover("r1"), "not in error any more");
    assertThrows(ReplicaStateException.class, () -> registry.recover("nobody"));
  }

  /** An lvol of the same name but another UUID is not the replica's data: no recover. */
  @Test
  void recoverRefusesAnotherLvolOfTheSameName() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.loseLvol("r1");
    registry.verify();
    store.putLvol("r1", 1);
    ReplicaStateException e = assertThrows(ReplicaStateException.class, () -> registry.recover("r1"));
    assertTrue(e.getMessage().contains("UUID"), e.getMessage());
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
  }

  @SuppressWarnings("unused")
  private static void unwrap(ExecutionException e) throws Throwable {
    throw e.getCause();
  }
}
