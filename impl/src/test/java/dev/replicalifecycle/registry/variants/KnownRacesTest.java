package dev.replicalifecycle.registry.variants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.store.InMemoryLvolStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The known bad interleaving of each historical variant, driven step by step with a {@link
 * StepScheduler}, and the same schedule on V4, where it is harmless. Each test names the spec
 * property the interleaving breaks.
 */
class KnownRacesTest {
  private static final long SIZE = 1 << 20;

  private final InMemoryLvolStore store = new InMemoryLvolStore();
  private final StepScheduler s = new StepScheduler();

  private ReplicaRegistry open(Variant v) {
    return Variants.open(v, store, s);
  }

  // ------------------------------------------------------------------ V0: deleted while creating

  /**
   * V0 (Longhorn 9953): create inserts its pending entry; a whole verify round runs before
   * CreateLvol, lists no lvol and prunes the entry (NoDeleteWhileCreating); the create then
   * returns running but get says NotFound (CreatedStaysVisible); the next round adopts the lvol
   * as a second object while the first is still exposed (OneObjectPerName).
   */
  @Test
  void v0PrunesAReplicaWhileItIsBeingCreated() {
    ReplicaRegistry reg = open(Variant.V0);
    Introspectable in = Variants.introspect(reg);
    s.start("create", () -> reg.create("r1", SIZE));
    assertEquals("ok", s.step("create").outcome()); // CreateReserve: pending entry
    assertEquals(ReplicaState.CREATING, reg.get("r1").orElseThrow().state());

    s.start("verify", reg::verify);
    s.finish("verify"); // VerifyStart, VerifyList (no lvol yet), VerifyApply: pruned
    assertTrue(reg.get("r1").isEmpty(), "NoDeleteWhileCreating broken: entry pruned");
    assertEquals(new StepScheduler.Parked(SpecAction.CreateLvol, "r1"), s.awaitParked("create"));

    Replica created = s.finish("create");
    assertEquals(ReplicaState.RUNNING, created.state(), "the create still says running");
    assertTrue(reg.get("r1").isEmpty(), "CreatedStaysVisible broken: ReplicaGet says NotFound");
    assertEquals(1, in.liveObjects("r1"), "the exposed orphan");

    reg.verify(); // re-adopts the lvol as a new stopped object
    assertEquals(ReplicaState.STOPPED, reg.get("r1").orElseThrow().state());
    assertEquals(2, in.liveObjects("r1"), "OneObjectPerName broken: " + in.liveObjects());
    assertEquals(List.of("r1"), in.twins());
  }

  @Test
  void v4KeepsAReplicaThatIsBeingCreated() {
    ReplicaRegistry reg = open(Variant.V4);
    Introspectable in = Variants.introspect(reg);
    s.start("create", () -> reg.create("r1", SIZE));
    assertEquals("ok", s.step("create").outcome()); // CreateReserve: reserved
    s.start("verify", reg::verify);
    VerifyReport report = s.finish("verify");
    assertEquals(ReplicaState.CREATING, reg.get("r1").orElseThrow().state());
    assertEquals(
        List.of(new VerifyReport.Skip("r1", VerifyReport.SkipReason.IN_FLIGHT)), report.skipped());
    assertEquals(ReplicaState.RUNNING, s.<Replica>finish("create").state());
    assertEquals(ReplicaState.RUNNING, reg.get("r1").orElseThrow().state());
    reg.verify();
    assertEquals(ReplicaState.RUNNING, reg.get("r1").orElseThrow().state());
    assertEquals(1, in.liveObjects("r1"));
  }

  // ------------------------------------------------------------------ V1: twins

  /**
   * V1: nothing reserves the name, so two creates of r1 both pass CreateReserve, both return
   * running (the second reuses the head lvol), and two objects are live: the first is exposed but
   * overwritten in the map by the second (OneObjectPerName).
   */
  @Test
  void v1TwoCreatesOfOneNameBothSucceed() {
    ReplicaRegistry reg = open(Variant.V1);
    Introspectable in = Variants.introspect(reg);
    s.start("c1", () -> reg.create("r1", SIZE));
    s.start("c2", () -> reg.create("r1", SIZE));
    assertEquals("ok", s.step("c1").outcome()); // CreateReserve
    assertEquals("ok", s.step("c2").outcome()); // CreateReserve: the name is not taken yet
    Replica first = s.finish("c1");
    Replica second = s.finish("c2");
    assertEquals(ReplicaState.RUNNING, first.state());
    assertEquals(ReplicaState.RUNNING, second.state());
    assertEquals(1, store.lvols().size(), "both use the one head lvol");
    assertEquals(2, in.liveObjects("r1"), "OneObjectPerName broken: " + in.liveObjects());
  }

  /**
   * V1: a delete that runs while a create is in flight finds nothing, says success, and the
   * create then publishes a running replica with its lvol (DeleteIsFinal).
   */
  @Test
  void v1DeleteDuringCreateIsUndone() {
    ReplicaRegistry reg = open(Variant.V1);
    s.start("create", () -> reg.create("r1", SIZE));
    s.runUntil("create", SpecAction.CreatePublish); // lvol made and exposed, not published
    reg.delete("r1"); // DeleteMark: absent -> success, no store call
    assertTrue(store.contains("r1"));
    s.finish("create");
    assertTrue(reg.get("r1").isPresent(), "DeleteIsFinal broken: the deleted name is back");
  }

