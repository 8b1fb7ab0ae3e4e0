package dev.replicalifecycle.registry.variants;

import dev.replicalifecycle.registry.ReplicaState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the spec's properties need to see inside a registry, beyond its public API: the replica
 * <em>objects</em> that are live (in the map, or holding ports and an NVMe-oF subsystem), so that
 * {@code OneObjectPerName} can be checked in Java.
 *
 * <p>Every method reads without blocking (no registry lock is taken), so it may be called while
 * threads of the registry are parked in a {@link dev.replicalifecycle.registry.StepListener}.
 * The result is a snapshot taken object by object: exact when no step is running at the time
 * (which is how step-by-step schedulers call it), weakly consistent otherwise.
 */
public interface Introspectable {

  /**
   * One live replica object.
   *
   * @param name the replica name it holds
   * @param id identity of the object within its registry (creation order)
   * @param adopted whether verify built it (adoption) rather than a create
   * @param inMap whether the map holds it under {@code name} (the spec's {@code Owns})
   * @param exposed whether it holds ports and an NVMe-oF subsystem (the spec's {@code exposed})
   * @param createInFlight whether the create that builds it has not returned yet
   * @param state its state (V0's {@code pending} shows as {@link ReplicaState#CREATING}; an
   *     object of V1..V3 that its create has not published yet shows as CREATING too)
   */
  record LiveObject(
      String name,
      long id,
      boolean adopted,
      boolean inMap,
      boolean exposed,
      boolean createInFlight,
      ReplicaState state) {}

  /** The behaviour this registry has. */
  Variant variant();

  /** Every live object (in the map or exposed), in name order, then id order. */
  List<LiveObject> liveObjects();

  /** How many live objects hold {@code name}: the spec's {@code Cardinality(Live(n))}. */
  default int liveObjects(String name) {
    int count = 0;
    for (LiveObject o : liveObjects()) {
      if (o.name().equals(name)) {
        count++;
      }
    }
    return count;
  }

  /** {@link #liveObjects(String)} for every name with at least one live object. */
  default Map<String, Integer> liveObjectCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    for (LiveObject o : liveObjects()) {
      counts.merge(o.name(), 1, Integer::sum);
    }
    return counts;
  }

  /** The names that break {@code OneObjectPerName} now (more than one live object). */
  default List<String> twins() {
    return liveObjectCounts().entrySet().stream()
        .filter(e -> e.getValue() > 1)
        .map(Map.Entry::getKey)
        .toList();
  }
}
