package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.replicalifecycle.spdk.JsonRpcTestTarget.LVS_UUID;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.registry.VerifyReport.SkipReason;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Action;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Fault;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.LvstoreState;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.StoreProtocolException;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreTimeoutException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registry (V4) over {@link SpdkLvolStore} over a real Unix socket to the test target:
 * create, delete, verify, lvol loss, restart with adoption, store failures, and many threads at
 * once; and SPDK's incomplete listings (issue 9, Why 3): an lvol store not loaded yet or half
 * loaded, unreadable entries, backing images, lvols with two aliases, deletes while the lvol
 * store is absent or the lvol is being deleted.
 */
@Timeout(60)
class SpdkRegistryEndToEndTest {

  private static final long MIB = 1L << 20;

  private TargetFixture f;
  private InMemoryLvolStore backing;
  private ReplicaRegistry registry;

  @BeforeEach
  void start() throws Exception {
    f = TargetFixture.start();
    backing = f.target().store();
    registry = ReplicaRegistry.builder(f.store()).build();
  }

  @AfterEach
  void stop() throws Exception {
    registry.close();
    f.close();
  }

  private List<String> heads() {
    return backing.lvols().stream().filter(l -> l.kind() == LvolKind.HEAD).map(Lvol::name)
        .collect(Collectors.toList());
  }

  private Map<String, ReplicaState> states() {
    Map<String, ReplicaState> m = new TreeMap<>();
    for (Replica r : registry.list()) {
      m.put(r.name(), r.state());
    }
    return m;
  }

  @Test
  void createVerifyDelete() {
    Replica r = registry.create("r1", 10 * MIB);
    assertEquals(ReplicaState.RUNNING, r.state());
    assertEquals(backing.lvols().get(0).uuid(), r.lvolUuid());
    assertEquals(List.of("r1"), heads());
    assertEquals(Optional.of(ReplicaState.RUNNING), registry.get("r1").map(Replica::state));
    assertThrows(ReplicaAlreadyExistsException.class, () -> registry.create("r1", MIB));

    VerifyReport report = registry.verify();
    assertEquals(List.of(), report.changes());
    assertEquals(1, report.lvolsListed());

    registry.delete("r1");
    assertEquals(List.of(), heads());
    assertEquals(Optional.empty(), registry.get("r1"));
    registry.delete("r1"); // deleting an absent name succeeds
    assertEquals(1, f.target().connectionsAccepted());
  }

  @Test
  void aLostLvolIsDetectedAndTheReplicaStaysVisibleInError() {
    registry.create("r1", MIB);
    registry.create("r2", MIB);
    assertEquals(List.of(), registry.verify().changes()); // the first listing covers nothing
    assertTrue(backing.loseLvol("r1")); // disk loss, behind the registry's back
    VerifyReport report = registry.verify();
    assertEquals(1, report.changes().size());
    assertEquals(VerifyReport.ChangeKind.MARKED_ERROR, report.changes().get(0).kind());
    Replica lost = registry.get("r1").orElseThrow();
    assertEquals(ReplicaState.ERROR, lost.state());
    assertTrue(lost.errorReason() != null && !lost.errorReason().isEmpty());
    assertEquals(ReplicaState.RUNNING, registry.get("r2").orElseThrow().state());
    registry.delete("r1"); // the lvol is gone: not-found counts as done
    assertEquals(Optional.empty(), registry.get("r1"));
  }