  @Test
  void v4SecondCreateOfOneNameFailsAtOnce() {
    ReplicaRegistry reg = open(Variant.V4);
    Introspectable in = Variants.introspect(reg);
    s.start("c1", () -> reg.create("r1", SIZE));
    s.start("c2", () -> reg.create("r1", SIZE));
    assertEquals("ok", s.step("c1").outcome());
    assertEquals("exists", s.step("c2").outcome());
    assertInstanceOf(ReplicaAlreadyExistsException.class, s.finishExceptionally("c2"));
    assertEquals(ReplicaState.RUNNING, s.<Replica>finish("c1").state());
    assertEquals(1, in.liveObjects("r1"));
  }

  // ------------------------------------------------------------------ V2: lost update

  /**
   * V2 (Longhorn 13074), stale-install path: the round copies the map and lists r1; meanwhile r1
   * is deleted and created again; the round then installs its copy: the old object (whose lvol
   * is gone) replaces the new one, which stays exposed outside the map (OneObjectPerName).
   */
  @Test
  void v2ReinstatesADeletedObjectOverItsSuccessor() {
    ReplicaRegistry reg = open(Variant.V2);
    Introspectable in = Variants.introspect(reg);
    Replica old = reg.create("r1", SIZE);
    s.start("verify", reg::verify);
    s.step("verify"); // VerifyStart: copy
    s.step("verify"); // VerifyList: r1 listed
    reg.delete("r1");
    Replica fresh = reg.create("r1", SIZE);
    assertNotEquals(old.lvolUuid(), fresh.lvolUuid());
    s.finish("verify"); // VerifyApply: installs the copy
    Replica now = reg.get("r1").orElseThrow();
    assertEquals(old.lvolUuid(), now.lvolUuid(), "lost update: the deleted replica is back");
    assertEquals(2, in.liveObjects("r1"), "OneObjectPerName broken: " + in.liveObjects());
  }

  /**
   * V2, prune path: the listing runs after the delete and before the re-create, so the round
   * prunes r1 although its new create returned running (CreatedStaysVisible).
   */
  @Test
  void v2PrunesAReplicaCreatedDuringTheRound() {
    ReplicaRegistry reg = open(Variant.V2);
    reg.create("r1", SIZE);
    s.start("verify", reg::verify);
    s.step("verify"); // VerifyStart: copy has r1
    reg.delete("r1");
    s.step("verify"); // VerifyList: no r1
    assertEquals(ReplicaState.RUNNING, reg.create("r1", SIZE).state());
    s.finish("verify");
    assertTrue(reg.get("r1").isEmpty(), "CreatedStaysVisible broken: created replica pruned");
    assertTrue(store.contains("r1"));
  }

  /** V3 keeps CreatedStaysVisible on both V2 schedules: the round is skipped. */
  @Test
  void v3SkipsTheRoundInsteadOfLosingTheUpdate() {
    ReplicaRegistry reg = open(Variant.V3);
    reg.create("r1", SIZE);
    s.start("verify", reg::verify);
    s.step("verify");
    reg.delete("r1");
    s.step("verify");
    Replica fresh = reg.create("r1", SIZE);
    s.finish("verify");
    assertEquals(fresh, reg.get("r1").orElseThrow());
    assertEquals("skipped", ((HistoricalRegistry) reg).lastRound().outcome());
  }

  @Test
  void v4KeepsTheUpdateOnTheV2Schedules() {
    for (boolean listBeforeDelete : new boolean[] {true, false}) {
      InMemoryLvolStore st = new InMemoryLvolStore();
      StepScheduler sc = new StepScheduler();
      ReplicaRegistry reg = Variants.open(Variant.V4, st, sc);
      reg.create("r1", SIZE);
      sc.start("verify", reg::verify);
      sc.step("verify"); // VerifyStart: stamp
      if (listBeforeDelete) {
        sc.step("verify"); // VerifyList
      }
      reg.delete("r1");
      if (!listBeforeDelete) {
        sc.step("verify");
      }
      Replica fresh = reg.create("r1", SIZE);
      sc.finish("verify");
      assertEquals(fresh, reg.get("r1").orElseThrow());
      assertEquals(1, Variants.introspect(reg).liveObjects("r1"));
    }
  }

  // ------------------------------------------------------------------ V3: no progress under churn

  /**
   * V3: with a create or delete of another name between the start and the apply of every
   * round, every round is skipped, and r1, whose lvol is gone, is never detected
   * (LostLvolDetected). Without churn the next round prunes it.
   */
  @Test
  void v3NeverDetectsALostLvolUnderChurn() {
    ReplicaRegistry reg = open(Variant.V3);
    reg.create("r1", SIZE);
    store.loseLvol("r1");
    for (int round = 0; round < 5; round++) {
      String label = "verify" + round;
      s.start(label, reg::verify);
      s.step(label); // VerifyStart
      if (round % 2 == 0) {
        reg.create("churn", SIZE);
      } else {
        reg.delete("churn");
      }
      s.finish(label);
      assertEquals("skipped", ((HistoricalRegistry) reg).lastRound().outcome());
      assertEquals(ReplicaState.RUNNING, reg.get("r1").orElseThrow().state(), "undetected");
    }
    reg.verify(); // no churn: detected (upstream prunes the entry)
    assertTrue(reg.get("r1").isEmpty());
  }

  @Test
  void v4DetectsALostLvolUnderTheSameChurn() {
    ReplicaRegistry reg = open(Variant.V4);
    reg.create("r1", SIZE);
    store.loseLvol("r1");
    s.start("verify", reg::verify);
    s.step("verify"); // VerifyStart
    reg.create("churn", SIZE);
    VerifyReport report = s.finish("verify");
    assertEquals(ReplicaState.ERROR, reg.get("r1").orElseThrow().state());
    assertEquals(1, report.changes().size());
    assertFalse(report.skipped().isEmpty(), "churn is skipped, r1 is not");
  }
}
