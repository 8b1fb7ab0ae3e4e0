package dev.replicalifecycle.registry.variants;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.store.LvolStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * V4 (the library's registry, built through its public builder) with {@link Introspectable}
 * added from the outside, using only public API: the registry's own {@link StepListener} steps.
 *
 * <p>V4 has no replica objects in its API, so objects are tracked per name from the steps, the
 * way the spec names them: CreateReserve "ok", DeleteMark "absent" (the reservation of an absent
 * name) and VerifyApply "adopt" start a new object; CreateAbort "removed" and DeleteRemove
 * "removed" end it; CreateExpose exposes the object of the name and DeleteRlvol (the delete's
 * first step) stops that (V4
 * serialises create and delete per name, so the name identifies the operation's object). The
 * counts are exact between steps; while a step is taking effect they may lag by that step.
 *
 * <p>Thread-safe. Every method delegates; introspection never blocks.
 */
public final class StampedIntrospection implements ReplicaRegistry, Introspectable {

  private record Tracked(long id, boolean adopted, boolean createInFlight) {}

  private final ReplicaRegistry delegate;
  private final ConcurrentHashMap<String, Tracked> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> exposedIds = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  StampedIntrospection(LvolStore store, StepListener user) {
    this(listener -> ReplicaRegistry.builder(store).stepListener(listener).build(), user);
  }

  private StampedIntrospection(Function<StepListener, ReplicaRegistry> open, StepListener user) {
    this.delegate =
        open.apply(
                new StepListener() {
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
                });
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
      case DeleteRlvol -> exposedIds.remove(n);
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

  /**
   * Tracks any V4-shaped registry (one that reports the library's steps, such as a V4 mutant
   * built for the conformance tests) the same way.
   *
   * @param open builds the registry, given the step listener it must report to
   * @param user also sees every step (may be {@code null})
   * @return the registry, which also implements {@link Introspectable}
   */
  public static ReplicaRegistry wrap(Function<StepListener, ReplicaRegistry> open, StepListener user) {
    return new StampedIntrospection(Objects.requireNonNull(open, "open"), user);
  }

  @Override
  public Variant variant() {
    return Variant.V4;
  }

  @Override
  public List<LiveObject> liveObjects() {
    TreeSet<String> names = new TreeSet<>(exposedIds.keySet());
    List<Replica> replicas;
    try {
      replicas = delegate.list();
    } catch (dev.replicalifecycle.registry.RegistryClosedException e) {
      return List.of(); // a closed registry holds nothing
    }
    for (Replica r : replicas) {
      names.add(r.name());
    }
    List<LiveObject> out = new ArrayList<>();
    for (String n : names) {
      Optional<Replica> entry = delegate.get(n);
      Tracked t = entries.get(n);
      Long exposedId = exposedIds.get(n);
      if (entry.isPresent()) {
        long id = t == null ? -1 : t.id();
        out.add(
            new LiveObject(
                n,
                id,
                t != null && t.adopted(),
                true,
                exposedId != null && exposedId == id,
                t != null && t.createInFlight(),
                entry.get().state()));
      }
      if (exposedId != null && (entry.isEmpty() || t == null || t.id() != exposedId)) {
        out.add(new LiveObject(n, exposedId, false, false, true, false, null));
      }
    }
    return out;
  }

  /** The tracked ids, for tests of this adapter. */
  Map<String, Long> exposedIds() {
    return Map.copyOf(exposedIds);
  }

  // ------------------------------------------------------------------ delegation

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
  public Replica recover(String name) {
    return delegate.recover(name);
  }

  @Override
  public Replica snapshot(String name, String snapshotName) {
    return delegate.snapshot(name, snapshotName);
  }

  @Override
  public Replica deleteSnapshot(String name, String snapshotName) {
    return delegate.deleteSnapshot(name, snapshotName);
  }

  @Override
  public Replica start(String name) {
    return delegate.start(name);
  }

  @Override
  public Replica beginRebuild(String name, long sizeBytes) {
    return delegate.beginRebuild(name, sizeBytes);
  }

  @Override
  public Replica finishRebuild(String name) {
    return delegate.finishRebuild(name);
  }

  @Override
  public void abortRebuild(String name) {
    delegate.abortRebuild(name);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public java.util.Set<String> close(java.time.Duration timeout) {
    return delegate.close(timeout);
  }

  @Override
  public String toString() {
    return "V4 " + delegate.list();
  }
}
