package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.registry.variants.Introspectable;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.registry.variants.Variants;
import dev.replicalifecycle.store.LvolStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
      StepTracked tracked = new StepTracked(listener);
      tracked.delegate = Mutants.open(mutant, store, tracked.listener());
      return new Subject(variant, mutant, tracked, tracked);
    }
    ReplicaRegistry r = Variants.open(variant, store, listener);
    return new Subject(variant, null, r, Variants.introspect(r));
  }

  /** The spec's {@code InsertsFirst}: create puts an entry in the map before the lvol exists. */
  boolean insertsFirst() {
    return variant == Variant.V0 || (variant == Variant.V4 && !"NoReserve".equals(mutant));
  }

  /** What the replay reports: V2, V4, V4-NoCas, ... */
  String label() {
    return mutant == null ? variant.name() : variant.name() + "-" + mutant;
  }

  /**
   * A V4-shaped registry with {@link Introspectable} derived from its steps, the way the impl
   * tests' {@code StampedIntrospection} does it for the library (which it cannot wrap around a
   * mutant): CreateReserve ok, DeleteMark absent and VerifyApply adopt start an object;
   * CreateAbort removed and DeleteRemove removed end it; CreateExpose exposes the name's object,
   * DeleteLvol stops that. The name identifies the operation's object (per-name serialisation).
   */
  static final class StepTracked implements ReplicaRegistry, Introspectable {
    private record Tracked(long id, boolean adopted, boolean createInFlight) {}

    private final StepListener user;
    private final ConcurrentHashMap<String, Tracked> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> exposedIds = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile ReplicaRegistry delegate;

    StepTracked(StepListener user) {
      this.user = user;
    }

    StepListener listener() {
      return new StepListener() {
        @Override
        public void beforeStep(SpecAction action, String name) {
          if (user != null) {
            user.beforeStep(action, name);
          }
        }

        @Override
        public void afterStep(Step step) {
          track(step);
          if (user != null) {
            user.afterStep(step);
          }
        }
      };
    }

    private void track(Step s) {
      String n = s.name();
      String o = s.outcome();
      switch (s.action()) {
        case CreateReserve -> {
          if (o.equals("ok")) {
            entries.put(n, new Tracked(ids.incrementAndGet(), false, true));
          }
        }
        case CreateExpose -> {
          Tracked t = entries.get(n);
          exposedIds.put(n, t == null ? ids.incrementAndGet() : t.id());
        }
        case CreatePublish -> entries.computeIfPresent(n, (k, t) -> new Tracked(t.id(), false, false));
        case CreateAbort -> {
          if (o.equals("removed")) {
            entries.remove(n);
          } else {
            entries.computeIfPresent(n, (k, t) -> new Tracked(t.id(), false, false));
          }
        }
        case DeleteMark -> {
          if (o.equals("absent")) {
            entries.put(n, new Tracked(ids.incrementAndGet(), false, false));
          }
        }
        case DeleteLvol -> exposedIds.remove(n);
        case DeleteRemove -> {
          if (o.equals("removed")) {
            entries.remove(n);
          }
        }
        case VerifyApply -> {
          if (o.equals("adopt")) {
            entries.put(n, new Tracked(ids.incrementAndGet(), true, false));
          }
        }
        default -> {}
      }
    }

    @Override
    public Variant variant() {
      return Variant.V4;
    }

    @Override
    public List<LiveObject> liveObjects() {
      TreeSet<String> names = new TreeSet<>(exposedIds.keySet());
      for (Replica r : delegate.list()) {
        names.add(r.name());
      }
      List<LiveObject> out = new ArrayList<>();
      for (String n : names) {
        Optional<Replica> entry = delegate.get(n);
        Tracked t = entries.get(n);
        Long exposedId = exposedIds.get(n);
        if (entry.isPresent()) {
          long id = t == null ? -1 : t.id();
          out.add(new LiveObject(n, id, t != null && t.adopted(), true,
              exposedId != null && exposedId == id, t != null && t.createInFlight(), entry.get().state()));
        }
        if (exposedId != null && (entry.isEmpty() || t == null || t.id() != exposedId)) {
          out.add(new LiveObject(n, exposedId, false, false, true, false, null));
        }
      }
      return out;
    }

    @Override
    public Replica create(String name, long sizeBytes) {
      return delegate.create(name, sizeBytes);
    }

    @Override
    public void delete(String name) {
      delegate.delete(name);
    }

    @Override
    public Optional<Replica> get(String name) {
      return delegate.get(name);
    }

    @Override
    public List<Replica> list() {
      return delegate.list();
    }

    @Override
    public VerifyReport verify() {
      return delegate.verify();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
