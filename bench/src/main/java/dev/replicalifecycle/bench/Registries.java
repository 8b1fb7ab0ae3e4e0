package dev.replicalifecycle.bench;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.registry.variants.Variants;
import dev.replicalifecycle.store.LvolStore;

/**
 * Opens the registries the benchmarks compare. V4 is the library's registry built through its
 * public builder, with no step listener and no verify loop (the benchmarks drive {@code verify()}
 * themselves); V0..V3 are the test-only historical variants from impl's test-jar ({@code
 * Variants.open}, also with no listener).
 */
final class Registries {
  private Registries() {}

  /** A registry of {@code variant} ("V0".."V4") over {@code store}, with an empty map. */
  static ReplicaRegistry open(String variant, LvolStore store) {
    if (variant.equals("V4")) {
      return ReplicaRegistry.builder(store).build();
    }
    return Variants.open(Variant.valueOf(variant), store, null);
  }

  /** The spec's name of a variant, for tables: "V1 PublishAfterCreate". */
  static String label(String variant) {
    return Variant.valueOf(variant).toString();
  }
}
