package dev.replicalifecycle.registry.lincheck;

import static dev.replicalifecycle.registry.lincheck.RegistrySequentialSpec.A;
import static dev.replicalifecycle.registry.lincheck.RegistrySequentialSpec.B;
import static dev.replicalifecycle.registry.lincheck.RegistrySequentialSpec.SIZE;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.variants.Variant;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * The operation sets Lincheck drives, each an abstract class whose subclasses pick the variant
 * (Lincheck builds a fresh instance, registry and store for every invocation). Results are
 * abstracted by {@link Outcomes}, the same way as in {@link RegistrySequentialSpec}.
 */
final class RegistryOperations {
  private RegistryOperations() {}

  /** A registry of one variant over a fresh {@link AtomicLvolStore}. */
  abstract static class Base {
    final AtomicLvolStore store = new AtomicLvolStore();
    final ReplicaRegistry registry;

    Base(Variant variant) {
      // V4 straight from the library's builder (no introspection adapter: less to trace).
      registry =
          variant == Variant.V4
              ? ReplicaRegistry.builder(store).build()
              : variant.open(store, null);
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
        throw new AssertionError("no store faults are injected here", e);
      }
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
}
