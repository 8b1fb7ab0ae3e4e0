package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.variants.Variant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What was divergence 5 (conformance/README.md, "Divergences"), now an ordinary faithful replay.
 * The spec's {@code DeleteLvol} used to delete the head and the {@code -rebuilding} lvol in one
 * atomic step while the library made two store calls, head first: after an applied timeout on
 * the head the rebuilding lvol stayed, and after a restart and a new create of the name, verify
 * kept the replica whose new head was lost (its name still had an lvol {@code n-*}) where the
 * spec marked it error. The spec now has the library's two calls as two steps, rebuilding lvol
 * first ({@code DeleteRlvol}, then {@code DeleteLvol}, each retried by V4 until it settles), so
 * the behaviour below is one both take step by step.
 */
class SplitDeleteReplayTest {

  static final List<SpecStep> BEHAVIOUR = List.of(
      new SpecStep("CreateReserve", "c1", "n1", "ok"),
      new SpecStep("CreateLvol", "c1", "n1", "ok"),
      new SpecStep("CreateExpose", "c1", "n1", "ok"),
      new SpecStep("CreatePublish", "c1", "n1", "running"),
      new SpecStep("RebuildStart", "engine", "n1", "ok"),
      new SpecStep("DeleteMark", "c1", "n1", "found"),
      new SpecStep("DeleteRlvol", "c1", "n1", "ok"),
      new SpecStep("DeleteLvol", "c1", "n1", "timeout-applied"),
      new SpecStep("DeleteLvol", "c1", "n1", "notfound"),
      new SpecStep("DeleteRemove", "c1", "n1", "removed"),
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
  void anAppliedTimeoutOnTheHeadLeavesNoRebuildingLvolToHideALaterLoss() {
    Replayer.Config cfg = new Replayer.Config(Variant.V4, null, true, true, 1, Replayer.Mode.FAITHFUL);
    try (Replayer r = new Replayer(cfg, Set.of("n1"))) {
      for (int i = 0; i < BEHAVIOUR.size(); i++) {
        Replayer.StepResult res = r.apply(i + 1, BEHAVIOUR.get(i));
        assertTrue(res.violations().isEmpty(), "step " + (i + 1) + ": " + res.violations());
        if (i == 9) {
          assertFalse(r.store().contains("n1-rebuilding"), "the delete removed the rebuilding lvol first");
        }
      }
      assertEquals(ReplicaState.ERROR, r.subject().registry().get("n1").orElseThrow().state(),
          "the lost head is detected");
    }
  }
}
