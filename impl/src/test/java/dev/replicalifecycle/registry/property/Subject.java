package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.variants.Introspectable;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.registry.variants.Variants;
import dev.replicalifecycle.store.LvolStore;
import java.util.List;
import java.util.Optional;

/**
 * A registry under test, as the harness sees it: the public API plus the reads the property
 * checks need. The checks read between steps, while the threads of a concurrent op are parked in
 * {@link StepListener#beforeStep}; {@link #peek} and {@link #peekAll} must therefore not wait for
 * a lock that a parked step may hold.
 */
interface Subject extends AutoCloseable {

  /** The registry the ops are applied to. */
  ReplicaRegistry registry();

  /**
   * The entry of {@code name} (the spec's {@code map[name]}), read without blocking: the
   * registry's {@code get}, which is lock-free in every variant.
   */
  default Optional<Replica> peek(String name) {
    try {
      return registry().get(name);
    } catch (dev.replicalifecycle.registry.RegistryClosedException e) {
      return Optional.empty(); // a closed registry holds nothing
    }
  }

  /** Every entry, read without blocking: the registry's {@code list}. */
  default List<Replica> peekAll() {
    try {
      return registry().list();
    } catch (dev.replicalifecycle.registry.RegistryClosedException e) {
      return List.of();
    }
  }

  /**
   * How many live replica objects hold {@code name}: in the map, or holding ports and an
   * NVMe-oF subsystem (the spec's {@code Live(n)}, checked by {@code OneObjectPerName}).
   */
  int liveObjects(String name);

  /** Closes the registry (the store stays open). */
  @Override
  default void close() {
    registry().close();
  }

  /** Opens a subject over a store; the listener sees every step. */
  @FunctionalInterface
  interface Factory {
    Subject open(LvolStore store, StepListener listener);
  }

  /**
   * What the harness runs against.
   *
   * @param label for messages (V0..V4)
   * @param factory opens a subject over a store (again after each restart)
   * @param insertsFirst whether create puts an entry in the map before the lvol exists (the
   *     spec's {@code InsertsFirst}: V0, V4); {@code NoDeleteWhileCreating} is vacuous otherwise
   * @param sequentialModel whether the V4 sequential model describes its one-at-a-time
   *     behaviour (results, map and store compared after every sequential op)
   * @param stepped whether the registry reports its steps to the harness (a step listener): the
   *     harness then interleaves concurrent ops step by step and keeps the spec's history from
   *     the steps; without one (the path production runs) concurrent ops run one thread after the
   *     other and history is kept per operation
   */
  record Target(String label, Factory factory, boolean insertsFirst, boolean sequentialModel,
      boolean stepped) {
    /** A target that reports its steps. */
    Target(String label, Factory factory, boolean insertsFirst, boolean sequentialModel) {
      this(label, factory, insertsFirst, sequentialModel, true);
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** The V4 registry of {@code src/main}, built as library users build it, with a step listener. */
  static Target v4() {
    return new Target("V4", V4Subject::new, true, true, true);
  }

  /**
   * The V4 registry built exactly as production code builds it: no step listener (its verify
   * round then takes the listener-free branch).
   */
  static Target v4Plain() {
    return new Target("V4 (no listener)", (store, l) -> new V4Subject(store, null), true, true, false);
  }

  /** {@link #v4()} or {@link #v4Plain()}. */
  static Target v4(boolean stepped) {
    return stepped ? v4() : v4Plain();
  }

  /**
   * A registry of {@code variant} opened by {@link Variants#open} (V0..V3: the test-only
   * historical registries; V4: the library's registry with step-tracked introspection). Live
   * objects come from {@link Introspectable}; the V4 sequential model applies to V4 only.
   */
  static Target of(Variant variant) {
    return new Target(
        variant.name(), (store, l) -> new VariantSubject(variant, store, l),
        variant.insertsFirst(), variant == Variant.V4);
  }

  /** A registry from {@link Variants#open}; every read is non-blocking by its contract. */
  final class VariantSubject implements Subject {
    private final ReplicaRegistry registry;
    private final Introspectable introspection;

    VariantSubject(Variant variant, LvolStore store, StepListener listener) {
      this(Variants.open(variant, store, listener));
    }

    /** @param registry opened by {@link Variants#open} or another {@link Introspectable} */
    VariantSubject(ReplicaRegistry registry) {
      this.registry = registry;
      this.introspection = Variants.introspect(registry);
    }

    @Override
    public ReplicaRegistry registry() {
      return registry;
    }

    @Override
    public int liveObjects(String name) {
      return introspection.liveObjects(name);
    }
  }

  /** The V4 registry: map entries via {@code get}/{@code list} (lock-free reads). */
  final class V4Subject implements Subject {
    private final ReplicaRegistry registry;

    V4Subject(LvolStore store, StepListener listener) {
      ReplicaRegistry.Builder b = ReplicaRegistry.builder(store).retryDelay(java.time.Duration.ofNanos(1));
      this.registry = (listener == null ? b : b.stepListener(listener)).build();
    }

    @Override
    public ReplicaRegistry registry() {
      return registry;
    }

    /**
     * V4 holds no ports (its CreateExpose step is empty), so its objects are its map entries:
     * at most one per name by construction. The harness adds the API-level check that two
     * creates of a name never both return running without a delete between them.
     */
    @Override
    public int liveObjects(String name) {
      return peek(name).isPresent() ? 1 : 0;
    }
  }
}