  @Test
  void theBackgroundLoopDetectsALostLvol() throws Exception {
    List<VerifyReport> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ReplicaRegistry looping = ReplicaRegistry.builder(f.store())
        .verifyEvery(Duration.ofMillis(50)).onVerify(reports::add).build()) {
      looping.create("r1", MIB);
      backing.loseLvol("r1");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (looping.get("r1").orElseThrow().state() != ReplicaState.ERROR) {
        assertTrue(System.nanoTime() < deadline, "lost lvol not detected");
        Thread.sleep(20);
      }
      assertFalse(reports.isEmpty());
    }
  }

  @Test
  void aRestartedRegistryAdoptsTheLvolsAsStopped() throws Exception {
    registry.create("r1", MIB);
    registry.create("r2", 3 * MIB);
    backing.putLvol("r3", 4 * MIB); // made by an earlier run, never seen by this registry
    backing.putLvol("r1-snap-s1", 4 * MIB);
    registry.close();

    // a new process: new client, new store, new registry; the lvols are still in SPDK
    try (JsonRpcClient client2 = JsonRpcClient.builder(f.target().socketPath()).build()) {
      SpdkLvolStore store2 = SpdkLvolStore.builder(client2)
          .lvstoreUuid(JsonRpcTestTarget.LVS_UUID).build();
      registry = ReplicaRegistry.builder(store2).build();
      assertEquals(List.of(), registry.list());
      VerifyReport report = registry.verify();
      assertEquals(List.of("r1", "r2", "r3"), report.changes().stream()
          .map(VerifyReport.Change::name).collect(Collectors.toList()));
      assertTrue(report.changes().stream()
          .allMatch(c -> c.kind() == VerifyReport.ChangeKind.ADOPTED));
      assertEquals(Map.of("r1", ReplicaState.STOPPED, "r2", ReplicaState.STOPPED,
          "r3", ReplicaState.STOPPED), states());
      assertEquals(backing.lvols().stream().filter(l -> l.name().equals("r2")).findFirst()
          .orElseThrow().uuid(), registry.get("r2").orElseThrow().lvolUuid());
      // a second round changes nothing; adopted replicas can be deleted
      assertEquals(List.of(), registry.verify().changes());
      registry.delete("r3");
      assertEquals(List.of("r1", "r2"), heads());
    }
  }

  @Test
  void aCreateDuringAVerifyRoundWithAStaleListingIsNotLost() throws Exception {
    // Longhorn 9953 over a real socket: the listing is taken before the create, answered after
    CountDownLatch listed = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    f.target().inject("bdev_get_bdevs", Fault.holdAnswer(listed, release));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<VerifyReport> round = pool.submit(registry::verify);
      assertTrue(listed.await(10, TimeUnit.SECONDS)); // the target took the (empty) listing
      Replica created = registry.create("r9", MIB);
      assertEquals(ReplicaState.RUNNING, created.state());
      release.countDown(); // now the stale listing arrives
      VerifyReport report = round.get();
      assertEquals(List.of(), report.changes(), report.toString());
      // the round saw a listing without r9 and left r9 alone because r9 changed after its stamp
      assertEquals(List.of(new VerifyReport.Skip("r9", VerifyReport.SkipReason.CHANGED_SINCE_STAMP)),
          report.skipped());
      assertEquals(ReplicaState.RUNNING, registry.get("r9").orElseThrow().state());
      assertEquals(List.of(), registry.verify().changes());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void storeFailuresReachTheCallerTypedAndCreateRollsBack() throws Exception {
    f.target().inject("bdev_lvol_create", Fault.error(-16, "Device or resource busy"));
    ReplicaStoreException busy =
        assertThrows(ReplicaStoreException.class, () -> registry.create("r1", MIB));
    StoreRejectedException cause = assertInstanceOf(StoreRejectedException.class,
        busy.getCause());
    assertEquals(-16, cause.code());
    assertEquals(Optional.empty(), registry.get("r1"));
    assertEquals(List.of(), heads());

    // the lvol is made but the answer is lost: the create times out and is rolled back
    try (JsonRpcClient quick = JsonRpcClient.builder(f.target().socketPath())
        .callTimeout(Duration.ofMillis(300)).build();
        ReplicaRegistry r2 = ReplicaRegistry.builder(
            SpdkLvolStore.builder(quick).lvstoreName(JsonRpcTestTarget.LVS_NAME).build()).build()) {
      f.target().inject("bdev_lvol_create", Fault.of(Action.DROP));
      ReplicaStoreException lost =
          assertThrows(ReplicaStoreException.class, () -> r2.create("r2", MIB));
      assertInstanceOf(StoreTimeoutException.class, lost.getCause());
      assertEquals(List.of(), heads());
      assertEquals(Optional.empty(), r2.get("r2"));
    }
  }

  /**
   * A create whose answer is malformed: the request was sent and applied, so the outcome is
   * unknown (not "SPDK is down", not "rejected"): the registry settles it by rolling the lvol
   * back, as after a timeout.
   */
  @Test
  void aMalformedAnswerToACreateIsAnUnknownOutcomeAndIsRolledBack() {
    f.target().inject("bdev_lvol_create", Fault.of(Action.GARBAGE));
    ReplicaStoreException e =
        assertThrows(ReplicaStoreException.class, () -> registry.create("r3", MIB));
    StoreProtocolException cause = assertInstanceOf(StoreProtocolException.class, e.getCause());
    assertFalse(cause.outcomeKnown());
    assertTrue(e.getMessage().contains("rolled back"), e.getMessage());
    assertEquals(List.of(), heads());
    assertEquals(Optional.empty(), registry.get("r3"));
    // the connection was dropped; the next call makes a new one and works
    assertEquals(ReplicaState.RUNNING, registry.create("r3", MIB).state());
  }

  @Test
  void hostileListingsLeaveTheRegistryUnchanged() {
    registry.create("r1", MIB);
    registry.create("r2", MIB);
    registry.verify();
    registry.verify(); // covered from now on
    backing.loseLvol("r2"); // a round that got a good listing would mark r2 ERROR
    Map<String, ReplicaState> before = states();
    String env = "{\"jsonrpc\":\"2.0\",\"id\":$ID,";
    String bdevs = "bdev_get_bdevs";
    String lvstores = "bdev_lvol_get_lvstores";
    String examine = "bdev_wait_for_examine";
    List<Map.Entry<String, Fault>> hostile = List.of(
        Map.entry(bdevs, Fault.of(Action.GARBAGE)),
        Map.entry(bdevs, Fault.of(Action.TRUNCATE)),
        Map.entry(bdevs, Fault.of(Action.WRONG_ID)),
        Map.entry(bdevs, Fault.raw(env + "\"result\":{}}")),
        Map.entry(bdevs, Fault.raw(
            env + "\"result\":[1],\"error\":{\"code\":-1,\"message\":\"x\"}}")),
        Map.entry(bdevs, Fault.raw(env + "\"x\":0}")),
        Map.entry(bdevs, Fault.rawThenClose(env + "\"result\":" + "[".repeat(100_000))),
        Map.entry(bdevs, Fault.error(-32603, "Internal error")),
        Map.entry(lvstores, Fault.of(Action.GARBAGE)),
        Map.entry(lvstores, Fault.raw(env + "\"result\":[{\"name\":\"test-disk\",\"uuid\":\""
            + JsonRpcTestTarget.LVS_UUID + "\",\"cluster_size\":\"4 MiB\",\"block_size\":4096}]}")),
        Map.entry(lvstores, Fault.error(-1, "Operation not permitted")),
        Map.entry(examine, Fault.of(Action.CLOSE)),
        Map.entry(examine, Fault.error(-32603, "Internal error")));
    for (Map.Entry<String, Fault> h : hostile) {
      f.target().inject(h.getKey(), h.getValue());
      ReplicaStoreException e = assertThrows(ReplicaStoreException.class, registry::verify,
          h::toString);
      assertTrue(e.getCause() instanceof StoreUnavailableException
          || e.getCause() instanceof StoreProtocolException
          || e.getCause() instanceof StoreRejectedException, e.getCause()::toString);
      assertEquals(before, states(), h::toString);
    }
    // with honest answers the rounds go through; the first after a failed listing covers nothing
    // (SPDK may have restarted in between), the second marks r2
    VerifyReport first = awaitRound();
    assertEquals(List.of(), first.changes(), first::toString);
    assertEquals(Set.of(LVS_UUID), first.missingLvstores());
    assertEquals(before, states());
    assertEquals(ReplicaState.ERROR, awaitRound().changes().get(0).replica().state());
    assertEquals(ReplicaState.ERROR, states().get("r2"));
    assertEquals(ReplicaState.RUNNING, states().get("r1"));
  }

  private VerifyReport awaitRound() {
    for (int i = 0; ; i++) {
      try {
        return registry.verify();
      } catch (ReplicaStoreException e) {
        if (i >= 3) {
          throw e; // the client reconnects after a dropped connection: one retry suffices
        }
      }
    }
  }

  // ---- issue 9, Why 3: SPDK's listings are not always complete -----------------------------

  private static VerifyReport.Skip skip(String name, VerifyReport.SkipReason reason) {
    return new VerifyReport.Skip(name, reason);
  }

  private void createRunning(String... names) {
    for (String n : names) {
      assertEquals(ReplicaState.RUNNING, registry.create(n, MIB).state());
    }
  }

  /** Two rounds: the second covers the lvol store (the first listing of a store never does). */
  private void coveredRounds() {
    VerifyReport first = registry.verify();
    assertEquals(List.of(), first.changes(), first::toString);
    VerifyReport second = registry.verify();
    assertTrue(second.listingComplete(), second::toString);
  }

  @Test
  void theFirstRoundOverAFreshStoreMarksNoReplicaError() {
    createRunning("r1", "r2");
    backing.loseLvol("r1");
    VerifyReport first = registry.verify();
    assertEquals(List.of(), first.changes(), first::toString);
    assertEquals(Set.of(LVS_UUID), first.missingLvstores());
    assertEquals(List.of(skip("r1", SkipReason.LVSTORE_NOT_LISTED)), first.skipped());
    assertEquals(Map.of("r1", ReplicaState.RUNNING, "r2", ReplicaState.RUNNING), states());
    VerifyReport second = registry.verify();
    assertEquals(List.of("r1"), second.changes().stream().map(VerifyReport.Change::name)
        .collect(Collectors.toList()));
    assertEquals(Map.of("r1", ReplicaState.ERROR, "r2", ReplicaState.RUNNING), states());
  }

  @Test
  void aRoundWithoutTheLvstoreMarksNoReplicaError() {
    createRunning("r1", "r2", "r3");
    coveredRounds();
    // SPDK restarted and has not loaded the lvol store yet; meanwhile r2's lvol is really lost
    f.target().lvstoreState(LvstoreState.ABSENT);
    backing.loseLvol("r2");
    VerifyReport absent = registry.verify();
    assertEquals(List.of(), absent.changes(), absent::toString);
    assertEquals(Set.of(LVS_UUID), absent.missingLvstores());
    assertEquals(List.of(skip("r1", SkipReason.LVSTORE_NOT_LISTED),
        skip("r2", SkipReason.LVSTORE_NOT_LISTED), skip("r3", SkipReason.LVSTORE_NOT_LISTED)),
        absent.skipped());
    assertEquals(0, absent.lvolsListed());
    assertFalse(absent.listingComplete());
    // it is loaded by an examine that starts just after the next round's wait: that round sees
    // the lvol store registered and none of its lvols open
    f.target().examineAfterNextWait();
    VerifyReport opening = registry.verify();
    assertEquals(List.of(), opening.changes(), opening::toString);
    assertEquals(Set.of(LVS_UUID), opening.missingLvstores());
    assertEquals(absent.skipped(), opening.skipped());
    assertEquals(Map.of("r1", ReplicaState.RUNNING, "r2", ReplicaState.RUNNING,
        "r3", ReplicaState.RUNNING), states());
    // back, seen by two listings in a row: the lost one is marked, the others stay running
    VerifyReport back = registry.verify();
    assertTrue(back.listingComplete(), back::toString);
    assertEquals(List.of("r2"), back.changes().stream().map(VerifyReport.Change::name)
        .collect(Collectors.toList()));
    assertEquals(VerifyReport.ChangeKind.MARKED_ERROR, back.changes().get(0).kind());
    assertEquals(List.of(), back.skipped());
    assertEquals(Map.of("r1", ReplicaState.RUNNING, "r2", ReplicaState.ERROR,
        "r3", ReplicaState.RUNNING), states());
  }

  @Test
  void aFailedRoundThenAHalfLoadedLvstoreMarksNoReplicaError() {
    createRunning("r1", "r2");
    coveredRounds();
    // SPDK restarts: a round fails on the broken connection...
    f.target().inject("bdev_lvol_get_lvstores", Fault.of(Action.CLOSE));
    assertThrows(ReplicaStoreException.class, registry::verify);
    // ...and when it answers again its lvol store is being examined, no lvol open yet. The
    // listing from before the restart must not count as the first of two.
    f.target().examineAfterNextWait();
    VerifyReport opening = registry.verify();
    assertEquals(List.of(), opening.changes(), opening::toString);
    assertEquals(List.of(skip("r1", SkipReason.LVSTORE_NOT_LISTED),
        skip("r2", SkipReason.LVSTORE_NOT_LISTED)), opening.skipped());
    VerifyReport back = registry.verify();
    assertEquals(List.of(), back.changes(), back::toString);
    assertTrue(back.listingComplete());
    assertEquals(Map.of("r1", ReplicaState.RUNNING, "r2", ReplicaState.RUNNING), states());
  }

  @Test
  void anLvstoreConfiguredByAnUppercaseUuidIsMissedUnderTheSameSpelling() throws Exception {
    SpdkLvolStore upper = SpdkLvolStore.builder(f.client()).lvstoreUuid(LVS_UUID.toUpperCase())
        .build();
    try (ReplicaRegistry reg = ReplicaRegistry.builder(upper).build()) {
      reg.create("r1", MIB);
      reg.verify();
      assertTrue(reg.verify().listingComplete());
      f.target().lvstoreState(LvstoreState.ABSENT);
      VerifyReport absent = reg.verify();
      assertEquals(List.of(), absent.changes(), absent::toString);
      assertEquals(List.of(skip("r1", SkipReason.LVSTORE_NOT_LISTED)), absent.skipped());
      assertEquals(ReplicaState.RUNNING, reg.get("r1").orElseThrow().state());
    }
  }

  @Test
  void anUnreadableEntrySkipsOnlyTheReplicasItCouldBe() {
    createRunning("r1", "r2", "r3");
    coveredRounds();
    backing.loseLvol("r3");
    // r1's entry with fields of unexpected types: its aliases unreadable, it could be any lvol
    f.target().alterEntry("r1", b -> List.of(b.put("aliases", "test-disk/r1")));
    VerifyReport anyName = registry.verify();
    assertEquals(List.of(), anyName.changes(), anyName::toString);
    assertEquals(List.of(skip("r1", SkipReason.UNREADABLE_ENTRY),
        skip("r3", SkipReason.UNREADABLE_ENTRY)), anyName.skipped());
    assertEquals(1, anyName.unreadableEntries());
    // r1's entry readable as r1's but with num_blocks as a string: only r1 is left alone
    f.target().alterEntry("r1", b -> List.of(b.put("num_blocks", "many")));
    VerifyReport round = registry.verify();
    assertEquals(1, round.unreadableEntries());
    assertEquals(List.of(skip("r1", SkipReason.UNREADABLE_ENTRY)), round.skipped());
    assertEquals(List.of("r3"), round.changes().stream().map(VerifyReport.Change::name)
        .collect(Collectors.toList()));
    assertEquals(Map.of("r1", ReplicaState.RUNNING, "r2", ReplicaState.RUNNING,
        "r3", ReplicaState.ERROR), states());
    f.target().clearAlterations();
    assertEquals(List.of(), registry.verify().changes());
    assertEquals(ReplicaState.RUNNING, states().get("r1"));
  }

  @Test
  void aBackingImageNamedLikeAReplicaIsNeverAdopted() throws Exception {
    String image = "vol-r-99aa88bb"; // a valid replica name
    assertTrue(dev.replicalifecycle.registry.ReplicaNames.isValid(image));
    // a backing image: an lvol SPDK shows as a snapshot (snapshot: true), no "-snap-" in its name
    backing.putLvol(image, 4 * MIB, LvolKind.OTHER, InMemoryLvolStore.DEFAULT_LVSTORE);
    backing.putLvol("vol-r-77665544", 4 * MIB); // an orphan head: adopted
    createRunning("r1");
    for (int i = 0; i < 3; i++) {
      VerifyReport round = registry.verify();
      assertEquals(1, round.nonReplicaLvols(), round::toString);
      assertEquals(i == 0 ? List.of("vol-r-77665544") : List.of(), round.changes().stream()
          .map(VerifyReport.Change::name).collect(Collectors.toList()));
      assertEquals(Optional.empty(), registry.get(image));
    }
    assertEquals(Map.of("r1", ReplicaState.RUNNING, "vol-r-77665544", ReplicaState.STOPPED),
        states());
    // nor by a registry started afresh over a new store
    try (JsonRpcClient client2 = JsonRpcClient.builder(f.target().socketPath()).build();
        ReplicaRegistry fresh = ReplicaRegistry.builder(
            SpdkLvolStore.builder(client2).lvstoreUuid(LVS_UUID).build()).build()) {
      VerifyReport round = fresh.verify();
      assertEquals(1, round.nonReplicaLvols());
      assertEquals(Optional.empty(), fresh.get(image));
      assertEquals(List.of("r1", "vol-r-77665544"), fresh.list().stream().map(Replica::name)
          .collect(Collectors.toList()));
    }
  }

  @Test
  void anLvolWithTwoAliasesDoesNotFailTheListing() {
    createRunning("r1", "r2");
    coveredRounds();
    f.target().alterEntry("r1", b -> {
      ((com.fasterxml.jackson.databind.node.ArrayNode) b.get("aliases")).add("test-disk/r1-copy");
      return List.of(b);
    });
    VerifyReport round = registry.verify(); // no exception: the round completes
    assertEquals(List.of(), round.changes(), round::toString);
    assertEquals(List.of(skip("r1", SkipReason.UNREADABLE_ENTRY)), round.skipped());
    assertEquals(1, round.unreadableEntries());
    assertEquals(1, round.lvolsListed());
    // the other replicas are judged as usual
    backing.loseLvol("r2");
    VerifyReport next = registry.verify();
    assertEquals(List.of("r2"), next.changes().stream().map(VerifyReport.Change::name)
        .collect(Collectors.toList()));
    assertEquals(Map.of("r1", ReplicaState.RUNNING, "r2", ReplicaState.ERROR), states());
  }

  @Test
  void aDeleteWhileTheLvstoreIsAbsentDoesNotLoseTrackOfTheLvol() {
    createRunning("r1");
    coveredRounds();
    f.target().lvstoreState(LvstoreState.ABSENT); // SPDK answers -19 to the delete
    ReplicaStoreException e = assertThrows(ReplicaStoreException.class,
        () -> registry.delete("r1"));
    assertEquals(-19, assertInstanceOf(StoreRejectedException.class, e.getCause()).code());
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
    assertTrue(backing.contains("r1")); // the lvol is still there, and the registry knows it
    f.target().lvstoreState(LvstoreState.LOADED);
    registry.delete("r1");
    assertEquals(Optional.empty(), registry.get("r1"));
    assertFalse(backing.contains("r1"));
    registry.verify();
    assertEquals(List.of(), registry.verify().changes()); // nothing comes back
    assertEquals(List.of(), registry.list());
  }

  @Test
  void aDeleteOfAnLvolBeingDeletedWaitsUntilItIsGone() throws Exception {
    createRunning("r1");
    f.target().startDelete("r1"); // another client's delete, not finished by SPDK
    f.target().clearMethodsReceived();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> delete = pool.submit(() -> registry.delete("r1"));
      // SPDK answers -32603 "Device or resource busy": nothing applied, try again later
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (f.target().methodsReceived().stream().filter("bdev_lvol_delete"::equals).count() < 5) {
        assertTrue(System.nanoTime() < deadline, "no retries");
        Thread.sleep(5);
      }
      assertFalse(delete.isDone());
      assertEquals(ReplicaState.DELETING, registry.get("r1").orElseThrow().state());
      assertTrue(backing.finishLate("r1", true)); // the other delete ends
      delete.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(Optional.empty(), registry.get("r1"));
    assertFalse(backing.contains("r1"));
  }

  @Test
  void manyThreadsAtOnce() throws Exception {
    int threads = 6;
    int opsPerThread = 150;
    String[] shared = {"s0", "s1", "s2"};
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger rounds = new AtomicInteger();
    try {
      Future<?> verifier = pool.submit(() -> {
        while (!stop.get()) {
          VerifyReport report = registry.verify();
          rounds.incrementAndGet();
          for (VerifyReport.Change c : report.changes()) {
            throw new AssertionError("verify changed " + c + " with no lvol lost");
          }
        }
        return null;
      });
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        workers.add(pool.submit(() -> {
          Random rnd = new Random(seed);
          for (int i = 0; i < opsPerThread; i++) {
            String own = "t" + seed + "-" + rnd.nextInt(4);
            String name = rnd.nextInt(3) == 0 ? shared[rnd.nextInt(shared.length)] : own;
            switch (rnd.nextInt(3)) {
              case 0 -> {
                try {
                  assertEquals(ReplicaState.RUNNING, registry.create(name, MIB).state());
                } catch (ReplicaAlreadyExistsException taken) {
                  // another thread has it, or it is ours from before
                }
              }
              case 1 -> {
                registry.delete(name);
                if (name.equals(own)) {
                  assertEquals(Optional.empty(), registry.get(name)); // nobody else uses it
                }
              }
              default -> registry.get(name).ifPresent(r ->
                  assertTrue(r.state() != ReplicaState.ERROR, r::toString));
            }
          }
          return null;
        }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
      stop.set(true);
      verifier.get();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertTrue(rounds.get() > 0);
    // quiescent: the map and the lvols agree, every replica is running
    registry.verify();
    List<Replica> all = registry.list();
    assertEquals(heads(), all.stream().map(Replica::name).collect(Collectors.toList()));
    assertTrue(all.stream().allMatch(r -> r.state() == ReplicaState.RUNNING), all::toString);
    assertEquals(1, f.target().connectionsAccepted());
  }
}
