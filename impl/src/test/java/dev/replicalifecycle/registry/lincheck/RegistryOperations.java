package dev.replicalifecycle.registry.lincheck;

import static dev.replicalifecycle.registry.lincheck.RegistrySequentialSpec.A;
import static dev.replicalifecycle.registry.lincheck.RegistrySequentialSpec.B;
import static dev.replicalifecycle.registry.lincheck.RegistrySequentialSpec.SIZE;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.variants.Variant;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * The operation sets Lincheck drives, each an abstract class whose subclasses pick the variant
 * (Lincheck builds a fresh instance, registry and store for every invocation). Results are
 * abstracted by {@link Outcomes}, the same way as in {@link RegistrySequentialSpec}.
 */
final class RegistryOperations {
  private RegistryOperations() {}

  /** A listener that does nothing: the registry then takes its with-listener paths. */
  static final StepListener QUIET = new StepListener() {};

  /** A registry of one variant over a fresh {@link AtomicLvolStore}. */
  abstract static class Base {
    final AtomicLvolStore store = new AtomicLvolStore();
    final ReplicaRegistry registry;

    Base(Variant variant) {
      this(variant, false);
    }

    /**
     * @param listened V4 only: with a step listener (that does nothing), so that verify takes the
     *     listener's path; without one, as production builds it
     */
    Base(Variant variant, boolean listened) {
      // V4 straight from the library's builder (no introspection adapter: less to trace).
      if (variant == Variant.V4) {
        ReplicaRegistry.Builder b = ReplicaRegistry.builder(store).retryDelay(java.time.Duration.ofNanos(1));
        registry = (listened ? b.stepListener(QUIET) : b).build();
      } else {
        registry = variant.open(store, null);
      }
    }

    String doCreate(String name) {
      return Outcomes.create(() -> registry.create(name, SIZE));
    }

    String doDelete(String name) {
      return Outcomes.delete(() -> registry.delete(name));
    }

    String doGet(String name) {
      return Outcomes.of(registry.get(name));
    }

    void doVerify() {
      try {
        registry.verify();
      } catch (ReplicaStoreException e) {
        throw new AssertionError("no failing store calls are injected here", e);
      }
    }
  }

  /**
   * Create, delete and verify of one replica, and two of SPDK's faults as operations of the
   * environment: a create that times out and lands later, a listing that misses the lvol store.
   * Claimed: with those faults, create, delete and verify stay linearizable against the model (a
   * create whose call lands late fails only once nothing of it is left, a delete waits for it; a
   * partial listing changes nothing), and a get sequential with the creates sees the model's
   * state. Not claimed: a get concurrent with a create that fails. While the create settles its
   * outcome the name shows {@code CREATING}, and a create that then fails has no sequential
   * counterpart in which the replica ever existed (the registry shows operations in flight, as
   * upstream shows {@code pending}; see {@code ReplicaRegistry}).
   */
  public abstract static class FaultModel extends Base {
    FaultModel(Variant variant, boolean listened) {
      super(variant, listened);
    }

    @Operation(nonParallelGroup = "create")
    public String create() {
      return doCreate(A);
    }

    @Operation(nonParallelGroup = "create")
    public String get() {
      return doGet(A);
    }

    @Operation(nonParallelGroup = "delete")
    public String delete() {
      return doDelete(A);
    }

    @Operation(nonParallelGroup = "verify")
    public void verify() {
      doVerify();
    }

    @Operation(nonParallelGroup = "verify")
    public void hideNextListing() {
      store.hideNextListing();
    }

    @Operation(nonParallelGroup = "env")
    public void lateNextCreate() {
      store.lateNextCreate();
    }
  }

  /**
   * {@link FaultModel} without the late-landing create (whose settle loop pauses with a timed
   * wait, which model checking takes for a livelock): partial listings only, all of create,
   * delete, get and verify free to run in parallel.
   */
  public abstract static class PartialListings extends Base {
    PartialListings(Variant variant, boolean listened) {
      super(variant, listened);
    }

    @Operation
    public String create() {
      return doCreate(A);
    }

    @Operation
    public String get() {
      return doGet(A);
    }

    @Operation
    public String delete() {
      return doDelete(A);
    }

    @Operation(nonParallelGroup = "verify")
    public void verify() {
      doVerify();
    }

    @Operation(nonParallelGroup = "verify")
    public void hideNextListing() {
      store.hideNextListing();
    }
  }

  /**
   * create, get and verify of one replica, free to run in parallel, except that rounds do not
   * overlap each other (group {@code verify}: one thread runs them all, as the periodic loop
   * does; concurrent {@code verify()} calls only queue on the round lock). No lvol is ever lost,
   * so the sequential model's verify changes nothing: a round must never be seen to change
   * anything (CreatedStaysVisible, NoDeleteWhileCreating), and two creates of one name must
   * never both succeed (OneObjectPerName).
   */
  public abstract static class CreateGetVerify extends Base {
    CreateGetVerify(Variant variant) {
      super(variant);
    }

