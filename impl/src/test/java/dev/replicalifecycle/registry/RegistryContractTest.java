package dev.replicalifecycle.registry;

import static dev.replicalifecycle.registry.TestSupport.failure;
import static dev.replicalifecycle.registry.TestSupport.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.StoreRejectedException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The documented contract of {@link ReplicaRegistry}, one test per {@code @throws} clause and per
 * blocking or closing rule not shown elsewhere ({@link StampedRegistryTest}, {@link
 * FaultModelTest}): the Builder's argument checks, every exception of create, delete, recover,
 * get and verify (including "is or gets closed"), close and close(Duration), and the "Blocking"
 * section (issue 13, item 3).
 */
class RegistryContractTest {
  private static final Duration SHORT = Duration.ofMillis(150);

  private final InMemoryLvolStore store = new InMemoryLvolStore();
  private final GatedStore gated = new GatedStore(store);

  private ReplicaRegistry registry() {
    return ReplicaRegistry.builder(store).retryDelay(Duration.ofMillis(1)).build();
  }

  /** A registry over the gated store (calls can be held in flight). */
  private ReplicaRegistry gatedRegistry(Duration operationTimeout) {
    return ReplicaRegistry.builder(gated)
        .operationTimeout(operationTimeout)
        .retryDelay(Duration.ofMillis(1))
        .build();
  }

  // ------------------------------------------------------------------ Builder

  @Test
  void builderRejectsANullStore() {
    assertThrows(NullPointerException.class, () -> ReplicaRegistry.builder(null));
  }

