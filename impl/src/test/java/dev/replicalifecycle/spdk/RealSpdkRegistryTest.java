package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaBusyException;
import dev.replicalifecycle.registry.ReplicaException;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The registry over {@link SpdkLvolStore} against a real {@code spdk_tgt} (v26.05): concurrent
 * operations with a verify loop, a {@code kill -9} of the target with calls in flight, and a
 * restart that reloads a persistent lvol store while verify rounds run. Skipped without the SPDK
 * package (see {@link RealSpdk}).
 *
 * <p>The in-memory lvol store {@code lvs1} is on Malloc1 (64 MiB, 1 MiB clusters, 400 metadata
 * pages per cluster ratio: room for a few hundred thin lvols); it is made again after a restart.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealSpdkRegistryTest {

  @RegisterExtension static final RealSpdk SPDK = new RealSpdk();

  private static final long MIB = 1 << 20;
  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws Exception {
    pool = Executors.newFixedThreadPool(6);
    try {
      SPDK.client().call("bdev_lvol_get_lvstores", Map.of("lvs_name", "lvs1"));
    } catch (JsonRpcException e) {
      assertEquals(-19, e.code(), e::getMessage);
      SPDK.mallocBdev("Malloc1", 64);
      SPDK.lvstore("Malloc1", "lvs1", 1 << 20, 400);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (pool != null) { // null when skipped
      pool.shutdownNow();
    }
    for (int i = closeAfter.size() - 1; i >= 0; i--) {
      closeAfter.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeAfter.add(c);
    return c;
  }

  private JsonRpcClient newClient(Duration timeout) {
    return closing(JsonRpcClient.builder(SPDK.socket()).callTimeout(timeout).build());
  }

  /** Head lvols of {@code store}'s lvol store, by name. */
  private static Map<String, Lvol> heads(SpdkLvolStore store) throws Exception {
    return store.listLvols().lvols().stream().filter(l -> l.kind() == LvolKind.HEAD)
        .collect(Collectors.toMap(Lvol::name, l -> l, (a, b) -> a, TreeMap::new));
  }

  /**
   * Four threads create, delete and look up twelve names at random while a verify loop runs
   * every 20 ms. Afterwards every replica is {@code RUNNING} with its lvol in SPDK (same UUID),
   * every head lvol in SPDK has its replica, and no round marked anything {@code ERROR}.
   */
  @Test
  @Order(1)
  void concurrentOperationsWithAVerifyLoopAccountForEveryLvol() throws Exception {
    JsonRpcClient client = newClient(Duration.ofSeconds(10));
    SpdkLvolStore store = SpdkLvolStore.builder(client).lvstoreName("lvs1").build();
    List<VerifyReport> reports = new CopyOnWriteArrayList<>();
    List<ReplicaStoreException> loopFailures = new CopyOnWriteArrayList<>();
    ReplicaRegistry registry = closing(ReplicaRegistry.builder(store)
        .verifyEvery(Duration.ofMillis(20))
        .operationTimeout(Duration.ofSeconds(20))
        .onVerify(reports::add)
        .onVerifyFailure(loopFailures::add)
        .build());
    AtomicInteger created = new AtomicInteger();
    AtomicInteger deleted = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Random random = new Random(t);
      workers.add(pool.submit(() -> {
        for (int i = 0; i < 40; i++) {
          String name = "r" + random.nextInt(12);
          try {
            switch (random.nextInt(3)) {
              case 0 -> {
                registry.create(name, MIB);
                created.incrementAndGet();
              }
              case 1 -> {
                registry.delete(name);
                deleted.incrementAndGet();
              }
              default -> registry.get(name);
            }
          } catch (ReplicaAlreadyExistsException | ReplicaBusyException expected) {
            // another thread has the name
          } catch (RuntimeException e) {
            unexpected.add(e);
          }
        }
      }));
    }
    for (Future<?> w : workers) {
      w.get(120, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), List.copyOf(unexpected));
    registry.verify();
    registry.verify();
    Map<String, Lvol> heads = heads(store);
    Map<String, Replica> replicas = registry.list().stream()
        .collect(Collectors.toMap(Replica::name, r -> r, (a, b) -> a, TreeMap::new));
    assertEquals(replicas.keySet(), heads.keySet());
    for (Replica r : replicas.values()) {
      assertEquals(ReplicaState.RUNNING, r.state(), r::toString);
      assertEquals(heads.get(r.name()).uuid(), r.lvolUuid(), r::toString);
    }
    assertTrue(reports.size() > 2, "verify rounds: " + reports.size());
    for (VerifyReport report : reports) {
      assertTrue(report.changes().stream()
          .noneMatch(c -> c.kind() == VerifyReport.ChangeKind.MARKED_ERROR), report::toString);
    }
    assertEquals(List.of(), List.copyOf(loopFailures));
    assertTrue(created.get() > 0 && deleted.get() > 0, created + " " + deleted);
    System.out.printf("registry on spdk_tgt: %d creates, %d deletes, %d verify rounds, %d left%n",
        created.get(), deleted.get(), reports.size(), replicas.size());
    for (String name : replicas.keySet()) {
      registry.delete(name);
    }
    assertEquals(Map.of(), heads(store));
  }

  /**
   * {@code kill -9} of the target while creates are in flight: each failed create is an
   * outcome-unknown store failure (never a rejection); after a restart the same client connects
   * again by itself and its calls work.
   */
  @Test
  @Order(2)
  void killMinus9WithCallsInFlightThenRestartAndTheClientReconnects() throws Exception {
    JsonRpcClient client = newClient(Duration.ofSeconds(2));
    SpdkLvolStore store = SpdkLvolStore.builder(client).lvstoreName("lvs1").build();
    ReplicaRegistry registry = closing(ReplicaRegistry.builder(store)
        .operationTimeout(Duration.ofSeconds(2)).build());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<ReplicaException> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      workers.add(pool.submit(() -> {
        for (int i = 0; !stop.get(); i++) {
          try {
            registry.create("k" + thread + "-" + i, MIB);
            ok.incrementAndGet();
          } catch (ReplicaStoreException e) {
            failures.add(e);
          } catch (RuntimeException e) {
            unexpected.add(e);
          }
        }
      }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ok.get() < 8 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long killed = SPDK.pid();
    SPDK.kill9();
    assertFalse(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false));
    Thread.sleep(300); // calls go on against the dead socket
    stop.set(true);
    for (Future<?> w : workers) {
      w.get(60, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), List.copyOf(unexpected));
    assertFalse(failures.isEmpty(), "no create failed after the kill");
    for (ReplicaException e : failures) {
      assertFalse(((ReplicaStoreException) e).getCause().outcomeKnown(), e::toString);
    }
    JsonRpcException down = org.junit.jupiter.api.Assertions.assertThrows(
        JsonRpcException.class, () -> client.call("spdk_get_version", null));
    assertEquals(JsonRpcException.Kind.UNAVAILABLE, down.kind());
    long before = client.connectionsOpened();

    SPDK.start(); // a fresh target: everything was in RAM
    assertNotEquals(killed, SPDK.pid());
    setUp();
    // the same client, no new one: the next call connects again
    assertEquals("SPDK v26.05", client.call("spdk_get_version", null).path("version").asText());
    assertTrue(client.connectionsOpened() > before);
    store.listLvols();
    Lvol lvol = store.createLvol("after-restart", MIB);
    assertEquals(store.lvstore().uuid(), lvol.lvstore());
    store.deleteLvol("after-restart");
    System.out.printf("kill -9: %d creates before, %d failed as outcome unknown%n", ok.get(),
        failures.size());
  }

  /**
   * A persistent lvol store (on an AIO bdev over a file) survives {@code kill -9}: the target is
   * restarted and the AIO bdev made again, so SPDK examines the file and loads the lvol store
   * while verify rounds run every 10 ms. No round may mark a replica {@code ERROR} (the lvol
   * store is missing, then half loaded, then loaded); afterwards every replica is as before.
   */
  @Test
  @Order(3)
  void aPersistentLvstoreReloadedAfterKillMinus9MarksNoReplicaError() throws Exception {
    Path file = SPDK.dir().resolve("aio.img");
    Files.deleteIfExists(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(64 * MIB);
    }
    Map<String, Object> aio = Map.of("name", "Aio0", "filename", file.toString(),
        "block_size", 4096);
    SPDK.client().call("bdev_aio_create", aio);
    SPDK.lvstore("Aio0", "lvsp", 1 << 20, 400);
    JsonRpcClient client = newClient(Duration.ofSeconds(5));
    SpdkLvolStore store = SpdkLvolStore.builder(client).lvstoreName("lvsp").build();
    List<VerifyReport> reports = new CopyOnWriteArrayList<>();
    List<ReplicaStoreException> loopFailures = new CopyOnWriteArrayList<>();
    ReplicaRegistry registry = closing(ReplicaRegistry.builder(store)
        .verifyEvery(Duration.ofMillis(10))
        .onVerify(reports::add)
        .onVerifyFailure(loopFailures::add)
        .build());
    for (int i = 0; i < 8; i++) {
      registry.create("p" + i, MIB);
    }
    registry.verify();
    registry.verify();
    List<Replica> before = registry.list();
    assertEquals(8, before.size());

    SPDK.kill9();
    Thread.sleep(100); // rounds fail while the target is down
    SPDK.start();
    int roundsBeforeAio = reports.size();
    Thread.sleep(100); // rounds see a target without the lvol store
    SPDK.client().call("bdev_aio_create", aio); // examine loads lvsp and opens its lvols
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (reports.size() > roundsBeforeAio + 5 && reports.get(reports.size() - 1).listingComplete()) {
        break;
      }
      Thread.sleep(20);
    }
    registry.verify();
    VerifyReport last = registry.verify();
    assertTrue(last.listingComplete(), last::toString);
    assertEquals(before, registry.list());
    for (VerifyReport report : reports) {
      assertTrue(report.changes().stream()
          .noneMatch(c -> c.kind() == VerifyReport.ChangeKind.MARKED_ERROR), report::toString);
    }
    long incomplete = reports.stream().filter(r -> !r.listingComplete()).count();
    assertTrue(incomplete > 0, "no round ran while the lvol store was missing");
    System.out.printf("persistent restart: %d rounds (%d without the lvol store listed in full),"
        + " %d failed while the target was down%n", reports.size(), incomplete,
        loopFailures.size());
    for (Replica r : before) {
      registry.delete(r.name());
    }
  }
}
