package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.variants.Variant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An open divergence between the spec and the library, kept executable: it passes while the
 * divergence exists and fails (saying so) once it is resolved, so that this test is then turned
 * into an ordinary replay. See conformance/README.md, "Divergences", item 5.
 *
 * <p>The spec's {@code DeleteLvol} deletes the head and the {@code -rebuilding} lvol in one
 * atomic step; the library makes two store calls. After an applied timeout on the head the
 * rebuilding lvol stays. A restart forgets the error entry, a new create of the name succeeds,
 * and when the new head is lost, verify keeps the replica (its name still has an lvol {@code
 * n-*}) where the spec marks it error.
 */
class KnownDivergenceTest {

  static final List<SpecStep> BEHAVIOUR = List.of(
      new SpecStep("CreateReserve", "c1", "n1", "ok"),
      new SpecStep("CreateLvol", "c1", "n1", "ok"),
      new SpecStep("CreateExpose", "c1", "n1", "ok"),
      new SpecStep("CreatePublish", "c1", "n1", "running"),
      new SpecStep("RebuildStart", "engine", "n1", "ok"),
      new SpecStep("DeleteMark", "c1", "n1", "found"),
      new SpecStep("DeleteLvol", "c1", "n1", "timeout-applied"),
      new SpecStep("DeleteRemove", "c1", "n1", "error"),
      new SpecStep("Restart", "env", null, "ok"),
      new SpecStep("CreateReserve", "c1", "n1", "ok"),
      new SpecStep("CreateLvol", "c1", "n1", "ok"),
      new SpecStep("CreateExpose", "c1", "n1", "ok"),
      new SpecStep("CreatePublish", "c1", "n1", "running"),
      new SpecStep("LoseLvol", "env", "n1", "ok"),
      new SpecStep("VerifyStart", "verify", null, "ok"),
      new SpecStep("VerifyList", "verify", null, "ok"),
      new SpecStep("VerifyApply", "verify", "n1", "error"));

  @Test
  void aPartlyAppliedDeleteLeavesARebuildingLvolThatHidesALaterLoss() {
    Replayer.Config cfg = new Replayer.Config(Variant.V4, null, true, true, 1, Replayer.Mode.FAITHFUL);
    try (Replayer r = new Replayer(cfg, Set.of("n1"))) {
      Replayer.Divergence d = assertThrows(Replayer.Divergence.class, () -> {
        for (int i = 0; i < BEHAVIOUR.size(); i++) {
          r.apply(i + 1, BEHAVIOUR.get(i));
        }
      }, "the divergence is resolved: make this an ordinary replay and update the README");
      assertEquals(BEHAVIOUR.size(), d.index, "diverges only at the last step: " + d.getMessage());
      assertTrue(d.getMessage().contains("Java's outcome is keep"), d.getMessage());
      assertTrue(r.store().contains("n1-rebuilding"), "the leftover rebuilding lvol");
    }
  }
}
