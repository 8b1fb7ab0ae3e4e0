package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.spdk.JsonRpcTestTarget.Action;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Fault;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreTimeoutException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SpdkLvolStore} against the test target over a real Unix socket. */
@Timeout(30)
class SpdkLvolStoreTest {

  private static final long MIB = 1L << 20;

  private TargetFixture f;
  private SpdkLvolStore store;
  private InMemoryLvolStore backing;

  @BeforeEach
  void start() throws Exception {
    f = TargetFixture.start();
    store = f.store();
    backing = f.target().store();
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static List<String> names(List<Lvol> lvols) {
    return lvols.stream().map(Lvol::name).collect(Collectors.toList());
  }

  @Test
  void createListDeleteByName() throws Exception {
    Lvol created = store.createLvol("r1", 10 * MIB + 1); // 11 MiB -> three 4 MiB clusters
    assertEquals("r1", created.name());
    assertEquals(12 * MIB, created.sizeBytes());
    assertEquals(List.of(created), store.listLvols().lvols()); // as the listing shows it
    assertEquals(List.of(created), backing.lvols());
    store.deleteLvol("r1");
    assertEquals(List.of(), store.listLvols().lvols());
  }

  @Test
  void createListDeleteByUuid() throws Exception {
    SpdkLvolStore byUuid = f.storeByUuid();
    Lvol created = byUuid.createLvol("r2", 4 * MIB);
    assertEquals(List.of(created), byUuid.listLvols().lvols());
    assertEquals(List.of(created), store.listLvols().lvols());
    byUuid.deleteLvol("r2");
    assertEquals(List.of(), byUuid.listLvols().lvols());
  }

  @Test
  void theLvstoreLookupIsCachedAndChecked() throws Exception {
    SpdkLvolStore.LvstoreInfo info = store.lvstore();
    assertEquals(JsonRpcTestTarget.LVS_UUID, info.uuid());
    assertEquals(JsonRpcTestTarget.DEFAULT_CLUSTER_SIZE, info.clusterSize());
    long before = f.target().requestsReceived();
    store.createLvol("a", 1);
    store.createLvol("b", 1);
    assertEquals(before + 2, f.target().requestsReceived()); // no more lookups

    SpdkLvolStore missing = SpdkLvolStore.builder(f.client()).lvstoreName("nope").build();
    StoreRejectedException e = assertThrows(StoreRejectedException.class, missing::lvstore);
    assertEquals(-19, e.code());
    // create into a missing lvol store: -19 means "no lvol store", not "no lvol"
    assertEquals(-19, assertThrows(StoreRejectedException.class,
        () -> missing.createLvol("x", MIB)).code());
  }

  @Test
  void listsOnlyLvolsOfTheConfiguredStoreWithTheirKinds() throws Exception {
    backing.putLvol("r1", 4 * MIB);
    backing.putLvol("r1-snap-s1", 4 * MIB);
    backing.putLvol("r1-rebuilding", 4 * MIB);
    f.target().putForeignLvol("r1", 8 * MIB); // same name, other lvol store
    f.target().putForeignLvol("other", 8 * MIB);
    List<Lvol> lvols = store.listLvols().lvols();
    assertEquals(List.of("r1", "r1-rebuilding", "r1-snap-s1"), names(lvols));
    assertEquals(List.of(LvolKind.HEAD, LvolKind.REBUILDING, LvolKind.SNAPSHOT),
        lvols.stream().map(Lvol::kind).collect(Collectors.toList()));
    assertTrue(lvols.stream().allMatch(l -> l.replicaName().equals("r1")));
    assertEquals(lvols, f.storeByUuid().listLvols().lvols());
  }

  @Test
  void alreadyExistsAndNotFound() throws Exception {
    store.createLvol("r1", MIB);
    LvolAlreadyExistsException e =
        assertThrows(LvolAlreadyExistsException.class, () -> store.createLvol("r1", MIB));
    assertEquals(-17, e.code());
    assertTrue(e.getMessage().startsWith("File exists"), e.getMessage());
    assertEquals(-19, assertThrows(LvolNotFoundException.class,
        () -> store.deleteLvol("nope")).code());
  }

  @Test
  void asyncFailuresWithTheErrnoText() throws Exception {
    // -32602 "File exists" on create is an already-exists; other texts stay rejected
    f.target().inject("bdev_lvol_create", Fault.error(-32602, "File exists"));
    assertInstanceOf(LvolAlreadyExistsException.class,
        assertThrows(StoreException.class, () -> store.createLvol("r1", MIB)));
    f.target().inject("bdev_lvol_create", Fault.error(-32602, "Device or resource busy"));
    StoreRejectedException busy =
        assertThrows(StoreRejectedException.class, () -> store.createLvol("r1", MIB));
    assertEquals(-32602, busy.code());
    assertEquals("Device or resource busy", busy.getMessage());
    assertTrue(busy.outcomeKnown());

    store.createLvol("r1", MIB);
    f.target().inject("bdev_lvol_delete", Fault.error(-32603, "No such device"));
    assertInstanceOf(LvolNotFoundException.class,
        assertThrows(StoreException.class, () -> store.deleteLvol("r1")));
    f.target().inject("bdev_lvol_delete", Fault.error(-32603, "Device or resource busy"));
    assertEquals(-32603, assertThrows(StoreRejectedException.class,
        () -> store.deleteLvol("r1")).code());
    // -32603 "No such device" is not-found only for delete
    f.target().inject("bdev_get_bdevs", Fault.error(-32603, "No such device"));
    assertEquals(-32603, assertThrows(StoreRejectedException.class, store::listLvols).code());
    // -17 on delete, -19 on list: rejected with the code kept
    f.target().inject("bdev_lvol_delete", Fault.error(-17, "File exists"));
    assertEquals(-17, assertThrows(StoreRejectedException.class,
        () -> store.deleteLvol("r1")).code());
    assertTrue(backing.contains("r1"));
  }

  @Test
  void storeFaultsAsSpdkWouldShowThem() throws Exception {
    backing.failNext(Call.CREATE, 1, InMemoryLvolStore.Fault.REJECT);
    StoreRejectedException busy =
        assertThrows(StoreRejectedException.class, () -> store.createLvol("r1", MIB));
    assertEquals(-16, busy.code());
    assertEquals("Device or resource busy", busy.getMessage());

    try (JsonRpcClient quick = JsonRpcClient.builder(f.target().socketPath())
        .callTimeout(Duration.ofMillis(300)).build()) {
      SpdkLvolStore s = SpdkLvolStore.builder(quick).lvstoreName(JsonRpcTestTarget.LVS_NAME)
          .build();
      backing.failNext(Call.CREATE, 1, InMemoryLvolStore.Fault.TIMEOUT_AFTER_APPLY);
      StoreTimeoutException t =
          assertThrows(StoreTimeoutException.class, () -> s.createLvol("r2", MIB));
      assertFalse(t.outcomeKnown());
      assertTrue(backing.contains("r2")); // applied, answer lost

      backing.failNext(Call.DELETE, 1, InMemoryLvolStore.Fault.UNAVAILABLE);
      StoreUnavailableException u =
          assertThrows(StoreUnavailableException.class, () -> s.deleteLvol("r2"));
      assertFalse(u.outcomeKnown());
      assertEquals(List.of("r2"), names(s.listLvols().lvols())); // reconnected
    }
  }

  @Test
  void timeoutsAndDeadConnectionsAreTyped() throws Exception {
    try (JsonRpcClient quick = JsonRpcClient.builder(f.target().socketPath())
        .callTimeout(Duration.ofMillis(200)).build()) {
      SpdkLvolStore s = SpdkLvolStore.builder(quick).lvstoreName(JsonRpcTestTarget.LVS_NAME)
          .build();
      f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(500)));
      assertThrows(StoreTimeoutException.class, s::listLvols);
      f.target().inject("bdev_lvol_delete", Fault.of(Action.DROP));
      store.createLvol("r1", MIB);
      assertThrows(StoreTimeoutException.class, () -> s.deleteLvol("r1"));
      assertFalse(backing.contains("r1"));
      f.target().inject("bdev_get_bdevs", Fault.of(Action.CLOSE));
      assertThrows(StoreUnavailableException.class, s::listLvols);
    }
    f.target().close();
    StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
        () -> store.createLvol("r1", MIB));
    assertInstanceOf(JsonRpcException.class, e.getCause());
  }

  @Test
  void protocolErrorsAreUnavailableWithATypedCause() throws Exception {
    f.target().inject("bdev_get_bdevs", Fault.of(Action.GARBAGE));
    StoreUnavailableException e = assertThrows(StoreUnavailableException.class, store::listLvols);
    JsonRpcException cause = assertInstanceOf(JsonRpcException.class, e.getCause());
    assertEquals(JsonRpcException.Kind.PROTOCOL, cause.kind());
    assertEquals(List.of(), store.listLvols().lvols());
  }

  @Test
  void lvolNamesAreSentAsTheAlias() throws Exception {
    // a name that looks like a UUID must still be taken as an lvol name
    String tricky = "1b38702c-7f0c-411e-a962-92c6a5a8a602";
    store.createLvol(tricky, MIB);
    store.createLvol("other", MIB);
    store.deleteLvol(tricky);
    assertEquals(List.of("other"), names(store.listLvols().lvols()));
  }

  @Test
  void concurrentStoreCallsFromSeveralThreads() throws Exception {
    int threads = 6;
    int rounds = 40;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String prefix = "t" + t + "-";
        results.add(pool.submit(() -> {
          int conflicts = 0;
          for (int i = 0; i < rounds; i++) {
            String name = prefix + i;
            Lvol lvol = store.createLvol(name, MIB);
            assertTrue(names(store.listLvols().lvols()).contains(name));
            // everyone also races for one shared name: exactly one create wins at a time
            try {
              store.createLvol("shared", MIB);
              store.deleteLvol("shared");
            } catch (LvolAlreadyExistsException | LvolNotFoundException e) {
              conflicts++;
            }
            if (i % 2 == 0) {
              store.deleteLvol(lvol.name());
            }
          }
          return conflicts;
        }));
      }
      for (java.util.concurrent.Future<Integer> r : results) {
        r.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> left = names(store.listLvols().lvols());
    assertEquals(threads * rounds / 2, left.size());
    assertFalse(left.contains("shared"));
    assertEquals(left, names(backing.lvols()));
    assertEquals(1, f.target().connectionsAccepted());
  }

  @Test
  void builderChecksItsArguments() {
    JsonRpcClient c = f.client();
    assertThrows(IllegalArgumentException.class, () -> SpdkLvolStore.builder(c).build());
    assertThrows(IllegalArgumentException.class,
        () -> SpdkLvolStore.builder(c).lvstoreName("a").lvstoreUuid(JsonRpcTestTarget.LVS_UUID)
            .build());
    assertThrows(IllegalArgumentException.class,
        () -> SpdkLvolStore.builder(c).lvstoreName("a/b").build());
    assertThrows(IllegalArgumentException.class,
        () -> SpdkLvolStore.builder(c).lvstoreUuid("not-a-uuid").build());
    assertThrows(IllegalArgumentException.class, () -> store.createLvol("x", 0));
  }
}
