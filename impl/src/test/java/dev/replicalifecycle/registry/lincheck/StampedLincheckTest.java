package dev.replicalifecycle.registry.lincheck;

import static dev.replicalifecycle.registry.lincheck.LincheckSupport.scenario;
import static dev.replicalifecycle.registry.lincheck.LincheckSupport.timed;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.variants.Variant;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.Options;
import org.junit.jupiter.api.Test;

/**
 * V4 (the library's registry) against the sequential model, in stress and model-checking mode.
 *
 * <h2>What is claimed</h2>
 *
 * <ul>
 *   <li>{@link CreateGetVerifyV4}: create, get and verify of one replica are linearizable, and a
 *       round never changes anything visible when no lvol is lost, however it interleaves with
 *       a create (NoDeleteWhileCreating, CreatedStaysVisible; a second create of the name fails).
 *   <li>{@link LossUnderChurnV4}: a round that runs after a loss (in the same thread) marks the
 *       replica error, while another replica is created and deleted concurrently; those creates
 *       and deletes stay linearizable alongside the rounds.
 * </ul>
 *
 * <h2>What is not claimed, and why</h2>
 *
 * <ul>
 *   <li>A round is not one atomic operation: it lists at one time and decides per name later,
 *       skipping names that changed since its stamp or have an operation in flight. So a loss
 *       that runs concurrently with a round, or a delete or create of the lost name that
 *       overlaps the round (the round skips the name, where an atomic round would have marked it
 *       error), or a round that changes two names, are not linearizable against an atomic
 *       verify, by design. The tests keep losses, and every operation on the lost replica, in
 *       the thread that runs the rounds (non-parallel group {@code r1}).
 *   <li>Create and delete of the same name in parallel ({@link ClientOpsV4}) were not
 *       linearizable in a first version of {@code StampedRegistry}: a delete of a name with no
 *       entry reserved the name as a visible {@code DELETING} replica, so a concurrent create
 *       failed with AlreadyExists and a concurrent get saw a replica, though the name is absent
 *       in every sequential order. Model checking found it; now create waits for a delete in
 *       flight and the reservation of an absent name is not shown by get/list.
 * </ul>
 *
 * <p>Budgets: see {@link LincheckSupport}.
 */
public class StampedLincheckTest {

  /** create, get, verify on V4. */
  public static class CreateGetVerifyV4 extends RegistryOperations.CreateGetVerify {
    public CreateGetVerifyV4() {
      super(Variant.V4);
    }
  }

  /** create, delete, get, verify on V4. */
  public static class ClientOpsV4 extends RegistryOperations.ClientOps {
    public ClientOpsV4() {
      super(Variant.V4);
    }
  }

  /** The fault-model operations on V4 as production builds it (no step listener). */
  public static class FaultModelV4 extends RegistryOperations.FaultModel {
    public FaultModelV4() {
      super(Variant.V4, false);
    }
  }

  /** Partial listings on V4 with a step listener (its verify then sorts its names). */
  public static class PartialListingsV4Listened extends RegistryOperations.PartialListings {
    public PartialListingsV4Listened() {
      super(Variant.V4, true);
    }
  }

  /** Loss of r1 and rounds in one thread, churn on r2 in the other, on V4. */
  public static class LossUnderChurnV4 extends RegistryOperations.LossUnderChurn {
    public LossUnderChurnV4() {
      super(Variant.V4);
    }
  }

  /** Snapshots of one replica on V4 as production builds it. */
  public static class ChainsV4 extends RegistryOperations.Chains {
    public ChainsV4() {
      super(Variant.V4, false);
    }
  }

  // Two snapshots in parallel while a round runs, then the chain.
  private static final ExecutionScenario PARALLEL_SNAPSHOTS =
      scenario(
          ChainsV4.class,
          List.of("create"),
          List.of(List.of("snapshot1", "chain"), List.of("snapshot2", "verify")),
          List.of("chain"));

  @Test
  void chainsStress() {
    timed("V4 snapshots, stress",
        LincheckSupport.stress().addCustomScenario(PARALLEL_SNAPSHOTS), ChainsV4.class);
  }

  @Test
  void chainsModelChecking() {
    // half the generated scenarios of the other checks: each explores seven operations with
    // their settle loops (65 s at the full budget on 2 cores)
    timed("V4 snapshots, model checking",
        LincheckSupport.modelChecking()
            .iterations(Math.max(1, LincheckSupport.iterations() / 2))
            .addCustomScenario(PARALLEL_SNAPSHOTS),
        ChainsV4.class);
  }

  public static class RebuildsV4 extends RegistryOperations.Rebuilds {
    public RebuildsV4() {
      super(Variant.V4, false);
    }
  }

  // A rebuild begun; a snapshot of it and its finish in parallel with a round and a look.
  private static final ExecutionScenario REBUILD_UNDER_VERIFY =
      scenario(
          RebuildsV4.class,
          List.of("beginRebuild"),
          List.of(List.of("snapshotB", "finishRebuild"), List.of("verify", "chainB")),
          List.of("chainB"));