  /** Zero, negative and null durations throw, and the rejected value is not kept: nothing is built. */
  @Test
  void builderRejectsZeroNegativeAndNullDurations() throws Exception {
    ReplicaRegistry.Builder b = ReplicaRegistry.builder(store);
    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(-3)}) {
      assertThrows(IllegalArgumentException.class, () -> b.verifyEvery(bad), "verifyEvery " + bad);
      assertThrows(IllegalArgumentException.class, () -> b.operationTimeout(bad), "operationTimeout " + bad);
      assertThrows(IllegalArgumentException.class, () -> b.retryDelay(bad), "retryDelay " + bad);
    }
    assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ofNanos(-1)));
    assertThrows(NullPointerException.class, () -> b.verifyEvery(null));
    assertThrows(NullPointerException.class, () -> b.operationTimeout(null));
    assertThrows(NullPointerException.class, () -> b.retryDelay(null));
    assertThrows(NullPointerException.class, () -> b.closeTimeout(null));
    b.closeTimeout(Duration.ZERO); // zero is allowed: close() does not wait

    // Nothing of the rejected values was kept: no verify loop runs, and the operation timeout is
    // still the default (a create whose call timed out settles instead of giving up at once).
    ReplicaRegistry registry = b.build();
    Thread.sleep(100);
    assertEquals(0, store.calls(Call.LIST), "no verify loop was started");
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_BEFORE_APPLY);
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertFalse(e instanceof ReplicaOutcomeUnknownException, "settled within the default timeout: " + e);
    registry.close();
  }

  @Test
  void builderRejectsNullListeners() {
    ReplicaRegistry.Builder b = ReplicaRegistry.builder(store);
    assertThrows(NullPointerException.class, () -> b.onVerify(null));
    assertThrows(NullPointerException.class, () -> b.onVerifyFailure(null));
    assertThrows(NullPointerException.class, () -> b.stepListener(null));
    // the rejected listener was not installed: a build runs its rounds without one
    ReplicaRegistry registry = b.build();
    registry.create("r1", 1);
    assertTrue(registry.verify().changes().isEmpty());
  }

  // ------------------------------------------------------------------ create

  @Test
  void createRejectsANullNameAndANegativeSizeChangingNothing() {
    ReplicaRegistry registry = registry();
    assertThrows(InvalidReplicaNameException.class, () -> registry.create(null, 1));
    assertThrows(InvalidReplicaNameException.class, () -> registry.create("r1-rebuilding", 1));
    assertThrows(IllegalArgumentException.class, () -> registry.create("r1", -1));
    assertThrows(IllegalArgumentException.class, () -> registry.create("r1", Long.MIN_VALUE));
    assertTrue(registry.list().isEmpty());
    assertEquals(0, store.calls(Call.FIND) + store.calls(Call.CREATE), "no store call");
    assertEquals(ReplicaState.RUNNING, registry.create("r1", 1).state(), "the name is free");
  }

  /** A rebuilding lvol no replica owns is not the create's either: AlreadyExists, untouched. */
  @Test
  void createFailsWhenARebuildingLvolOfTheNameExists() {
    ReplicaRegistry registry = registry();
    store.putLvol("r1-rebuilding", 1);
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    assertTrue(store.contains("r1-rebuilding"));
    assertFalse(store.contains("r1"));
    assertTrue(registry.get("r1").isEmpty(), "nothing changed");
    assertEquals(0, store.calls(Call.CREATE));
  }

  /** "an lvol of the name ... is being created in the store": EEXIST; nothing changed. */
  @Test
  void createOfANameBeingCreatedInTheStoreFails() throws Exception {
    ReplicaRegistry registry = registry();
    store.setLateLanding(0);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    assertThrows(Exception.class, () -> store.createLvol("r1", 7)); // an earlier registry's create
    ReplicaAlreadyExistsException e =
        assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    assertTrue(e.getMessage().contains("being created"), e.getMessage());
    assertTrue(registry.get("r1").isEmpty(), "the name is free again");
    assertEquals(0, store.calls(Call.DELETE), "no rollback: the pending lvol is not the create's");
    store.landLate();
    assertEquals(7, lvolOf("r1").sizeBytes(), "the earlier create's lvol");
  }

  /** A create of a name whose create is in flight fails at once; it does not wait. */
  @Test
  void secondCreateWhileTheFirstIsInFlightFailsAtOnce() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.CREATE);
    CompletableFuture<Replica> first = CompletableFuture.supplyAsync(() -> registry.create("r1", 1));
    gated.awaitArrival(Call.CREATE);
    assertEquals(ReplicaState.CREATING, registry.get("r1").orElseThrow().state());
    long t0 = System.nanoTime();
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "did not wait");
    gated.release(Call.CREATE, false);
    assertEquals(ReplicaState.RUNNING, first.get(10, TimeUnit.SECONDS).state());
  }

  /** Blocking: a create waits for a delete of the name in flight, then creates. */
  @Test
  void createWaitsForADeleteInFlightThenCreates() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    Replica old = registry.create("r1", 1);
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    CompletableFuture<Replica> create = CompletableFuture.supplyAsync(() -> registry.create("r1", 2));
    assertThrows(TimeoutException.class, () -> create.get(100, TimeUnit.MILLISECONDS), "waits for the delete");
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
    Replica r = create.get(10, TimeUnit.SECONDS);
    assertEquals(ReplicaState.RUNNING, r.state());
    assertEquals(2, r.sizeBytes());
    assertFalse(r.lvolUuid().equals(old.lvolUuid()), "a new lvol");
    assertTrue(store.contains("r1"));
  }

  @Test
  void createWaitingForADeleteIsBusyAtTheOperationTimeout() throws Exception {
    ReplicaRegistry registry = gatedRegistry(SHORT);
    registry.create("r1", 1);
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    ReplicaBusyException e = assertThrows(ReplicaBusyException.class, () -> registry.create("r1", 1));
    assertFalse(e.interrupted());
    assertEquals("r1", e.name());
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
    assertTrue(registry.get("r1").isEmpty(), "nothing of the create");
    assertFalse(store.contains("r1"));
  }

  @Test
  void createWaitingForADeleteHonoursInterrupts() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    registry.create("r1", 1);
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    Outcome got = interruptedAfter(50, () -> registry.create("r1", 1));
    ReplicaBusyException e = assertInstanceOf(ReplicaBusyException.class, got.failure);
    assertTrue(e.interrupted());
    assertTrue(got.interruptStatus, "interrupt status set again");
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
    assertTrue(registry.get("r1").isEmpty());
  }

  /** "(or the thread was interrupted)": a create settling an unknown outcome gives up. */
  @Test
  void createSettlingGivesUpWhenInterrupted() {
    ReplicaRegistry registry = registry();
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_AFTER_APPLY);
    Thread.currentThread().interrupt();
    ReplicaOutcomeUnknownException e;
    try {
      e = assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.create("r1", 1));
      assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
    } finally {
      Thread.interrupted();
    }
    assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1), "name taken");
    registry.delete("r1");
    assertFalse(store.contains("r1"));
  }

  @Test
  void createWaitingForADeleteFailsWhenTheRegistryGetsClosed() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    registry.create("r1", 1);
    gated.hold(Call.DELETE);
    CompletableFuture<Throwable> delete = CompletableFuture.supplyAsync(() -> failure(() -> registry.delete("r1")));
    gated.awaitArrival(Call.DELETE);
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> registry.create("r1", 1)));
    Thread.sleep(50); // the create parks behind the delete
    registry.close(Duration.ZERO);
    assertInstanceOf(RegistryClosedException.class, create.get(10, TimeUnit.SECONDS));
    gated.release(Call.DELETE, false);
    assertInstanceOf(RegistryClosedException.class, delete.get(10, TimeUnit.SECONDS));
  }

  /** A create between two steps at close fails; its store call already made may be applied. */
  @Test
  void createBetweenStepsFailsWhenTheRegistryGetsClosed() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.CREATE);
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> registry.create("r1", 1)));
    gated.awaitArrival(Call.CREATE);
    assertEquals(Set.of("r1"), registry.close(Duration.ZERO));
    long finds = store.calls(Call.FIND);
    gated.release(Call.CREATE, false);
    assertInstanceOf(RegistryClosedException.class, create.get(10, TimeUnit.SECONDS));
    assertTrue(store.contains("r1"), "the call made before close was applied");
    assertEquals(1, store.calls(Call.CREATE));
    assertEquals(finds, store.calls(Call.FIND));
    assertEquals(0, store.calls(Call.DELETE), "no rollback after close");
  }

  // ------------------------------------------------------------------ delete

  @Test
  void deleteRejectsANullName() {
    ReplicaRegistry registry = registry();
    assertThrows(InvalidReplicaNameException.class, () -> registry.delete(null));
    assertThrows(InvalidReplicaNameException.class, () -> registry.delete("r1-snap-2"));
    assertEquals(0, store.calls(Call.DELETE));
  }

  /** "a name with no replica gets an ERROR entry", its name taken until a delete succeeds. */
  @Test
  void rejectedDeleteOfAnAbsentNameLeavesAnErrorEntry() {
    ReplicaRegistry registry = registry();
    store.putLvol("r1", 1); // an lvol no replica owns yet
    store.failNext(Call.DELETE, 2, Fault.REJECT);
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class, () -> registry.delete("r1"));
    assertFalse(e instanceof ReplicaOutcomeUnknownException);
    assertInstanceOf(StoreRejectedException.class, e.getCause());
    assertEquals("r1", e.name());
    Replica r = registry.get("r1").orElseThrow();
    assertEquals(ReplicaState.ERROR, r.state());
    assertTrue(r.errorReason().startsWith("delete failed"), r.errorReason());
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1), "name taken");
    store.clearFaults();
    registry.delete("r1");
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
  }

  /** Calls whose outcome stays unknown: the delete gives up at its timeout (plus one call). */
  @Test
  void deleteGivesUpAtTheOperationTimeout() {
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store).operationTimeout(SHORT).retryDelay(Duration.ofMillis(5)).build();
    registry.create("r1", 1);
    store.failNext(Call.DELETE, 100_000, Fault.UNAVAILABLE);
    long t0 = System.nanoTime();
    ReplicaOutcomeUnknownException e =
        assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r1"));
    long took = System.nanoTime() - t0;
    assertTrue(took >= SHORT.toNanos(), "tried until the timeout: " + took);
    assertTrue(took < SHORT.toNanos() + TimeUnit.SECONDS.toNanos(5), "bounded: " + took);
    assertTrue(store.calls(Call.DELETE) > 2, "tried again: " + store.calls(Call.DELETE));
    Replica r = registry.get("r1").orElseThrow();
    assertEquals(ReplicaState.ERROR, r.state());
    assertTrue(r.errorReason().contains("outcome unknown"), r.errorReason());
    assertTrue(e.getMessage().contains("gave up"), e.getMessage());
    store.clearFaults();
    registry.delete("r1");
    assertFalse(store.contains("r1"));
    assertTrue(registry.get("r1").isEmpty());
  }

  @Test
  void deleteRetryingGivesUpWhenInterrupted() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.failNext(Call.DELETE, 1, Fault.UNAVAILABLE);
    Thread.currentThread().interrupt();
    try {
      assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r1"));
      assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
    } finally {
      Thread.interrupted();
    }
    assertEquals(1, store.calls(Call.DELETE), "no second try");
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
    registry.delete("r1");
    assertFalse(store.contains("r1"));
  }

  /** "@throws RegistryClosedException if the registry is ... closed": no store call is made. */
  @Test
  void deleteAfterCloseThrowsAndMakesNoStoreCall() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    registry.close();
    assertThrows(RegistryClosedException.class, () -> registry.delete("r1"));
    assertThrows(RegistryClosedException.class, () -> registry.delete("absent"));
    assertEquals(0, store.calls(Call.DELETE));
    assertTrue(store.contains("r1"));
  }

  /** "... or gets closed": a delete between two store calls ends at the next one. */
  @Test
  void deleteBetweenCallsFailsWhenTheRegistryGetsClosed() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    registry.create("r1", 1);
    gated.hold(Call.DELETE); // the rebuilding lvol's delete
    CompletableFuture<Throwable> delete = CompletableFuture.supplyAsync(() -> failure(() -> registry.delete("r1")));
    gated.awaitArrival(Call.DELETE);
    assertEquals(Set.of("r1"), registry.close(Duration.ZERO));
    gated.release(Call.DELETE, false);
    assertInstanceOf(RegistryClosedException.class, delete.get(10, TimeUnit.SECONDS));
    assertEquals(1, store.calls(Call.DELETE), "the head's delete never started");
    assertTrue(store.contains("r1"));
  }

  /** A delete retrying an unknown outcome ends at once when the registry closes. */
  @Test
  void deleteRetryingFailsWhenTheRegistryGetsClosed() throws Exception {
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store).retryDelay(Duration.ofMillis(20)).build();
    registry.create("r1", 1);
    store.failNext(Call.DELETE, 100_000, Fault.UNAVAILABLE);
    CompletableFuture<Throwable> delete = CompletableFuture.supplyAsync(() -> failure(() -> registry.delete("r1")));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (store.calls(Call.DELETE) < 3 && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    registry.close(Duration.ofSeconds(5));
    assertInstanceOf(RegistryClosedException.class, delete.get(5, TimeUnit.SECONDS));
    long calls = store.calls(Call.DELETE);
    Thread.sleep(50);
    assertEquals(calls, store.calls(Call.DELETE), "no call after close");
  }

  // ------------------------------------------------------------------ recover

  @Test
  void recoverRejectsAnInvalidName() {
    ReplicaRegistry registry = registry();
    assertThrows(InvalidReplicaNameException.class, () -> registry.recover(null));
    assertThrows(InvalidReplicaNameException.class, () -> registry.recover("a/b"));
    assertThrows(InvalidReplicaNameException.class, () -> registry.recover(""));
    assertEquals(0, store.calls(Call.FIND));
  }

  /** A replica in ERROR for another reason (a failed delete) is not recovered. */
  @Test
  void recoverRefusesAReplicaInErrorForAnotherReason() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.failNext(Call.DELETE, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.delete("r1"));
    Replica before = registry.get("r1").orElseThrow();
    assertEquals(ReplicaState.ERROR, before.state());
    long finds = store.calls(Call.FIND);
    ReplicaStateException e = assertThrows(ReplicaStateException.class, () -> registry.recover("r1"));
    assertTrue(e.getMessage().contains("not in error for a missing lvol"), e.getMessage());
    assertEquals(before, registry.get("r1").orElseThrow(), "nothing changed");
    assertEquals(finds, store.calls(Call.FIND), "no look-up");
  }

  /** A replica verify never marked (RUNNING) and one that a create gave up on: not recoverable. */
  @Test
  void recoverRefusesReplicasNotLostByARound() {
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store).operationTimeout(SHORT).retryDelay(Duration.ofMillis(5)).build();
    Replica r = registry.create("r1", 1);
    assertThrows(ReplicaStateException.class, () -> registry.recover("r1"));
    assertEquals(r, registry.get("r1").orElseThrow());
    store.setLateLanding(0);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.create("r2", 1));
    store.landLate();
    ReplicaStateException e = assertThrows(ReplicaStateException.class, () -> registry.recover("r2"));
    assertTrue(e.getMessage().contains("r2"), e.getMessage());
    assertEquals(ReplicaState.ERROR, registry.get("r2").orElseThrow().state());
  }

  /** "@throws ReplicaStoreException if the look-up failed; nothing changed". */
  @Test
  void recoverWhoseLookupFailsChangesNothing() {
    ReplicaRegistry registry = registry();
    Replica r = lostAndBack(registry);
    Replica marked = registry.get("r1").orElseThrow();
    store.failNext(Call.FIND, 1, Fault.REJECT);
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class, () -> registry.recover("r1"));
    assertInstanceOf(StoreRejectedException.class, e.getCause());
    assertEquals(marked, registry.get("r1").orElseThrow(), "still in error");
    assertEquals(List.of("r1"), registry.verify().recoverable(), "still recoverable");
    assertEquals(r, registry.recover("r1"), "and recovers once the look-up works");
  }

  /** An lvol of the name that is not a head (same UUID, other kind) is not the replica's. */
  @Test
  void recoverRefusesAnLvolThatIsNotAHead() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    Lvol lvol = lvolOf("r1");
    store.loseLvol("r1");
    registry.verify();
    store.restoreLvol(new Lvol("r1", lvol.uuid(), lvol.sizeBytes(), LvolKind.OTHER, lvol.lvstore()));
    assertThrows(ReplicaStateException.class, () -> registry.recover("r1"));
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
  }

  @Test
  void recoverWaitingForADeleteIsBusyAtTheOperationTimeout() throws Exception {
    ReplicaRegistry registry = gatedRegistry(SHORT);
    lostAndBack(registry);
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    ReplicaBusyException e = assertThrows(ReplicaBusyException.class, () -> registry.recover("r1"));
    assertFalse(e.interrupted());
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
    assertTrue(registry.get("r1").isEmpty(), "the delete went on");
  }

  @Test
  void recoverWaitingHonoursInterrupts() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    lostAndBack(registry);
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    Outcome got = interruptedAfter(50, () -> registry.recover("r1"));
    assertTrue(assertInstanceOf(ReplicaBusyException.class, got.failure).interrupted());
    assertTrue(got.interruptStatus);
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
  }

  /** Blocking: recover waits for a delete in flight; the delete wins; recover finds no replica. */
  @Test
  void recoverWaitsForAnOperationInFlight() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    lostAndBack(registry);
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    CompletableFuture<Throwable> recover = CompletableFuture.supplyAsync(() -> failure(() -> registry.recover("r1")));
    assertThrows(TimeoutException.class, () -> recover.get(100, TimeUnit.MILLISECONDS));
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
    ReplicaStateException e = assertInstanceOf(ReplicaStateException.class, recover.get(10, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("no replica"), e.getMessage());
  }

  @Test
  void recoverWaitingFailsWhenTheRegistryGetsClosed() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    lostAndBack(registry);
    gated.hold(Call.DELETE);
    CompletableFuture<Throwable> delete = CompletableFuture.supplyAsync(() -> failure(() -> registry.delete("r1")));
    gated.awaitArrival(Call.DELETE);
    CompletableFuture<Throwable> recover = CompletableFuture.supplyAsync(() -> failure(() -> registry.recover("r1")));
    Thread.sleep(50);
    registry.close(Duration.ZERO);
    assertInstanceOf(RegistryClosedException.class, recover.get(10, TimeUnit.SECONDS));
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
  }

  /**
   * A recover whose look-up is in flight at close: the look-up was started before close and may
   * complete (recover makes no later store call); no recover starts a call after close.
   */
  @Test
  void recoverWhoseLookupIsInFlightAtClose() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    lostAndBack(registry);
    gated.hold(Call.FIND);
    CompletableFuture<Throwable> recover = CompletableFuture.supplyAsync(() -> failure(() -> registry.recover("r1")));
    gated.awaitArrival(Call.FIND);
    assertEquals(Set.of("r1"), registry.close(Duration.ZERO), "the look-up is reported");
    gated.release(Call.FIND, false);
    Throwable t = recover.get(10, TimeUnit.SECONDS);
    assertTrue(t == null || t instanceof RegistryClosedException, String.valueOf(t));
    long finds = store.calls(Call.FIND);
    assertThrows(RegistryClosedException.class, () -> registry.recover("r1"));
    assertEquals(finds, store.calls(Call.FIND));
  }

  // ------------------------------------------------------------------ get, list

  @Test
  void getRejectsAnInvalidName() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    assertThrows(InvalidReplicaNameException.class, () -> registry.get(null));
    assertThrows(InvalidReplicaNameException.class, () -> registry.get(""));
    assertThrows(InvalidReplicaNameException.class, () -> registry.get("a/b"));
    assertThrows(InvalidReplicaNameException.class, () -> registry.get("r1-snap-1"));
    assertThrows(InvalidReplicaNameException.class, () -> registry.get("r1-rebuilding"));
    assertThrows(InvalidReplicaNameException.class, () -> registry.get("x".repeat(ReplicaNames.MAX_LENGTH + 1)));
    assertTrue(registry.get("x".repeat(ReplicaNames.MAX_LENGTH)).isEmpty(), "the longest name is valid");
  }

  /** get and list never block on a store call: neither a create's nor a round's listing. */
  @Test
  void getAndListNeverBlockOnAStoreCall() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    registry.create("r0", 1);
    gated.hold(Call.CREATE);
    gated.hold(Call.LIST);
    CompletableFuture<Replica> create = CompletableFuture.supplyAsync(() -> registry.create("r1", 1));
    CompletableFuture<VerifyReport> round = CompletableFuture.supplyAsync(registry::verify);
    gated.awaitArrival(Call.CREATE);
    gated.awaitArrival(Call.LIST);
    assertEquals(ReplicaState.CREATING, registry.get("r1").orElseThrow().state(), "in flight: visible");
    assertEquals(List.of("r0", "r1"), registry.list().stream().map(Replica::name).toList());
    gated.release(Call.CREATE, false);
    gated.release(Call.LIST, false);
    create.get(10, TimeUnit.SECONDS);
    round.get(10, TimeUnit.SECONDS);
  }

  /** The reservation of an absent name by a delete is invisible to get and list. */
  @Test
  void aDeleteOfAnAbsentNameIsInvisible() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.DELETE);
    CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> registry.delete("r1"));
    gated.awaitArrival(Call.DELETE);
    assertTrue(registry.get("r1").isEmpty());
    assertTrue(registry.list().isEmpty());
    gated.release(Call.DELETE, false);
    delete.get(10, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ verify

  /** "@throws ReplicaStoreException if the listing failed; nothing changed". */
  @Test
  void verifyWhoseListingFailsChangesNothing() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.loseLvol("r1");
    store.putLvol("r2", 1);
    for (Fault f : new Fault[] {Fault.REJECT, Fault.UNAVAILABLE, Fault.TIMEOUT_BEFORE_APPLY}) {
      store.failNext(Call.LIST, 1, f);
      ReplicaStoreException e = assertThrows(ReplicaStoreException.class, registry::verify, f.name());
      assertNull(e.name(), "a listing is about no name");
      assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state(), "not marked");
      assertTrue(registry.get("r2").isEmpty(), "not adopted");
    }
    VerifyReport report = registry.verify();
    assertEquals(2, report.changes().size(), "the next round decides: " + report);
  }

  /** "@throws ReplicaBusyException if interrupted while waiting for a round in progress". */
  @Test
  void verifyWaitingForARoundHonoursInterrupts() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.LIST);
    CompletableFuture<VerifyReport> first = CompletableFuture.supplyAsync(registry::verify);
    gated.awaitArrival(Call.LIST);
    Outcome got = interruptedAfter(50, registry::verify);
    ReplicaBusyException e = assertInstanceOf(ReplicaBusyException.class, got.failure);
    assertTrue(e.interrupted());
    assertNull(e.name());
    assertTrue(got.interruptStatus);
    gated.release(Call.LIST, false);
    first.get(10, TimeUnit.SECONDS);
  }

  /** Blocking: verify waits for a round in progress (one round at a time), then runs its own. */
  @Test
  void verifyWaitsForARoundInProgress() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.LIST);
    CompletableFuture<VerifyReport> first = CompletableFuture.supplyAsync(registry::verify);
    gated.awaitArrival(Call.LIST);
    CompletableFuture<VerifyReport> second = CompletableFuture.supplyAsync(registry::verify);
    assertThrows(TimeoutException.class, () -> second.get(100, TimeUnit.MILLISECONDS));
    assertEquals(0, store.calls(Call.LIST), "the first listing is held, the second round has not listed");
    gated.release(Call.LIST, false);
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);
    assertEquals(2, store.calls(Call.LIST));
  }

  /** "... or gets closed": a round whose listing returns after close decides nothing. */
  @Test
  void verifyFailsWhenTheRegistryGetsClosedDuringItsListing() throws Exception {
    List<Step> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
    ReplicaRegistry registry =
        ReplicaRegistry.builder(gated)
            .stepListener(new StepListener() {
              @Override
              public void afterStep(Step step) {
                steps.add(step);
              }
            })
            .build();
    registry.create("r1", 1);
    store.loseLvol("r1");
    gated.hold(Call.LIST);
    CompletableFuture<Throwable> round = CompletableFuture.supplyAsync(() -> failure(registry::verify));
    gated.awaitArrival(Call.LIST);
    assertEquals(Set.of(), registry.close(Duration.ZERO), "a listing is not reported");
    gated.release(Call.LIST, false);
    assertInstanceOf(RegistryClosedException.class, round.get(10, TimeUnit.SECONDS));
    List<String> applied = steps.stream()
        .filter(s -> s.action() == SpecAction.VerifyApply)
        .map(Step::outcome)
        .toList();
    assertEquals(List.of(StampedRegistry.CLOSED), applied, "no decision after close");
  }

  /** The same with no name to decide: the round has no step left that could refuse, and still fails. */
  @Test
  void verifyOfAnEmptyRegistryFailsWhenClosedDuringItsListing() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.LIST);
    CompletableFuture<Throwable> round = CompletableFuture.supplyAsync(() -> failure(registry::verify));
    gated.awaitArrival(Call.LIST);
    registry.close(Duration.ZERO);
    gated.release(Call.LIST, false);
    assertInstanceOf(RegistryClosedException.class, round.get(10, TimeUnit.SECONDS));
  }

  /** verify waiting for the round lock when the registry closes: fails, lists nothing. */
  @Test
  void verifyWaitingForARoundFailsWhenTheRegistryGetsClosed() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.LIST);
    CompletableFuture<Throwable> first = CompletableFuture.supplyAsync(() -> failure(registry::verify));
    gated.awaitArrival(Call.LIST);
    CompletableFuture<Throwable> second = CompletableFuture.supplyAsync(() -> failure(registry::verify));
    Thread.sleep(50);
    registry.close(Duration.ZERO);
    gated.release(Call.LIST, false);
    first.get(10, TimeUnit.SECONDS);
    assertInstanceOf(RegistryClosedException.class, second.get(10, TimeUnit.SECONDS));
    assertEquals(1, store.calls(Call.LIST));
  }

  // ------------------------------------------------------------------ blocking: independence

  /** Operations on different names never wait for each other; verify skips the name in flight. */
  @Test
  void operationsOnOtherNamesDoNotWaitForANameInFlight() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.CREATE);
    CompletableFuture<Replica> create = CompletableFuture.supplyAsync(() -> registry.create("r1", 1));
    gated.awaitArrival(Call.CREATE);
    assertEquals(ReplicaState.RUNNING, registry.create("r2", 1).state());
    registry.delete("r2");
    registry.delete("r3"); // absent name: reserved, probed, settled
    VerifyReport report = registry.verify();
    assertEquals(List.of(new VerifyReport.Skip("r1", VerifyReport.SkipReason.IN_FLIGHT)), report.skipped());
    gated.release(Call.CREATE, false);
    assertEquals(ReplicaState.RUNNING, create.get(10, TimeUnit.SECONDS).state());
  }

  // ------------------------------------------------------------------ close

  /** close() waits for the Builder's close timeout, not the default 10 s. */
  @Test
  void closeWaitsTheConfiguredCloseTimeout() throws Exception {
    ReplicaRegistry registry = ReplicaRegistry.builder(gated).closeTimeout(Duration.ofMillis(100)).build();
    gated.hold(Call.CREATE);
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> registry.create("r1", 1)));
    gated.awaitArrival(Call.CREATE);
    long t0 = System.nanoTime();
    registry.close();
    long took = System.nanoTime() - t0;
    assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(100), "waited: " + took);
    assertTrue(took < TimeUnit.SECONDS.toNanos(5), "not the default: " + took);
    gated.release(Call.CREATE, false);
    create.get(10, TimeUnit.SECONDS);
  }

  /** close() returns as soon as the calls in flight end, well before its timeout. */
  @Test
  void closeReturnsWhenTheLastCallEnds() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.CREATE);
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> registry.create("r1", 1)));
    gated.awaitArrival(Call.CREATE);
    CompletableFuture.runAsync(() -> {
      sleep(100);
      gated.release(Call.CREATE, true);
    });
    long t0 = System.nanoTime();
    assertEquals(Set.of(), registry.close(Duration.ofSeconds(30)));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
    assertInstanceOf(RegistryClosedException.class, create.get(10, TimeUnit.SECONDS));
  }

  /** Idempotent, never throws (a negative timeout counts as zero); the store is not closed. */
  @Test
  void closeIsIdempotentAndLeavesTheStoreUsable() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    assertEquals(Set.of(), registry.close(Duration.ofMillis(-5)));
    registry.close();
    assertEquals(Set.of(), registry.close(Duration.ZERO));
    assertThrows(RegistryClosedException.class, () -> registry.get("r1"));
    ReplicaRegistry next = registry();
    next.verify();
    assertEquals(ReplicaState.STOPPED, next.get("r1").orElseThrow().state(), "the store still answers");
  }

  /** After close returns, no operation of the registry starts a store call. */
  @Test
  void noStoreCallStartsAfterClose() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    store.loseLvol("r1");
    registry.close();
    long[] before = callCounts();
    List<Executable> ops = List.of(() -> registry.create("r2", 1), () -> registry.delete("r1"),
        () -> registry.recover("r1"), registry::verify, registry::list, () -> registry.get("r1"));
    for (Executable op : ops) {
      assertThrows(RegistryClosedException.class, op);
    }
    assertArrayEquals(before, callCounts());
  }

  /** close() stops the verify loop while a round is in flight: the round ends, none follows. */
  @Test
  void closeStopsTheVerifyLoopDuringARound() throws Exception {
    AtomicInteger reports = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    ReplicaRegistry registry =
        ReplicaRegistry.builder(gated)
            .verifyEvery(Duration.ofMillis(5))
            .onVerify(r -> reports.incrementAndGet())
            .onVerifyFailure(e -> failures.incrementAndGet())
            .build();
    registry.create("r1", 1);
    gated.hold(Call.LIST);
    gated.awaitArrival(Call.LIST); // a background round is listing
    long t0 = System.nanoTime();
    registry.close(Duration.ofSeconds(5));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "the round was interrupted");
    int r = reports.get();
    long lists = store.calls(Call.LIST);
    Thread.sleep(100);
    assertEquals(r, reports.get(), "no report after close");
    assertEquals(lists, store.calls(Call.LIST), "no listing after close");
    assertEquals(0, failures.get(), "a round cut short by close is not a failure");
    gated.release(Call.LIST, false);
  }

  /** A background round whose listing fails is reported to onVerifyFailure; the loop goes on. */
  @Test
  void verifyLoopReportsFailuresAndGoesOn() throws Exception {
    AtomicInteger reports = new AtomicInteger();
    CompletableFuture<ReplicaStoreException> failed = new CompletableFuture<>();
    store.failNext(Call.LIST, 1, Fault.REJECT);
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store)
            .verifyEvery(Duration.ofMillis(5))
            .onVerify(r -> reports.incrementAndGet())
            .onVerifyFailure(failed::complete)
            .build();
    assertInstanceOf(StoreRejectedException.class, failed.get(10, TimeUnit.SECONDS).getCause());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reports.get() == 0 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertTrue(reports.get() > 0, "rounds after the failure");
    registry.close();
  }

  /**
   * A background round in which a listener throws an Error (a failed assertion of a test
   * listener): the error goes to the thread's uncaught-exception handler and the loop goes on
   * (a ScheduledExecutorService would otherwise run no round again).
   */
  @Test
  void verifyLoopSurvivesAnErrorFromAListener() throws Exception {
    AtomicInteger starts = new AtomicInteger();
    AtomicInteger reports = new AtomicInteger();
    CompletableFuture<Throwable> handled = new CompletableFuture<>();
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store)
            .verifyEvery(Duration.ofMillis(5))
            .onVerify(r -> reports.incrementAndGet())
            .stepListener(new StepListener() {
              @Override
              public void beforeStep(SpecAction action, String name) {
                if (action == SpecAction.VerifyStart && starts.incrementAndGet() == 1) {
                  Thread.currentThread().setUncaughtExceptionHandler((t, e) -> handled.complete(e));
                  throw new AssertionError("listener failed");
                }
              }
            })
            .build();
    assertEquals("listener failed", handled.get(10, TimeUnit.SECONDS).getMessage());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reports.get() == 0 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertTrue(reports.get() > 0, "rounds after the error");
    registry.close();
  }

  /** close() interrupted while it waits: returns at once with the names in flight, status kept. */
  @Test
  void closeInterruptedReturnsAtOnce() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    gated.hold(Call.CREATE);
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> registry.create("r1", 1)));
    gated.awaitArrival(Call.CREATE);
    Set<String> inFlight;
    boolean status;
    long t0 = System.nanoTime();
    Thread.currentThread().interrupt();
    try {
      inFlight = registry.close(Duration.ofSeconds(30));
    } finally {
      status = Thread.interrupted();
    }
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "did not wait out the timeout");
    assertTrue(status, "interrupt status kept");
    assertEquals(Set.of("r1"), inFlight);
    gated.release(Call.CREATE, false);
    create.get(10, TimeUnit.SECONDS);
  }

  /**
   * close(timeout) is bounded even when the verify loop's round is stuck in a listing that ignores
   * interrupts: the loop is stopped within the timeout, the listing is not reported.
   */
  @Test
  void closeIsBoundedByItsTimeoutWhenARoundIgnoresInterrupts() throws Exception {
    java.util.concurrent.CountDownLatch listing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ForwardingLvolStore stuck = new ForwardingLvolStore(store) {
      @Override
      public dev.replicalifecycle.store.LvolListing listLvols() throws dev.replicalifecycle.store.StoreException {
        listing.countDown();
        boolean interrupted = false;
        while (true) {
          try {
            release.await();
            break;
          } catch (InterruptedException e) {
            interrupted = true; // ignored, as a blocking socket read would
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        return super.listLvols();
      }
    };
    ReplicaRegistry registry = ReplicaRegistry.builder(stuck).verifyEvery(Duration.ofMillis(5)).build();
    assertTrue(listing.await(10, TimeUnit.SECONDS));
    CompletableFuture.runAsync(() -> {
      sleep(5_000);
      release.countDown();
    });
    long t0 = System.nanoTime();
    assertEquals(Set.of(), registry.close(Duration.ofMillis(200)));
    long took = System.nanoTime() - t0;
    release.countDown();
    assertTrue(took < TimeUnit.SECONDS.toNanos(3), "close overran its timeout: " + took / 1_000_000 + " ms");
  }

  /** A create settling an unknown outcome when the registry closes: RegistryClosedException. */
  @Test
  void createSettlingFailsWhenTheRegistryGetsClosed() throws Exception {
    ReplicaRegistry registry = gatedRegistry(Duration.ofMinutes(1));
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_BEFORE_APPLY);
    gated.hold(Call.DELETE); // the rollback
    CompletableFuture<Throwable> create = CompletableFuture.supplyAsync(() -> failure(() -> registry.create("r1", 1)));
    gated.awaitArrival(Call.DELETE);
    assertEquals(Set.of("r1"), registry.close(Duration.ZERO));
    gated.release(Call.DELETE, false); // "not found": the settle would probe, but the registry is closed
    assertInstanceOf(RegistryClosedException.class, create.get(10, TimeUnit.SECONDS));
    assertEquals(1, store.calls(Call.CREATE), "no probe after close");
  }

  /** A create that gives up at its timeout (not interrupted) says so, and nothing about interrupts. */
  @Test
  void createThatGivesUpAtItsTimeoutSaysWhy() {
    ReplicaRegistry registry =
        ReplicaRegistry.builder(store).operationTimeout(SHORT).retryDelay(Duration.ofMillis(5)).build();
    store.setLateLanding(0);
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_LATE);
    ReplicaOutcomeUnknownException e =
        assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.create("r1", 1));
    assertTrue(e.getMessage().startsWith("create of r1 gave up: create outcome unknown"), e.getMessage());
    assertFalse(e.getMessage().contains("(interrupted)"), e.getMessage());
    assertEquals("r1", e.name());
    String reason = registry.get("r1").orElseThrow().errorReason();
    assertTrue(e.getMessage().endsWith(reason), e.getMessage() + " / " + reason);
  }

  /** recover's refusals say what the replica is, with its error reason if it has one. */
  @Test
  void recoverRefusalsSayWhy() {
    ReplicaRegistry registry = registry();
    registry.create("r1", 1);
    ReplicaStateException running = assertThrows(ReplicaStateException.class, () -> registry.recover("r1"));
    assertTrue(running.getMessage().endsWith("r1 is RUNNING, not in error for a missing lvol"), running.getMessage());
    assertEquals("r1", running.name());
    store.failNext(Call.DELETE, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.delete("r1"));
    String reason = registry.get("r1").orElseThrow().errorReason();
    ReplicaStateException error = assertThrows(ReplicaStateException.class, () -> registry.recover("r1"));
    assertTrue(error.getMessage().contains("r1 is ERROR (" + reason + "), not in error"), error.getMessage());
    store.clearFaults();
    registry.delete("r1");

    registry.create("r2", 1);
    store.loseLvol("r2");
    registry.verify();
    ReplicaStateException gone = assertThrows(ReplicaStateException.class, () -> registry.recover("r2"));
    assertTrue(gone.getMessage().endsWith("is not in the store; nothing changed"), gone.getMessage());
    Lvol other = store.putLvol("r2", 1);
    ReplicaStateException replaced = assertThrows(ReplicaStateException.class, () -> registry.recover("r2"));
    assertTrue(replaced.getMessage().contains(" (an lvol of that name has UUID " + other.uuid() + ")"),
        replaced.getMessage());
  }

  // ------------------------------------------------------------------ helpers

  /** Makes r1, loses its lvol, marks it by a round, then puts the same lvol back. */
  private Replica lostAndBack(ReplicaRegistry registry) {
    Replica r = registry.create("r1", 1);
    Lvol lvol = lvolOf("r1");
    store.loseLvol("r1");
    registry.verify();
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
    store.restoreLvol(lvol);
    return r;
  }

  private Lvol lvolOf(String name) {
    return store.lvols().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
  }

  private long[] callCounts() {
    return new long[] {
      store.calls(Call.CREATE), store.calls(Call.DELETE), store.calls(Call.LIST), store.calls(Call.FIND)
    };
  }

  private static void assertArrayEquals(long[] expected, long[] actual) {
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
  }

  /** The failure and interrupt status of {@code op}, run on a new thread interrupted after a pause. */
  private record Outcome(Throwable failure, boolean interruptStatus) {}

  private static Outcome interruptedAfter(long millis, Supplier<?> op) throws Exception {
    CompletableFuture<Outcome> out = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        op.get();
        out.complete(new Outcome(null, Thread.currentThread().isInterrupted()));
      } catch (Throwable e) {
        out.complete(new Outcome(e, Thread.currentThread().isInterrupted()));
      }
    });
    t.start();
    Thread.sleep(millis);
    t.interrupt();
    return out.get(10, TimeUnit.SECONDS);
  }
}
