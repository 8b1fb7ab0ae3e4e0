package dev.replicalifecycle.registry.variants;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.store.LvolStore;
import java.util.Objects;

/** Opens a registry of any {@link Variant} over a store. */
public final class Variants {
  private Variants() {}

  /**
   * A new registry of {@code variant} over {@code store}, with an empty map (as after a server
   * start). No verify loop runs: call {@link ReplicaRegistry#verify()}. The result also
   * implements {@link Introspectable}.
   *
   * @param listener sees every atomic step (may be {@code null})
   */
  public static ReplicaRegistry open(Variant variant, LvolStore store, StepListener listener) {
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(store, "store");
    return variant == Variant.V4
        ? new StampedIntrospection(store, listener)
        : new HistoricalRegistry(variant, store, listener);
  }

  /** The introspection view of a registry opened by {@link #open}. */
  public static Introspectable introspect(ReplicaRegistry registry) {
    if (registry instanceof Introspectable i) {
      return i;
    }
    throw new IllegalArgumentException("not opened by Variants.open: " + registry);
  }
}
