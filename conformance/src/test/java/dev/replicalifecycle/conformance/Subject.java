package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.variants.Introspectable;
import dev.replicalifecycle.registry.variants.StampedIntrospection;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.registry.variants.Variants;
import dev.replicalifecycle.store.LvolStore;
import java.time.Duration;

/**
 * A registry under replay: any variant (V0..V3: the test-only historical registries; V4: the
 * library; a V4 mutant from {@link Mutants}), with the introspection that {@code
 * OneObjectPerName} and {@code NoDeleteWhileCreating} need.
 *
 * @param variant V0..V4
 * @param mutant the spec mutant, or null
 * @param registry the registry
 * @param introspection its live objects
 */
record Subject(Variant variant, String mutant, ReplicaRegistry registry, Introspectable introspection) {

  /** Opens a fresh registry (empty map, as after a server start) over {@code store}. */
  static Subject open(Variant variant, String mutant, LvolStore store, StepListener listener) {
    if (mutant != null && !mutant.equals("none")) {
      if (variant != Variant.V4) {
        throw new IllegalArgumentException("mutants are V4's: " + variant + " " + mutant);
      }
      ReplicaRegistry r = StampedIntrospection.wrap(l -> Mutants.open(mutant, store, l), listener);
      return new Subject(variant, mutant, r, Variants.introspect(r));
    }
    if (variant == Variant.V4) {
      // the library as built by its public builder, retrying at once: a replay grants every try
      ReplicaRegistry r = StampedIntrospection.wrap(
          l -> ReplicaRegistry.builder(store).stepListener(l).retryDelay(Duration.ofNanos(1)).build(), listener);
      return new Subject(variant, null, r, Variants.introspect(r));
    }
    ReplicaRegistry r = Variants.open(variant, store, listener);
    return new Subject(variant, null, r, Variants.introspect(r));
  }

  /** The spec's {@code InsertsFirst}: create puts an entry in the map before the lvol exists. */
  boolean insertsFirst() {
    return variant == Variant.V0 || (variant == Variant.V4 && !"NoReserve".equals(mutant));
  }

  /**
   * Whether a {@code DELETING} object is the spec's {@code terminating} (V0..V3: an object whose
   * delete has started, not a reservation) rather than V4's {@code deleting} slot.
   */
  boolean terminatingIsDeleting() {
    return variant != Variant.V4;
  }

  /** What the replay reports: V2, V4, V4-NoCas, ... */
  String label() {
    return mutant == null ? variant.name() : variant.name() + "-" + mutant;
  }
}
