package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStateException;
import dev.replicalifecycle.registry.property.SnapshotScenario;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolHasClonesException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.StoreRejectedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Snapshots, clones, renames and the registry's snapshot, start and rebuild operations against a
 * real {@code spdk_tgt} (v26.05), and the ported upstream snapshot/rebuild scenario ({@link
 * SnapshotScenario}) with V4. Skipped without the SPDK package (see {@link RealSpdk}).
 *
 * <p>Setup: Malloc0 (64 MiB) with lvol store {@code lvs0}, 1 MiB clusters and 400 metadata pages
 * per cluster ratio, so that the scenario's many thin lvols and snapshots fit.
 */
@Timeout(300)
class RealSpdkSnapshotTest {

  @RegisterExtension static final RealSpdk SPDK = new RealSpdk(RealSpdkSnapshotTest::setUp);

  private static final long MIB = 1 << 20;
  private static SpdkLvolStore store;

  private static void setUp(RealSpdk spdk) throws Exception {
    spdk.mallocBdev("Malloc0", 64);
    spdk.lvstore("Malloc0", "lvs0", 1 << 20, 400);
    store = SpdkLvolStore.builder(spdk.client()).lvstoreName("lvs0").build();
  }

  private static Map<String, Lvol> lvols(String prefix) throws Exception {
    return store.listLvols().lvols().stream()
        .filter(l -> l.name().startsWith(prefix))
        .collect(Collectors.toMap(Lvol::name, l -> l));
  }

  private static ReplicaRegistry registry() {
    return ReplicaRegistry.builder(store).retryDelay(Duration.ofMillis(5)).build();
  }

  @Test
  void snapshotCloneRenameAndTheirAnswers() throws Exception {
    Lvol head = store.createLvol("st", MIB);
    Lvol s1 = store.snapshotLvol("st", "st-snap-1");
    assertEquals(LvolKind.SNAPSHOT, s1.kind());
    assertEquals(null, s1.parent());
    Lvol s2 = store.snapshotLvol("st", "st-snap-2");
    assertEquals("st-snap-1", s2.parent());
    Map<String, Lvol> l = lvols("st");
    assertEquals("st-snap-2", l.get("st").parent());
    assertEquals(head.uuid(), l.get("st").uuid(), "the head keeps its UUID");

    // -32602 "File exists", -19, -32602 "Invalid argument" (a snapshot of a snapshot)
    assertThrows(LvolAlreadyExistsException.class, () -> store.snapshotLvol("st", "st-snap-1"));
    assertThrows(LvolNotFoundException.class, () -> store.snapshotLvol("nope", "nope-snap-1"));
    StoreRejectedException ofSnapshot =
        assertThrows(StoreRejectedException.class, () -> store.snapshotLvol("st-snap-1", "st-snap-x"));
    assertEquals(-32602, ofSnapshot.code());

    // a clone: of a snapshot only; -32602 "File exists"; -19
    Lvol clone = store.cloneSnapshot("st-snap-1", "st2");
    assertEquals("st-snap-1", clone.parent());
    assertThrows(LvolAlreadyExistsException.class, () -> store.cloneSnapshot("st-snap-1", "st2"));
    assertThrows(LvolNotFoundException.class, () -> store.cloneSnapshot("nope", "x1"));
    assertEquals(-32602,
        assertThrows(StoreRejectedException.class, () -> store.cloneSnapshot("st", "x2")).code());

    // st-snap-1 has two clones now (st-snap-2 and st2): -32603 "Operation not permitted"
    LvolHasClonesException two = assertThrows(LvolHasClonesException.class, () -> store.deleteLvol("st-snap-1"));
    assertEquals(-32603, two.code());
    // one clone: allowed, the clone takes its parent
    store.deleteLvol("st-snap-2");
    assertEquals("st-snap-1", lvols("st").get("st").parent());

    // rename: -32602 "File exists", -19, a snapshot refused; UUID kept
    Lvol renamed = store.renameLvol("st2", "st3");
    assertEquals(clone.uuid(), renamed.uuid());
    assertEquals("st-snap-1", renamed.parent());
    assertThrows(LvolAlreadyExistsException.class, () -> store.renameLvol("st3", "st"));
    assertThrows(LvolNotFoundException.class, () -> store.renameLvol("nope", "x3"));
    assertEquals(-32602,
        assertThrows(StoreRejectedException.class, () -> store.renameLvol("st-snap-1", "st-snap-9")).code());

    store.deleteLvol("st3");
    store.deleteLvol("st");
    store.deleteLvol("st-snap-1");
    assertTrue(lvols("st").isEmpty());
  }

  @Test
  void registrySnapshotsRestartStartAndRebuild() throws Exception {
    ReplicaRegistry r = registry();
    r.create("rg", MIB);
    r.snapshot("rg", "a");
    r.snapshot("rg", "b");
    assertEquals(List.of("b"), r.deleteSnapshot("rg", "a").snapshots());
    r.snapshot("rg", "c");
    store.cloneSnapshot("rg-snap-c", "rg-other");
    assertThrows(ReplicaStateException.class, () -> r.deleteSnapshot("rg", "c"), "two clones");
    store.deleteLvol("rg-other");
    r.close();

    ReplicaRegistry after = registry(); // a restart
    after.verify();
    Replica adopted = after.get("rg").orElseThrow();
    assertEquals(ReplicaState.STOPPED, adopted.state());
    assertEquals(List.of("b", "c"), adopted.snapshots());
    Replica started = after.start("rg");
    assertEquals(ReplicaState.RUNNING, started.state());
    assertEquals(List.of("b", "c"), started.snapshots());

    Replica b = after.beginRebuild("rg2", MIB);
    assertEquals(ReplicaState.REBUILDING, b.state());
    after.snapshot("rg2", "b");
    after.snapshot("rg2", "c");
    assertTrue(after.verify().changes().isEmpty());
    Replica done = after.finishRebuild("rg2");
    assertEquals(ReplicaState.RUNNING, done.state());
    assertEquals(List.of("b", "c"), done.snapshots());
    assertEquals(b.lvolUuid(), done.lvolUuid());
    assertEquals("rg2-snap-c", lvols("rg2").get("rg2").parent());

    after.beginRebuild("rg3", MIB);
    after.snapshot("rg3", "b");
    after.abortRebuild("rg3");
    after.delete("rg");
    after.delete("rg2");
    assertTrue(lvols("rg").isEmpty(), lvols("rg").keySet().toString());
    after.close();
  }

  @Test
  void theUpstreamSnapshotScenarioPassesWithV4() throws Exception {
    int threads = Integer.getInteger("scenario.spdkThreads", 4);
    ReplicaRegistry r = ReplicaRegistry.builder(store).retryDelay(Duration.ofMillis(5)).build();
    SnapshotScenario.Outcome o;
    try {
      o = new SnapshotScenario(MIB).run(r, store, threads, "sc");
    } finally {
      r.close();
    }
    System.out.printf(
        "snapshot scenario V4 on spdk_tgt: %s (%d threads, %d operations, %d verify rounds, %d failed"
            + " checks, %d exceptions, %d lvols left)%s%n",
        o.failed() ? "FAILED" : "passed", o.threads(), o.operations(), o.rounds(), o.checksFailed(),
        o.exceptions(), o.leftLvols(), o.samples().isEmpty() ? "" : " " + o.samples());
    assertFalse(o.failed(), o.toString());
    assertTrue(o.rounds() > 0, "verify ran meanwhile");
  }
}