  @Test
  void rebuildsStress() {
    timed("V4 rebuilds, stress",
        LincheckSupport.stress().addCustomScenario(REBUILD_UNDER_VERIFY), RebuildsV4.class);
  }

  @Test
  void rebuildsModelChecking() {
    // a quarter of the generated scenarios of the create/delete checks (CI's time budget)
    timed("V4 rebuilds, model checking",
        LincheckSupport.modelChecking()
            .iterations(Math.max(1, LincheckSupport.iterations() / 4))
            .addCustomScenario(REBUILD_UNDER_VERIFY),
        RebuildsV4.class);
  }

  // The races of V0 and V1, as custom scenarios: V4 must pass them.
  private static final List<ExecutionScenario> CREATE_RACES =
      List.of(
          scenario(
              CreateGetVerifyV4.class,
              List.of(),
              List.of(List.of("create", "get"), List.of("verify", "get")),
              List.of("get")),
          scenario(
              CreateGetVerifyV4.class,
              List.of(),
              List.of(List.of("create", "get"), List.of("create", "verify")),
              List.of("get")));

  // V3's no-progress schedule: churn on r2 during the round after r1's loss.
  private static final ExecutionScenario LOSS_UNDER_CHURN =
      scenario(
          LossUnderChurnV4.class,
          List.of("create", "createB"),
          List.of(List.of("loseLvol", "verify", "healthy"), List.of("deleteB", "createB")),
          List.of("get"));

  // V2's lost update: delete and re-create inside a round.
  private static final ExecutionScenario LOST_UPDATE =
      scenario(
          ClientOpsV4.class,
          List.of("create"),
          List.of(List.of("verify"), List.of("delete", "create")),
          List.of("get"));

  @Test
  void createGetVerifyStress() {
    timed("V4 create/get/verify, stress", withAll(LincheckSupport.stress(), CREATE_RACES), CreateGetVerifyV4.class);
  }

  @Test
  void createGetVerifyModelChecking() {
    timed(
        "V4 create/get/verify, model checking",
        withAll(LincheckSupport.modelChecking(), CREATE_RACES),
        CreateGetVerifyV4.class);
  }

  @Test
  void lossUnderChurnStress() {
    timed(
        "V4 loss under churn, stress",
        LincheckSupport.stress().addCustomScenario(LOSS_UNDER_CHURN),
        LossUnderChurnV4.class);
  }

  @Test
  void lossUnderChurnModelChecking() {
    timed(
        "V4 loss under churn, model checking",
        LincheckSupport.modelChecking().addCustomScenario(LOSS_UNDER_CHURN),
        LossUnderChurnV4.class);
  }

  @Test
  void clientOpsStress() {
    timed(
        "V4 create/delete/get/verify, stress",
        withAll(LincheckSupport.stress(), List.of(LOST_UPDATE)),
        ClientOpsV4.class);
  }

  /**
   * create/delete/get/verify with partial listings, with a step listener (model checking); the
   * same operations without the partial listings and without a listener run in stress mode.
   */
  @Test
  void clientOpsModelChecking() {
    timed(
        "V4 create/delete/get/verify and partial listings, listener, model checking",
        withAll(LincheckSupport.modelChecking(), List.of(LOST_UPDATE_LISTENED, PARTIAL_LISTING)),
        PartialListingsV4Listened.class);
  }

  // A create whose call lands late, racing a delete and a round whose listing misses the store.
  private static final ExecutionScenario LATE_CREATE =
      scenario(
          FaultModelV4.class,
          List.of("lateNextCreate"),
          List.of(List.of("create", "get"), List.of("delete"), List.of("hideNextListing", "verify")),
          List.of("get"));
  private static final ExecutionScenario LOST_UPDATE_LISTENED =
      scenario(
          PartialListingsV4Listened.class,
          List.of("create"),
          List.of(List.of("verify"), List.of("delete", "create")),
          List.of("get"));
  private static final ExecutionScenario PARTIAL_LISTING =
      scenario(
          PartialListingsV4Listened.class,
          List.of("create", "hideNextListing"),
          List.of(List.of("verify", "get"), List.of("delete", "create")),
          List.of("get"));

  /** SPDK's faults, on the production path (no listener), stress mode. */
  @Test
  void faultModelStress() {
    timed("V4 late-landing create and partial listing, no listener, stress",
        LincheckSupport.stress().addCustomScenario(LATE_CREATE), FaultModelV4.class);
  }

  /** V2's lost update schedule alone: V4 passes it (the round skips the changed name). */
  @Test
  void lostUpdateScheduleIsLinearizable() {
    timed(
        "V4 on V2's lost-update schedule, model checking",
        LincheckSupport.customOnlyPassing().addCustomScenario(LOST_UPDATE),
        ClientOpsV4.class);
  }

  private static <O extends Options<O, ?>> O withAll(O options, List<ExecutionScenario> scenarios) {
    for (ExecutionScenario s : scenarios) {
      options.addCustomScenario(s);
    }
    return options;
  }

}
