package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the V4 registry over an {@code InMemoryLvolStore} does when operations run one at a time
 * (DESIGN §4 and the {@code ReplicaRegistry} javadoc, written down independently of {@code
 * StampedRegistry}): the map, the store's lvols (names and sizes) and the queue of injected
 * faults, with the result each operation must give. UUIDs are not predicted, only whether a
 * replica knows its lvol's UUID.
 *
 * <p>Not thread-safe; the harness uses it from one thread.
 */
final class SequentialModel {

  /** What the model predicts an operation returns. */
  enum Result {
    /** create returned the replica running. */
    RUNNING,
    /** delete or verify returned normally. */
    OK,
    /** {@code ReplicaAlreadyExistsException}. */
    EXISTS,
    /** {@code ReplicaStoreException}. */
    STORE_FAILURE
  }

  /** A map entry as the model sees it. */
  record Entry(ReplicaState state, long size, boolean knowsUuid) {
    static Entry of(Replica r) {
      return new Entry(r.state(), r.sizeBytes(), r.lvolUuid() != null);
    }
  }

  private final TreeMap<String, Entry> map = new TreeMap<>();
  private final TreeMap<String, Long> lvols = new TreeMap<>();
  private final Map<Call, Deque<Fault>> faults = new EnumMap<>(Call.class);
  /** Names whose lvol was replaced behind the registry's back since their entry learned it. */
  private final TreeSet<String> replaced = new TreeSet<>();
  /** Changes the last verify made: name to ADOPTED or MARKED_ERROR. */
  private final TreeMap<String, String> lastChanges = new TreeMap<>();

  SequentialModel() {
    for (Call c : Call.values()) {
      faults.put(c, new ArrayDeque<>());
    }
  }

  // ------------------------------------------------------------------ operations

  Result create(String name, long size) {
    if (map.containsKey(name)) {
      return Result.EXISTS;
    }
    if (faults.get(Call.FIND).pollFirst() != null) {
      return Result.STORE_FAILURE; // the look-up failed: nothing changed, nothing to roll back
    }
    if (lvols.containsKey(name)) {
      return Result.EXISTS; // the look-up found an lvol nobody owns; nothing changed
    }
    Fault fault = faults.get(Call.CREATE).pollFirst();
    boolean failedBefore = fault != null && fault != Fault.TIMEOUT_AFTER_APPLY;
    if (!failedBefore) {
      lvols.put(name, size);
    }
    if (fault == null) {
      replaced.remove(name);
      map.put(name, new Entry(ReplicaState.RUNNING, size, true));
      return Result.RUNNING;
    }
    if (fault == Fault.REJECT) {
      return Result.STORE_FAILURE; // outcome known: the name is freed, nothing to roll back
    }
    // outcome unknown: roll back (delete the lvol), free the name or leave it in error
    if (!deleteOneOk(name)) {
      map.put(name, new Entry(ReplicaState.ERROR, size, false));
    }
    return Result.STORE_FAILURE;
  }

  Result delete(String name) {
    Entry prior = map.get(name);
    if (deleteLvolOk(name)) {
      map.remove(name);
      replaced.remove(name);
      return Result.OK;
    }
    map.put(
        name,
        prior == null
            ? new Entry(ReplicaState.ERROR, 0, false)
            : new Entry(ReplicaState.ERROR, prior.size(), prior.knowsUuid()));
    return Result.STORE_FAILURE;
  }

  /**
   * V4's DeleteLvol: the head, then the name's rebuilding lvol; true if both count as done
   * (deleted, or not found). A create's rollback makes only the first call.
   */
  private boolean deleteLvolOk(String name) {
    return deleteOneOk(name) && deleteOneOk(name + LvolKind.REBUILDING_SUFFIX);
  }

