package dev.replicalifecycle.registry.variants;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.store.LvolStore;

/**
 * The behaviours of {@code spec/ReplicaLifecycle.tla}'s constant {@code Variant}, with the spec's
 * names. V0..V3 are the historical upstream behaviours (test-only, {@link HistoricalRegistry});
 * V4 is the library's {@code StampedRegistry}, reached through its public builder.
 */
public enum Variant {
  /** Insert a pending entry, then create the lvol; verify holds S for its whole round. */
  V0("PreFix"),
  /** Publish the object after the create returns, on every path; verify as V0. */
  V1("PublishAfterCreate"),
  /** V1, and verify releases S around its listing, then installs the map it computed. */
  V2("UnlockedVerify"),
  /** V2, and verify skips the whole round if a generation counter moved. */
  V3("GenerationSkip"),
  /** The library's design: reservation, per-name serialisation, stamped per-name verify. */
  V4("Stamped");

  private final String specName;

  Variant(String specName) {
    this.specName = specName;
  }

  /** The name the spec and DESIGN.md use (PreFix, PublishAfterCreate, ...). */
  public String specName() {
    return specName;
  }

  /** Whether create puts an entry in the map before the lvol exists (the spec's InsertsFirst). */
  public boolean insertsFirst() {
    return this == V0 || this == V4;
  }

  /** Same as {@link Variants#open(Variant, LvolStore, StepListener)}. */
  public ReplicaRegistry open(LvolStore store, StepListener listener) {
    return Variants.open(this, store, listener);
  }

  @Override
  public String toString() {
    return name() + " " + specName;
  }
}
