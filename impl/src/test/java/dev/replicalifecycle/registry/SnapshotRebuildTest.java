package dev.replicalifecycle.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolHasClonesException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.StoreRejectedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Snapshots, start and rebuild: the contract of {@link ReplicaRegistry#snapshot}, {@link
 * ReplicaRegistry#deleteSnapshot}, {@link ReplicaRegistry#start}, {@link
 * ReplicaRegistry#beginRebuild}, {@link ReplicaRegistry#finishRebuild} and {@link
 * ReplicaRegistry#abortRebuild} on the in-memory store, with SPDK's chain rules and faults.
 */
class SnapshotRebuildTest {
  private static final long SIZE = 4L << 20;

  private final InMemoryLvolStore store = new InMemoryLvolStore();

  private ReplicaRegistry registry() {
    return ReplicaRegistry.builder(store)
        .retryDelay(Duration.ofMillis(1))
        .operationTimeout(Duration.ofSeconds(5))
        .build();
  }

  private Map<String, Lvol> lvols() {
    return store.lvols().stream().collect(Collectors.toMap(Lvol::name, l -> l));
  }

  @Test
  void snapshotsFormTheChainAndTheHeadIsTheNewestsClone() {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    assertEquals(List.of("s1"), r.snapshot("r1", "s1").snapshots());
    Replica after = r.snapshot("r1", "s2");
    assertEquals(List.of("s1", "s2"), after.snapshots());
    assertEquals(ReplicaState.RUNNING, after.state());
    assertEquals(after, r.get("r1").orElseThrow());
    Map<String, Lvol> l = lvols();
    assertEquals("r1-snap-s2", l.get("r1").parent());
    assertEquals("r1-snap-s1", l.get("r1-snap-s2").parent());
    assertEquals(null, l.get("r1-snap-s1").parent());
    assertEquals(LvolKind.SNAPSHOT, l.get("r1-snap-s1").kind());
    assertEquals(l.get("r1").uuid(), after.lvolUuid(), "a snapshot keeps the head's identity");
  }

  @Test
  void badSnapshotNamesAndStatesAreTypedErrorsThatChangeNothing() {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    r.snapshot("r1", "s1");
    List<Lvol> before = store.lvols();
    assertThrows(InvalidSnapshotNameException.class, () -> r.snapshot("r1", "a/b"));
    assertThrows(InvalidSnapshotNameException.class, () -> r.snapshot("r1", "x-snap-y"));
    assertThrows(InvalidSnapshotNameException.class, () -> r.snapshot("r1", "z".repeat(60)));
    assertThrows(InvalidSnapshotNameException.class, () -> r.snapshot("r1", null));
    assertThrows(InvalidReplicaNameException.class, () -> r.snapshot("bad/name", "s"));
    assertThrows(ReplicaStateException.class, () -> r.snapshot("r1", "s1"), "already in the chain");
    assertThrows(ReplicaStateException.class, () -> r.snapshot("nope", "s1"));
    assertThrows(ReplicaStateException.class, () -> r.deleteSnapshot("r1", "s9"));
    assertThrows(ReplicaStateException.class, () -> r.start("nope"));
    assertThrows(ReplicaStateException.class, () -> r.finishRebuild("r1"), "not rebuilding");
    assertThrows(ReplicaStateException.class, () -> r.abortRebuild("r1"), "not rebuilding");
    assertEquals(before, store.lvols());
    assertEquals(List.of("s1"), r.get("r1").orElseThrow().snapshots());
    assertEquals(ReplicaState.RUNNING, r.get("r1").orElseThrow().state());
  }

  @Test
  void aForeignLvolWithTheSnapshotsNameIsNotTakenForIt() {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    store.putLvol("r1-snap-s1", SIZE);
    assertThrows(ReplicaStateException.class, () -> r.snapshot("r1", "s1"));
    assertEquals(List.of(), r.get("r1").orElseThrow().snapshots());
    assertEquals(ReplicaState.RUNNING, r.get("r1").orElseThrow().state());
  }

  @Test
  void deletingASnapshotGivesItsCloneItsParent() {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    r.snapshot("r1", "s1");
    r.snapshot("r1", "s2");
    assertEquals(List.of("s2"), r.deleteSnapshot("r1", "s1").snapshots());
    assertFalse(store.contains("r1-snap-s1"));
    assertEquals(List.of(), r.deleteSnapshot("r1", "s2").snapshots());
    assertEquals(null, lvols().get("r1").parent());
  }

  @Test
  void aSnapshotWithTwoClonesIsNotDeletedAndTheReplicaStaysHealthy() throws Exception {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    r.snapshot("r1", "s1");
    store.cloneSnapshot("r1-snap-s1", "other-clone");
    ReplicaStateException e = assertThrows(ReplicaStateException.class, () -> r.deleteSnapshot("r1", "s1"));
    assertTrue(e.getMessage().contains("more than one clone"), e.getMessage());
    assertTrue(store.contains("r1-snap-s1"));
    assertEquals(ReplicaState.RUNNING, r.get("r1").orElseThrow().state());
    assertEquals(List.of("s1"), r.get("r1").orElseThrow().snapshots());
    assertThrows(LvolHasClonesException.class, () -> store.deleteLvol("r1-snap-s1"));
  }

  @Test
  void aTimedOutSnapshotIsSettledEitherWay() {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    store.failNext(Call.SNAPSHOT, 1, Fault.TIMEOUT_AFTER_APPLY);
    assertEquals(List.of("s1"), r.snapshot("r1", "s1").snapshots(), "applied, answer lost");
    store.failNext(Call.SNAPSHOT, 1, Fault.TIMEOUT_BEFORE_APPLY);
    assertEquals(List.of("s1", "s2"), r.snapshot("r1", "s2").snapshots(), "not applied: made again");
    assertEquals(3, store.lvols().size());
    assertEquals("r1-snap-s2", lvols().get("r1").parent());
  }

  @Test
  void aSnapshotThatCannotBeSettledLeavesTheReplicaInErrorWithTheSnapshotInItsChain() {
    ReplicaRegistry r =
        ReplicaRegistry.builder(store)
            .retryDelay(Duration.ofMillis(1))
            .operationTimeout(Duration.ofMillis(100))
            .build();
    r.create("r1", SIZE);
    store.failNext(Call.SNAPSHOT, 100_000, Fault.TIMEOUT_BEFORE_APPLY);
    assertThrows(ReplicaOutcomeUnknownException.class, () -> r.snapshot("r1", "s1"));
    Replica after = r.get("r1").orElseThrow();
    assertEquals(ReplicaState.ERROR, after.state());
    assertEquals(List.of("s1"), after.snapshots());
    store.clearFaults();
    r.delete("r1");
    assertEquals(List.of(), store.lvols());
  }

  @Test
  void aRejectedSnapshotChangesNothing() {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    store.failNext(Call.SNAPSHOT, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> r.snapshot("r1", "s1"));
    assertEquals(ReplicaState.RUNNING, r.get("r1").orElseThrow().state());
    assertEquals(1, store.lvols().size());
  }

  @Test
  void deleteRemovesTheWholeChain() {
    ReplicaRegistry r = registry();
    r.create("r1", SIZE);
    r.snapshot("r1", "s1");
    r.snapshot("r1", "s2");
    r.snapshot("r1", "s3");
    r.create("r2", SIZE);
    r.delete("r1");
    assertEquals(List.of("r2"), store.lvols().stream().map(Lvol::name).toList());
  }

  @Test
  void verifyAdoptsAHeadWithItsChainAndStartRunsItWithoutCreatingAnything() {
    ReplicaRegistry before = registry();
    before.create("r1", SIZE);
    before.snapshot("r1", "s1");
    before.snapshot("r1", "s2");
    before.close();
    List<Lvol> lvols = store.lvols();

    ReplicaRegistry r = registry(); // a restart
    r.verify();
    Replica adopted = r.get("r1").orElseThrow();
    assertEquals(ReplicaState.STOPPED, adopted.state());
    assertEquals(List.of("s1", "s2"), adopted.snapshots());
    assertEquals(List.of("r1"), r.list().stream().map(Replica::name).toList(),
        "a snapshot is never adopted as a replica");
    Replica started = r.start("r1");
    assertEquals(ReplicaState.RUNNING, started.state());
    assertEquals(List.of("s1", "s2"), started.snapshots());
    assertEquals(started, r.start("r1"), "starting a running replica changes nothing");
    assertEquals(lvols, store.lvols());
  }

  @Test
  void startNeverCreatesATwinOfAHeadThatIsGone() {
    ReplicaRegistry before = registry();
    before.create("r1", SIZE);
    before.close();
    ReplicaRegistry r = registry();
    r.verify();
    store.loseLvol("r1");
    ReplicaStateException e = assertThrows(ReplicaStateException.class, () -> r.start("r1"));
    assertTrue(e.getMessage().contains("never creates"), e.getMessage());
    assertEquals(List.of(), store.lvols());
    assertEquals(ReplicaState.STOPPED, r.get("r1").orElseThrow().state());
  }

  @Test
  void aRebuildMakesTheRebuildingLvolTakesSnapshotsOnItAndEndsWithItAsTheHead() {
    ReplicaRegistry r = registry();
    Replica b = r.beginRebuild("r2", SIZE);
    assertEquals(ReplicaState.REBUILDING, b.state());
    assertTrue(store.contains("r2-rebuilding"));
    assertFalse(store.contains("r2"));
    r.snapshot("r2", "s1");
    assertEquals("r2-snap-s1", lvols().get("r2-rebuilding").parent());
    VerifyReport round = r.verify();
    assertTrue(round.changes().isEmpty(), "verify leaves a rebuild alone: " + round);
    assertEquals(ReplicaState.REBUILDING, r.get("r2").orElseThrow().state());
    Replica done = r.finishRebuild("r2");
    assertEquals(ReplicaState.RUNNING, done.state());
    assertEquals(List.of("s1"), done.snapshots());
    assertEquals(b.lvolUuid(), done.lvolUuid(), "the rebuilt lvol is the head, renamed");
    assertFalse(store.contains("r2-rebuilding"));
    assertEquals("r2-snap-s1", lvols().get("r2").parent());
    assertTrue(r.verify().changes().isEmpty());
  }

  @Test
  void anAbortedRebuildLeavesNothing() {
    ReplicaRegistry r = registry();
    r.beginRebuild("r2", SIZE);
    r.snapshot("r2", "s1");
    r.snapshot("r2", "s2");
    r.abortRebuild("r2");
    assertTrue(r.get("r2").isEmpty());
    assertEquals(List.of(), store.lvols());
  }

  @Test
  void afterARestartMidRebuildNothingIsAdopted() {
    ReplicaRegistry before = registry();
    before.beginRebuild("r2", SIZE);
    before.snapshot("r2", "s1");
    before.close();
    ReplicaRegistry r = registry();
    VerifyReport round = r.verify();
    assertTrue(r.list().isEmpty(), "neither the rebuilding lvol nor its snapshot is a replica: " + r.list());
    assertEquals(List.of("r2-rebuilding", "r2-snap-s1"), round.orphanLvols());
  }

  @Test
  void aTimedOutFinishIsSettledByTheHeadsIdentity() {
    ReplicaRegistry r = registry();
    Replica b = r.beginRebuild("r2", SIZE);
    store.failNext(Call.RENAME, 1, Fault.TIMEOUT_AFTER_APPLY);
    Replica done = r.finishRebuild("r2");
    assertEquals(ReplicaState.RUNNING, done.state());
    assertEquals(b.lvolUuid(), done.lvolUuid());
  }

  /**
   * Found by the property runs: after a rename that timed out without effect, another lvol took
   * the head's name; every later rename is refused ("exists") and the settle never finds our
   * lvol under the head's name, so finishRebuild retried until its deadline. It now gives up at
   * once, as at the deadline (the timed-out rename might still land if that lvol went): the
   * replica in ERROR, the outcome unknown; the lvols untouched.
   */
  @Test
  void aFinishWhoseHeadNameIsTakenFailsAtOnce() {
    ReplicaRegistry r = ReplicaRegistry.builder(store).retryDelay(Duration.ofMillis(1))
        .operationTimeout(Duration.ofMinutes(5)).build();
    Replica b = r.beginRebuild("r2", SIZE);
    store.failNext(Call.RENAME, 1, Fault.TIMEOUT_BEFORE_APPLY);
    Lvol foreign = store.putLvol("r2", SIZE); // behind the registry's back
    long t0 = System.nanoTime();
    ReplicaOutcomeUnknownException e =
        assertThrows(ReplicaOutcomeUnknownException.class, () -> r.finishRebuild("r2"));
    assertTrue(System.nanoTime() - t0 < java.util.concurrent.TimeUnit.SECONDS.toNanos(30),
        "failed at once, not at the operation deadline: " + e);
    assertTrue(e.getMessage().contains("taken by another lvol"), e.getMessage());
    assertEquals(ReplicaState.ERROR, r.get("r2").orElseThrow().state());
    assertEquals(b.lvolUuid(), r.get("r2").orElseThrow().lvolUuid());
    assertEquals(foreign.uuid(), lvols().get("r2").uuid());
    assertEquals(b.lvolUuid(), lvols().get("r2-rebuilding").uuid());
  }

  @Test
  void snapshotOperationsOnOneNameAreSerialisedWithVerify() throws Exception {
    // A snapshot call held in the store: a round listing meanwhile must not judge the replica.
    CountDownLatch inCall = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ReplicaRegistry r =
        ReplicaRegistry.builder(
                new ForwardingLvolStore(store) {
                  @Override
                  public Lvol snapshotLvol(String name, String snapshotName)
                      throws dev.replicalifecycle.store.StoreException {
                    inCall.countDown();
                    try {
                      release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    return super.snapshotLvol(name, snapshotName);
                  }
                })
            .retryDelay(Duration.ofMillis(1))
            .build();
    r.create("r1", SIZE);
    Thread t = new Thread(() -> r.snapshot("r1", "s1"));
    t.start();
    assertTrue(inCall.await(10, TimeUnit.SECONDS));
    VerifyReport round = r.verify();
    assertEquals(List.of(new VerifyReport.Skip("r1", VerifyReport.SkipReason.IN_FLIGHT)), round.skipped());
    release.countDown();
    t.join(10_000);
    assertEquals(List.of("s1"), r.get("r1").orElseThrow().snapshots());
    assertTrue(r.verify().changes().isEmpty());
  }

  @Test
  void aStoreWithoutSnapshotsRefusesWithATypedErrorAndNothingChanges() {
    InMemoryLvolStore inner = new InMemoryLvolStore();
    ReplicaRegistry r =
        ReplicaRegistry.builder(new ForwardingLvolStore(inner) {
              @Override
              public Lvol snapshotLvol(String name, String snapshotName)
                  throws dev.replicalifecycle.store.StoreException {
                return new dev.replicalifecycle.store.LvolStore() {
                  public Lvol createLvol(String n, long s) {
                    throw new AssertionError();
                  }

                  public void deleteLvol(String n) {
                    throw new AssertionError();
                  }

                  public dev.replicalifecycle.store.LvolListing listLvols() {
                    throw new AssertionError();
                  }
                }.snapshotLvol(name, snapshotName); // the SPI's default
              }
            })
            .build();
    r.create("r1", SIZE);
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class, () -> r.snapshot("r1", "s1"));
    assertInstanceOf(StoreRejectedException.class, e.getCause());
    assertEquals(-95, ((StoreRejectedException) e.getCause()).code());
    assertEquals(ReplicaState.RUNNING, r.get("r1").orElseThrow().state());
  }

  /**
   * Found by the property runs: after a restart, a delete of a name no round has adopted yet
   * deleted the head but left its snapshots for good. Now it reads the chain from the head first.
   */
  @Test
  void aDeleteBeforeAdoptionRemovesTheChainToo() {
    ReplicaRegistry before = registry();
    before.create("r1", SIZE);
    before.snapshot("r1", "s1");
    before.snapshot("r1", "s2");
    before.close();
    ReplicaRegistry r = registry();
    r.delete("r1"); // no round yet: r1 has no entry
    assertEquals(List.of(), store.lvols());
  }

  /** A rejected look-up of an unknown name's chain fails the delete: nothing is left unknown. */
  @Test
  void aDeleteWhoseChainLookUpIsRejectedFailsAndLeavesAnErrorEntry() {
    ReplicaRegistry before = registry();
    before.create("r1", SIZE);
    before.snapshot("r1", "s1");
    before.close();
    ReplicaRegistry r = registry();
    store.failNext(Call.FIND, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> r.delete("r1"));
    assertEquals(ReplicaState.ERROR, r.get("r1").orElseThrow().state());
    assertEquals(2, store.lvols().size(), "nothing deleted");
    r.delete("r1");
    assertEquals(List.of(), store.lvols());
  }

  /**
   * Found by the property runs: a snapshot whose call timed out while the head was lost looped
   * until the operation timeout. "Not found" for the head now settles it by the snapshot lvol.
   */
  @Test
  void aTimedOutSnapshotOfAHeadLostMeanwhileIsSettledAtOnce() {
    ReplicaRegistry r =
        ReplicaRegistry.builder(store)
            .retryDelay(Duration.ofMillis(1))
            .operationTimeout(Duration.ofSeconds(2))
            .build();
    r.create("r1", SIZE);
    store.loseLvol("r1");
    store.failNext(Call.SNAPSHOT, 1, Fault.TIMEOUT_AFTER_APPLY); // answer lost; nothing to apply
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class, () -> r.snapshot("r1", "s1"));
    // settled ("not taken"), not given up at the deadline (ReplicaOutcomeUnknownException)
    assertEquals(ReplicaStoreException.class, e.getClass(), e.toString());
    assertEquals(List.of(), r.get("r1").orElseThrow().snapshots());
    assertEquals(ReplicaState.RUNNING, r.get("r1").orElseThrow().state());
  }
}