  /** One store delete call; true if it counts as done (deleted, or not found). */
  private boolean deleteOneOk(String lvol) {
    Fault fault = faults.get(Call.DELETE).pollFirst();
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY) {
      return false;
    }
    if (lvols.remove(lvol) == null) {
      return true; // not found counts as done (the fault, if any, was spent)
    }
    return fault == null;
  }

  Entry get(String name) {
    return map.get(name);
  }

  Result verify() {
    lastChanges.clear();
    if (faults.get(Call.LIST).pollFirst() != null) {
      return Result.STORE_FAILURE;
    }
    TreeSet<String> names = new TreeSet<>(map.keySet());
    names.addAll(lvols.keySet());
    for (String n : names) {
      Entry e = map.get(n);
      boolean head = lvols.containsKey(n);
      if (e != null
          && (e.state() == ReplicaState.RUNNING || e.state() == ReplicaState.STOPPED)
          && (!head || (replaced.contains(n) && e.knowsUuid()))) {
        map.put(n, new Entry(ReplicaState.ERROR, e.size(), e.knowsUuid()));
        lastChanges.put(n, "MARKED_ERROR");
      } else if (e == null && head) {
        map.put(n, new Entry(ReplicaState.STOPPED, lvols.get(n), true));
        replaced.remove(n);
        lastChanges.put(n, "ADOPTED");
      }
    }
    return Result.OK;
  }

  /** What the last verify changed, name to kind. */
  Map<String, String> lastChanges() {
    return lastChanges;
  }

  // ------------------------------------------------------------------ environment

  void failNext(Call call, int count, Fault fault) {
    for (int i = 0; i < count; i++) {
      faults.get(call).addLast(fault);
    }
  }

  void clearFaults() {
    faults.values().forEach(Deque::clear);
  }

  void loseLvol(String name) {
    lvols.remove(name);
  }

  /** The harness's PutOrphan: adds an lvol (a new one, new UUID) if the name has none. */
  void putOrphan(String name, long size) {
    if (lvols.putIfAbsent(name, size) == null && map.containsKey(name)) {
      replaced.add(name);
    }
  }

  void restart() {
    map.clear();
    replaced.clear();
  }

  /**
   * After a concurrent op (whose outcome depends on the schedule): take the registry's map and
   * the store's lvols as they are, and drop the faults the calls made meanwhile used up.
   */
  void resync(List<Replica> replicas, List<Lvol> storeLvols, Map<Call, Long> callsMade) {
    map.clear();
    for (Replica r : replicas) {
      map.put(r.name(), Entry.of(r));
    }
    lvols.clear();
    replaced.clear();
    for (Lvol l : storeLvols) {
      lvols.put(l.name(), l.sizeBytes());
    }
    for (Replica r : replicas) {
      Lvol l = storeLvols.stream().filter(x -> x.name().equals(r.name())).findFirst().orElse(null);
      if (l != null && r.lvolUuid() != null && !r.lvolUuid().equals(l.uuid())) {
        replaced.add(r.name());
      }
    }
    callsMade.forEach(
        (call, n) -> {
          for (long i = 0; i < n; i++) {
            faults.get(call).pollFirst();
          }
        });
  }

  // ------------------------------------------------------------------ comparison

  /** Differences between the model and what the registry and the store show; empty if none. */
  List<String> differences(List<Replica> replicas, List<Lvol> storeLvols) {
    List<String> out = new ArrayList<>();
    TreeMap<String, Entry> actual = new TreeMap<>();
    for (Replica r : replicas) {
      actual.put(r.name(), Entry.of(r));
    }
    if (!actual.equals(map)) {
      out.add("map: expected " + map + " but registry has " + actual);
    }
    TreeMap<String, Long> actualLvols = new TreeMap<>();
    for (Lvol l : storeLvols) {
      actualLvols.put(l.name(), l.sizeBytes());
    }
    if (!Objects.equals(actualLvols, lvols)) {
      out.add("lvols: expected " + lvols + " but store has " + actualLvols);
    }
    return out;
  }

  @Override
  public String toString() {
    return "model{map=" + map + ", lvols=" + lvols + ", faults=" + faults + "}";
  }
}
