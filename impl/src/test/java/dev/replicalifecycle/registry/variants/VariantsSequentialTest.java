package dev.replicalifecycle.registry.variants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each variant run one operation at a time: the spec's V0..V3 branches, step by step, with the
 * spec's action names and outcome words.
 */
class VariantsSequentialTest {
  private static final long SIZE = 1 << 20;

  private final InMemoryLvolStore store = new InMemoryLvolStore();
  private final List<String> steps = new ArrayList<>();
  private final StepListener recorder =
      new StepListener() {
        @Override
        public void afterStep(Step s) {
          steps.add(s.action() + (s.name() == null ? "" : " " + s.name()) + " " + s.outcome());
        }
      };

  private List<String> take() {
    List<String> out = List.copyOf(steps);
    steps.clear();
    return out;
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"V0", "V1", "V2", "V3"})
  void createGetDeleteWithTheSpecsSteps(Variant v) {
    ReplicaRegistry reg = Variants.open(v, store, recorder);
    Replica r = reg.create("r1", SIZE);
    assertEquals(ReplicaState.RUNNING, r.state());
    assertEquals(r, reg.get("r1").orElseThrow());
    assertEquals(List.of(r), reg.list());
    assertEquals(
        List.of(
            "CreateReserve r1 ok",
            "CreateLvol r1 ok",
            "CreateExpose r1 ok",
            "CreatePublish r1 running"),
        take());
    assertEquals(1, Variants.introspect(reg).liveObjects("r1"));

    assertThrows(ReplicaAlreadyExistsException.class, () -> reg.create("r1", SIZE));
    assertEquals(List.of("CreateReserve r1 exists"), take());

    reg.delete("r1");
    assertEquals(List.of("DeleteMark r1 found", "DeleteRlvol r1 notfound", "DeleteLvol r1 ok",
        "DeleteRemove r1 removed"), take());
    assertTrue(reg.get("r1").isEmpty());
    assertFalse(store.contains("r1"));
    assertEquals(0, Variants.introspect(reg).liveObjects("r1"));

    long deletes = store.calls(Call.DELETE);
    reg.delete("r1");
    assertEquals(List.of("DeleteMark r1 absent"), take());
    assertEquals(deletes, store.calls(Call.DELETE), "absent name: no store call");
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"V0", "V1", "V2", "V3"})
  void aFailedCreateReturnsTheReplicaInError(Variant v) {
    ReplicaRegistry reg = Variants.open(v, store, recorder);
    store.failNext(Call.CREATE, 1, Fault.REJECT);
    Replica r = reg.create("r1", SIZE);
    assertEquals(ReplicaState.ERROR, r.state());
    assertEquals(
        List.of("CreateReserve r1 ok", "CreateLvol r1 fail", "CreatePublish r1 error"), take());
    assertEquals(ReplicaState.ERROR, reg.get("r1").orElseThrow().state(), "published in error");
    store.failNext(Call.CREATE, 1, Fault.TIMEOUT_AFTER_APPLY);
    reg.delete("r1");
    take();
    assertEquals(ReplicaState.ERROR, reg.create("r1", SIZE).state());
    assertEquals(
        List.of("CreateReserve r1 ok", "CreateLvol r1 timeout", "CreatePublish r1 error"), take());
    assertTrue(store.contains("r1"), "applied before the timeout; nothing rolls it back");
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"V0", "V1", "V2", "V3"})
  void createReusesAnExistingHeadLvol(Variant v) {
    ReplicaRegistry reg = Variants.open(v, store, recorder);
    String uuid = store.putLvol("r1", SIZE).uuid();
    Replica r = reg.create("r1", SIZE);
    assertEquals(ReplicaState.RUNNING, r.state());
    assertEquals(uuid, r.lvolUuid());
    assertEquals("CreateLvol r1 ok", take().get(1));
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"V0", "V1", "V2", "V3"})
  void verifyPrunesKeepsByPrefixAndAdopts(Variant v) {
    ReplicaRegistry reg = Variants.open(v, store, recorder);
    reg.create("gone", SIZE);
    reg.create("rebuilt", SIZE);
    reg.create("snapped", SIZE);
    reg.create("kept", SIZE);
    store.loseLvol("gone");
    store.putLvol("rebuilt-rebuilding", SIZE);
    store.loseLvol("rebuilt");
    store.putLvol("snapped-snap-1", SIZE);
    store.loseLvol("snapped");
    String orphanUuid = store.putLvol("orphan", 7).uuid();
    take();

    VerifyReport report = reg.verify();
    assertEquals(List.of("VerifyStart ok", "VerifyList ok", "VerifyApply installed"), take());
    assertTrue(reg.get("gone").isEmpty(), "no lvol named gone or gone-*: pruned");
    // kept by the prefix rule, then marked ERROR by upstream's validateAndUpdate: no head
    assertEquals(ReplicaState.ERROR, reg.get("rebuilt").orElseThrow().state());
    assertEquals(ReplicaState.ERROR, reg.get("snapped").orElseThrow().state());
    assertEquals(ReplicaState.RUNNING, reg.get("kept").orElseThrow().state());
    Replica adopted = reg.get("orphan").orElseThrow();
    assertEquals(new Replica("orphan", ReplicaState.STOPPED, orphanUuid, 7, null), adopted);
    assertEquals(
        List.of(new VerifyReport.Change("orphan", VerifyReport.ChangeKind.ADOPTED, adopted),
            new VerifyReport.Change("rebuilt", VerifyReport.ChangeKind.MARKED_ERROR, reg.get("rebuilt").orElseThrow()),
            new VerifyReport.Change("snapped", VerifyReport.ChangeKind.MARKED_ERROR, reg.get("snapped").orElseThrow())),
        report.changes());
    HistoricalRegistry.RoundResult round = ((HistoricalRegistry) reg).lastRound();
    assertEquals(java.util.Set.of("gone"), round.removed());
    assertEquals(java.util.Set.of("orphan"), round.adopted());
    assertEquals(1, Variants.introspect(reg).liveObjects("orphan"));
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"V0", "V1", "V2", "V3"})
  void aFailedDeleteLeavesTheReplicaInError(Variant v) {
    ReplicaRegistry reg = Variants.open(v, store, recorder);
    reg.create("r1", SIZE);
    take();
    store.failNext(Call.DELETE, 1, Fault.UNAVAILABLE);
    assertThrows(ReplicaStoreException.class, () -> reg.delete("r1"));
    assertEquals(
        List.of("DeleteMark r1 found", "DeleteRlvol r1 timeout", "DeleteRemove r1 error"), take());
    assertEquals(ReplicaState.ERROR, reg.get("r1").orElseThrow().state());
    assertEquals(0, Variants.introspect(reg).liveObjects().stream().filter(o -> o.exposed()).count(),
        "DeleteRlvol stops the exposure whatever the store says");
    reg.delete("r1");
    assertTrue(reg.get("r1").isEmpty());
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"V0", "V1", "V2", "V3"})
  void deleteAlsoDeletesARebuildingLvol(Variant v) {
    ReplicaRegistry reg = Variants.open(v, store, null);
    reg.create("r1", SIZE);
    store.putLvol("r1-rebuilding", SIZE);
    reg.delete("r1");
    assertTrue(store.lvols().isEmpty());
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"V0", "V1", "V2", "V3"})
  void listingFailureChangesNothing(Variant v) {
    ReplicaRegistry reg = Variants.open(v, store, recorder);
    reg.create("r1", SIZE);
    store.loseLvol("r1");
    take();
    store.failNext(Call.LIST, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, reg::verify);
    assertEquals(List.of("VerifyStart ok", "VerifyList fail"), take());
    assertTrue(reg.get("r1").isPresent());
    reg.create("r2", SIZE); // S was released
  }

  @org.junit.jupiter.api.Test
  void v3CountsPublishesRemovalsAndAbsentDeletesOnly() {
    HistoricalRegistry reg = (HistoricalRegistry) Variants.open(Variant.V3, store, null);
    reg.create("r1", SIZE);
    assertEquals(1, reg.generation());
    reg.delete("r1");
    assertEquals(2, reg.generation());
    reg.delete("r1");
    assertEquals(3, reg.generation(), "delete of an absent name bumps too");
    reg.create("r1", SIZE);
    store.failNext(Call.DELETE, 1, Fault.REJECT);
    assertThrows(ReplicaStoreException.class, () -> reg.delete("r1"));
    assertEquals(4, reg.generation(), "a failed delete does not");
    reg.verify();
    assertEquals(4, reg.generation(), "nor does a round");
    assertEquals("installed", reg.lastRound().outcome());
  }

  @org.junit.jupiter.api.Test
  void v0PendingEntryShowsAsCreating() {
    StepScheduler s = new StepScheduler();
    ReplicaRegistry reg = Variants.open(Variant.V0, store, s);
    s.start("create", () -> reg.create("r1", SIZE));
    s.step("create");
    Replica pending = reg.get("r1").orElseThrow();
    assertEquals(ReplicaState.CREATING, pending.state());
    assertNull(pending.lvolUuid());
    Introspectable.LiveObject o = Variants.introspect(reg).liveObjects().get(0);
    assertTrue(o.inMap() && o.createInFlight() && !o.exposed());
    s.finish("create");
    ReplicaRegistry v1 = Variants.open(Variant.V1, new InMemoryLvolStore(), s);
    s.start("create1", () -> v1.create("r1", SIZE));
    s.step("create1");
    assertTrue(v1.get("r1").isEmpty(), "V1 inserts nothing before the publish");
    s.finish("create1");
  }

  @org.junit.jupiter.api.Test
  void v4AdapterTracksObjectsFromSteps() {
    ReplicaRegistry reg = Variants.open(Variant.V4, store, recorder);
    Introspectable in = Variants.introspect(reg);
    assertEquals(Variant.V4, in.variant());
    reg.create("r1", SIZE);
    List<Introspectable.LiveObject> live = in.liveObjects();
    assertEquals(1, live.size());
    assertTrue(live.get(0).inMap() && live.get(0).exposed() && !live.get(0).createInFlight());
    assertEquals(
        List.of(
            "CreateReserve r1 ok",
            "CreateLvol r1 ok",
            "CreateExpose r1 ok",
            "CreatePublish r1 running"),
        take());
    reg.delete("r1");
    assertEquals(0, in.liveObjects("r1"));
    store.putLvol("orphan", 1);
    reg.verify();
    assertEquals(List.of(new Introspectable.LiveObject("orphan", 2, true, true, false, false, ReplicaState.STOPPED)),
        in.liveObjects());
  }
}
