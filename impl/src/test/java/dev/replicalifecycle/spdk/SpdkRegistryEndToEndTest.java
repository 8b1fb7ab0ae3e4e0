package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Action;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Fault;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreTimeoutException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
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
 * once.
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

  @Test
  void hostileListingsLeaveTheRegistryUnchanged() {
    registry.create("r1", MIB);
    registry.create("r2", MIB);
    backing.loseLvol("r2"); // a round that got a good listing would mark r2 ERROR
    Map<String, ReplicaState> before = states();
    String env = "{\"jsonrpc\":\"2.0\",\"id\":$ID,";
    List<Fault> hostile = List.of(
        Fault.of(Action.GARBAGE),
        Fault.of(Action.TRUNCATE),
        Fault.of(Action.WRONG_ID),
        Fault.raw(env + "\"result\":{}}"),
        Fault.raw(env + "\"result\":[1],\"error\":{\"code\":-1,\"message\":\"x\"}}"),
        Fault.raw(env + "\"x\":0}"),
        Fault.rawThenClose(env + "\"result\":" + "[".repeat(100_000)),
        Fault.raw(env + "\"result\":[{\"product_name\":\"Logical Volume\","
            + "\"driver_specific\":{\"lvol\":{}},\"aliases\":[\"test-disk/r1\"],"
            + "\"num_blocks\":\"many\",\"block_size\":4096}]}"),
        Fault.error(-32603, "Internal error"));
    for (Fault fault : hostile) {
      f.target().inject("bdev_get_bdevs", fault);
      ReplicaStoreException e = assertThrows(ReplicaStoreException.class, registry::verify,
          fault::toString);
      assertTrue(e.getCause() instanceof StoreUnavailableException
          || e.getCause() instanceof StoreRejectedException, e.getCause()::toString);
      assertEquals(before, states(), fault::toString);
    }
    // with an honest answer the round goes through
    assertEquals(ReplicaState.ERROR, awaitRound().get("r2"));
  }

  private Map<String, ReplicaState> awaitRound() {
    for (int i = 0; ; i++) {
      try {
        registry.verify();
        return states();
      } catch (ReplicaStoreException e) {
        if (i >= 3) {
          throw e; // the client reconnects after a dropped connection: one retry suffices
        }
      }
    }
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
