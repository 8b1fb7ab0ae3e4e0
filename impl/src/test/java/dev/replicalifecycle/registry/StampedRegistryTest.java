package dev.replicalifecycle.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sequential behaviour of the V4 registry, one case per rule of DESIGN §4 and the spec. */
class StampedRegistryTest {
  private final InMemoryLvolStore store = new InMemoryLvolStore();
  private final ReplicaRegistry registry = ReplicaRegistry.builder(store).build();

  @Test
  void createThenGetThenDelete() {
    Replica r = registry.create("r1", 1 << 20);
    assertEquals(ReplicaState.RUNNING, r.state());
    assertTrue(store.contains("r1"));
    assertEquals(r, registry.get("r1").orElseThrow());
    registry.delete("r1");
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
  }

  @Test
  void secondCreateOfANameFails() {
    registry.create("r1", 1);
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
  }

  @Test
  void knownFailureRollsBackAndFreesTheName() {
    store.failNext(Call.CREATE, 1, Fault.REJECT);
    ReplicaStoreException e =
        assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertEquals(InMemoryLvolStore.REJECT_CODE, e.getCause().code());
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
    registry.create("r1", 1);
  }

  @Test
  void timeoutAfterApplyIsRolledBack() {
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_AFTER_APPLY);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"), "the lvol made before the timeout is deleted");
  }

  @Test
  void failedRollbackIsTriedAgainUntilItSettles() {
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_AFTER_APPLY);
    store.failNext(Call.DELETE, 2, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertTrue(registry.get("r1").isEmpty(), "the name is free once the rollback settled");
    assertFalse(store.contains("r1"));
    registry.create("r1", 1);
  }

  @Test
  void rejectedDeleteLeavesErrorAndRetryWorks() {
    registry.create("r1", 1);
    store.failNext(Call.DELETE, 2, Fault.REJECT); // the rebuilding lvol's delete is rejected
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class, () -> registry.delete("r1"));
    assertFalse(e instanceof ReplicaOutcomeUnknownException);
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
    store.clearFaults();
    registry.delete("r1");
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
  }

  @Test
  void deleteWithUnknownOutcomeIsTriedAgain() {
    registry.create("r1", 1);
    store.failNext(Call.DELETE, 2, Fault.UNAVAILABLE);
    registry.delete("r1");
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
  }

  @Test
  void lostLvolBecomesErrorAndStaysVisible() {
    registry.create("r1", 1);
    store.loseLvol("r1");
    VerifyReport report = registry.verify();
    Replica r = registry.get("r1").orElseThrow();
    assertEquals(ReplicaState.ERROR, r.state());
    assertTrue(r.errorReason().contains("not found"));
    assertEquals(List.of(new VerifyReport.Change("r1", VerifyReport.ChangeKind.MARKED_ERROR, r)),
        report.changes());
  }

  @Test
  void rebuildingLvolKeepsAReplicaAlive() {
    registry.create("r1", 1);
    store.putLvol("r1-rebuilding", 1);
    store.loseLvol("r1");
    registry.verify();
    assertEquals(ReplicaState.RUNNING, registry.get("r1").orElseThrow().state());
  }

  @Test
  void restartAdoptsAsStoppedAndDeleteOfAbsentNameDeletesTheLvol() {
    registry.create("r1", 1);
    registry.create("r2", 1);
    ReplicaRegistry restarted = ReplicaRegistry.builder(store).build();
    restarted.delete("r2"); // no entry yet: the lvol is deleted all the same
    assertFalse(store.contains("r2"));
    assertThrows(ReplicaAlreadyExistsException.class, () -> restarted.create("r1", 1));
    VerifyReport report = restarted.verify();
    assertEquals(ReplicaState.STOPPED, restarted.get("r1").orElseThrow().state());
    assertTrue(restarted.get("r2").isEmpty());
    assertEquals(1, report.changes().size());
  }

  @Test
  void createNeverDeletesAnOrphanItDidNotMake() {
    store.putLvol("r1", 1); // an lvol no replica owns yet, as after a restart
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_BEFORE_APPLY);
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", 1));
    assertTrue(store.contains("r1"), "the orphan is not the create's to delete");
    assertEquals(1, store.pendingFaults(Call.CREATE).size(), "the create call was never made");
    registry.verify();
    assertEquals(ReplicaState.STOPPED, registry.get("r1").orElseThrow().state());
  }

  @Test
  void lookupFailureFailsTheCreateAndChangesNothing() {
    store.failNext(Call.FIND, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> registry.create("r1", 1));
    assertTrue(registry.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
  }

  @Test
  void reclonedHeadIsFollowedByName() {
    Replica r = registry.create("r1", 1);
    store.loseLvol("r1");
    store.putLvol("r1", 1); // same name, another lvol: a rebuild re-clones the head
    VerifyReport report = registry.verify();
    Replica after = registry.get("r1").orElseThrow();
    assertEquals(ReplicaState.RUNNING, after.state());
    assertFalse(r.lvolUuid().equals(after.lvolUuid()));
    assertEquals(List.of(new VerifyReport.Change("r1", VerifyReport.ChangeKind.RELINKED, after)),
        report.changes());
  }

  @Test
  void verifyIgnoresNamesChangedSinceItsStamp() {
    List<Step> steps = new ArrayList<>();
    ReplicaRegistry[] holder = new ReplicaRegistry[1];
    StepListener listener =
        new StepListener() {
          @Override
          public void afterStep(Step step) {
            steps.add(step);
            // Between the stamp and the listing, a create of r1 happens (as another thread would).
            if (step.action() == SpecAction.VerifyStart) {
              holder[0].create("r1", 1);
            }
          }
        };
    holder[0] = ReplicaRegistry.builder(store).stepListener(listener).build();
    store.putLvol("orphan", 1);
    VerifyReport report = holder[0].verify();
    assertEquals(ReplicaState.RUNNING, holder[0].get("r1").orElseThrow().state());
    assertEquals(List.of(new VerifyReport.Skip("r1", VerifyReport.SkipReason.CHANGED_SINCE_STAMP)),
        report.skipped());
    assertEquals(ReplicaState.STOPPED, holder[0].get("orphan").orElseThrow().state());
  }

  @Test
  void badInputIsRejectedAndChangesNothing() {
    assertThrows(InvalidReplicaNameException.class, () -> registry.create("a/b", 1));
    assertThrows(InvalidReplicaNameException.class, () -> registry.create("", 1));
    assertThrows(InvalidReplicaNameException.class, () -> registry.create("x-snap-1", 1));
    assertThrows(InvalidReplicaNameException.class, () -> registry.delete("x".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> registry.create("ok", 0));
    assertTrue(registry.list().isEmpty());
    assertTrue(store.lvols().isEmpty());
  }

  @Test
  void closedRegistryRefusesEveryCall() {
    registry.create("r1", 1);
    registry.close();
    assertThrows(RegistryClosedException.class, () -> registry.create("r2", 1));
    assertThrows(RegistryClosedException.class, () -> registry.delete("r1"));
    assertThrows(RegistryClosedException.class, () -> registry.get("r1"));
    assertThrows(RegistryClosedException.class, registry::list);
    assertThrows(RegistryClosedException.class, () -> registry.recover("r1"));
    assertThrows(RegistryClosedException.class, registry::verify);
    registry.close(); // idempotent
    assertTrue(store.contains("r1"), "closing changes nothing in the store");
  }
}