    @Operation
    public String create() {
      return doCreate(A);
    }

    @Operation
    public String get() {
      return doGet(A);
    }

    @Operation(nonParallelGroup = "verify")
    public void verify() {
      doVerify();
    }
  }

  /** {@link CreateGetVerify} plus delete of the same replica, all free to run in parallel. */
  public abstract static class ClientOps extends CreateGetVerify {
    ClientOps(Variant variant) {
      super(variant);
    }

    @Operation
    public String delete() {
      return doDelete(A);
    }
  }

  /**
   * Lost lvols and their detection under churn. Everything that changes or reads replica r1 or
   * its lvol (create, delete, get, loseLvol) runs in one thread together with verify (the
   * non-parallel group {@code r1}); a second replica r2 is created and deleted in parallel by
   * the other thread (group {@code r2}), and is never lost. Claimed: a round that follows a loss
   * in its thread marks the replica error, whatever happens to r2 meanwhile (what V3's skip
   * breaks), and r2's creates and deletes are linearizable alongside the rounds.
   */
  public abstract static class LossUnderChurn extends Base {
    LossUnderChurn(Variant variant) {
      super(variant);
    }

    @Operation(nonParallelGroup = "r1")
    public String create() {
      return doCreate(A);
    }

    @Operation(nonParallelGroup = "r1")
    public String delete() {
      return doDelete(A);
    }

    @Operation(nonParallelGroup = "r1")
    public String get() {
      return doGet(A);
    }

    /**
     * Whether r1 is shown healthy (present and not in error). Detection of a loss is removal for
     * V0..V3 (upstream prunes) and error for V4; both are "not healthy".
     */
    @Operation(nonParallelGroup = "r1")
    public boolean healthy() {
      return doGet(A).equals("present");
    }

    @Operation(nonParallelGroup = "r1")
    public void loseLvol() {
      store.lose(A);
    }

    @Operation(nonParallelGroup = "r1")
    public void verify() {
      doVerify();
    }

    @Operation(nonParallelGroup = "r2")
    public String createB() {
      return doCreate(B);
    }

    @Operation(nonParallelGroup = "r2")
    public String deleteB() {
      return doDelete(B);
    }
  }

  /**
   * Snapshots of one replica (issue 11): create and delete of the replica, two snapshots and the
   * delete of one, all free to run in parallel with each other, and verify rounds (one thread, as
   * the loop). Claimed: linearizable against the sequential model, so a snapshot acknowledged is
   * in the chain a later {@code chain()} shows (AckedSnapshotKept), two snapshots taken in
   * parallel both end in the chain, and a round never changes a chain or marks the replica
   * error (NoErrorFromChainOps).
   */
  public abstract static class Chains extends Base {
    Chains(Variant variant, boolean listened) {
      super(variant, listened);
    }

    @Operation
    public String create() {
      return doCreate(A);
    }

    @Operation
    public String delete() {
      return doDelete(A);
    }

    @Operation
    public String snapshot1() {
      return Outcomes.snapshotOp(() -> registry.snapshot(A, "s1"));
    }

    @Operation
    public String snapshot2() {
      return Outcomes.snapshotOp(() -> registry.snapshot(A, "s2"));
    }

    @Operation
    public String deleteSnapshot1() {
      return Outcomes.snapshotOp(() -> registry.deleteSnapshot(A, "s1"));
    }

    @Operation
    public String chain() {
      return Outcomes.chain(registry.get(A));
    }

    @Operation(nonParallelGroup = "verify")
    public void verify() {
      doVerify();
    }
  }

  /**
   * A rebuild of replica {@code B} (begin, finish, abort), a snapshot taken on it while it is
   * rebuilt (on its rebuilding lvol), its chain, and verify rounds. Claimed: linearizable against
   * the model: a round never judges or adopts the rebuilding replica or its lvol, the snapshot
   * stays in the chain through the finish (the rebuilding lvol renamed to the head), and an abort
   * leaves nothing.
   */
  public abstract static class Rebuilds extends Base {
    Rebuilds(Variant variant, boolean listened) {
      super(variant, listened);
    }

    @Operation
    public String beginRebuild() {
      return Outcomes.create(() -> registry.beginRebuild(B, SIZE));
    }

    @Operation
    public String finishRebuild() {
      return Outcomes.snapshotOp(() -> registry.finishRebuild(B));
    }

    @Operation
    public String abortRebuild() {
      return Outcomes.snapshotOp(() -> {
        registry.abortRebuild(B);
        return null;
      });
    }

    @Operation
    public String snapshotB() {
      return Outcomes.snapshotOp(() -> registry.snapshot(B, "s1"));
    }

    @Operation
    public String chainB() {
      return Outcomes.chain(registry.get(B));
    }

    @Operation(nonParallelGroup = "verify")
    public void verify() {
      doVerify();
    }
  }
}
