package dev.replicalifecycle.registry.model;

import dev.replicalifecycle.registry.RegistryClosedException;
import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaNames;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.registry.VerifyReport.Change;
import dev.replicalifecycle.registry.VerifyReport.ChangeKind;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.StoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The sequential model of the registry: what V4 ({@code ReplicaRegistry}, DESIGN §4, the spec's
 * V4 actions) does when operations run one at a time. Every operation is one atomic step here;
 * there are no {@code creating} or {@code deleting} entries, no stamps and no skips (a round
 * running alone never skips). Used as Lincheck's sequential specification and as the property
 * harness's oracle.
 *
 * <p>The store is a private {@link InMemoryLvolStore}, the environment rather than the thing
 * modelled: feed it the same faults, losses and foreign lvols as the real store ({@link
 * #store()}), and the model predicts the real registry's results exactly, lvol UUIDs included
 * (the in-memory store numbers them in call order, and the model makes the same store calls in
 * the same order as V4 run sequentially: create, then delete on a rollback; delete; list).
 *
 * <p>Results are those of V4: the same return values and exception types. Exception messages
 * and {@link Replica#errorReason()} texts are not part of the model (compare with {@link
 * #sameIgnoringReason}); {@link VerifyReport#stamp()} counts rounds here.
 *
 * <p>Not thread-safe: a sequential model.
 */
public final class RegistryModel {
  private final InMemoryLvolStore store;
  private final TreeMap<String, Replica> entries = new TreeMap<>();
  private boolean closed;
  private long rounds;

  /** A model over a new, empty store. */
  public RegistryModel() {
    this(new InMemoryLvolStore());
  }

  /** A model over {@code store} (which nothing else may use while the model does). */
  public RegistryModel(InMemoryLvolStore store) {
    this.store = store;
  }

  /** The model's store: inject faults, lose and put lvols here as in the real one. */
  public InMemoryLvolStore store() {
    return store;
  }

  /** V4's create: reserve, create the head lvol, running; roll back on failure. */
  public Replica create(String name, long sizeBytes) {
    ReplicaNames.validate(name);
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("sizeBytes must be positive: " + sizeBytes);
    }
    ensureOpen();
    if (entries.containsKey(name)) {
      throw new ReplicaAlreadyExistsException(name, "replica " + name + " already exists");
    }
    // The lookup before the create: an lvol no replica owns yet fails the create. A failed
    // lookup made nothing, whatever its kind, so there is nothing to roll back (V4 today rolls
    // back after a lookup whose outcome is unknown, and so may delete an orphan: a defect).
    boolean orphan;
    try {
      orphan = store.findLvol(name).isPresent();
    } catch (StoreException e) {
      throw new ReplicaStoreException(name, "create of " + name + " failed; nothing made", e);
    }
    if (orphan) {
      throw new ReplicaAlreadyExistsException(
          name, "an lvol named " + name + " exists in the store but no replica owns it");
    }
    Lvol lvol;
    try {
      lvol = store.createLvol(name, sizeBytes);
    } catch (LvolAlreadyExistsException e) {
      throw new ReplicaAlreadyExistsException(
          name, "an lvol named " + name + " exists in the store but no replica owns it");
    } catch (StoreException e) {
      if (e.outcomeKnown()) {
        throw new ReplicaStoreException(name, "create of " + name + " failed; rolled back", e);
      }
      try {
        store.deleteLvol(name);
      } catch (LvolNotFoundException gone) {
        // nothing was made
      } catch (StoreException rollback) {
        entries.put(
            name,
            new Replica(
                name,
                ReplicaState.ERROR,
                null,
                sizeBytes,
                "create failed and its rollback failed: the lvol may exist; delete the replica"));
        throw new ReplicaStoreException(name, "create of " + name + ": rollback failed", e);
      }
      throw new ReplicaStoreException(name, "create of " + name + " failed; rolled back", e);
    }
    Replica running = new Replica(name, ReplicaState.RUNNING, lvol.uuid(), sizeBytes, null);
    entries.put(name, running);
    return running;
  }

  /**
   * V4's delete: delete the head lvol, then the rebuilding lvol of the name (not-found counts as
   * done; an absent name too), then
   * remove the entry; on failure the entry is left in error (created in error if there was
   * none).
   */
  public void delete(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    Replica prior = entries.get(name);
    try {
      try {
        store.deleteLvol(name);
      } catch (LvolNotFoundException e) {
        // done
      }
      try {
        store.deleteLvol(name + LvolKind.REBUILDING_SUFFIX);
      } catch (LvolNotFoundException e) {
        // none
      }
    } catch (StoreException e) {
      String uuid = prior == null ? null : prior.lvolUuid();
      long size = prior == null ? 0 : prior.sizeBytes();
      entries.put(
          name,
          new Replica(name, ReplicaState.ERROR, uuid, size, "delete failed: " + e.getMessage()));
      throw new ReplicaStoreException(name, "delete of " + name + " failed; left in error", e);
    }
    entries.remove(name);
  }

  /** The entry of {@code name}. */
  public Optional<Replica> get(String name) {
    ReplicaNames.validate(name);
    return Optional.ofNullable(entries.get(name));
  }

  /** Every entry, sorted by name. */
  public List<Replica> list() {
    return List.copyOf(entries.values());
  }

  /**
   * V4's round run alone: a running or stopped replica with neither head nor rebuilding lvol
   * listed, or whose head has another UUID than the replica's (replaced behind the registry's
   * back), becomes error; a head lvol (with a valid replica name) that no entry owns is adopted
   * as stopped. A failed listing changes nothing.
   */
  public VerifyReport verify() {
    ensureOpen();
    List<Lvol> lvols;
    try {
      lvols = store.listLvols().lvols();
    } catch (StoreException e) {
      throw new ReplicaStoreException(null, "verify: listing lvols failed; nothing changed", e);
    }
    long stamp = ++rounds;
    Map<String, Lvol> heads = new HashMap<>();
    Set<String> rebuilding = new HashSet<>();
    List<Lvol> others = new ArrayList<>();
    for (Lvol l : lvols) {
      switch (l.kind()) {
        case HEAD -> heads.put(l.name(), l);
        case REBUILDING -> {
          rebuilding.add(l.replicaName());
          others.add(l);
        }
        case SNAPSHOT -> others.add(l);
      }
    }
    TreeSet<String> names = new TreeSet<>(entries.keySet());
    for (String h : heads.keySet()) {
      if (ReplicaNames.isValid(h)) {
        names.add(h);
      }
    }
    List<Change> changes = new ArrayList<>();
    for (String n : names) {
      Replica r = entries.get(n);
      Lvol head = heads.get(n);
      boolean healthy = r != null
          && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED);
      boolean gone = head == null && !rebuilding.contains(n);
      boolean replaced =
          head != null && r != null && r.lvolUuid() != null && !r.lvolUuid().equals(head.uuid());
      if (healthy && (gone || replaced)) {
        Replica err =
            new Replica(
                n,
                ReplicaState.ERROR,
                r.lvolUuid(),
                r.sizeBytes(),
                gone ? "lvol " + n + " not found in the store" : "lvol " + n + " was replaced");
        entries.put(n, err);
        changes.add(new Change(n, ChangeKind.MARKED_ERROR, err));
      } else if (r == null && heads.containsKey(n)) {
        Lvol h = heads.get(n);
        Replica adopted = new Replica(n, ReplicaState.STOPPED, h.uuid(), h.sizeBytes(), null);
        entries.put(n, adopted);
        changes.add(new Change(n, ChangeKind.ADOPTED, adopted));
      }
    }
    List<String> orphans = new ArrayList<>();
    for (Lvol l : others) {
      if (!entries.containsKey(l.replicaName()) && !heads.containsKey(l.replicaName())) {
        orphans.add(l.name());
      }
    }
    orphans.sort(null);
    return new VerifyReport(stamp, lvols.size(), changes, List.of(), orphans, 0, java.util.Set.of(), 0, List.of());
  }

  /** A server restart: the map is lost (a new registry over the same store), lvols stay. */
  public void restart() {
    entries.clear();
    closed = false;
  }

  /** V4's close: create, delete and verify refuse; reads still work. */
  public void close() {
    closed = true;
  }

  /** Whether two replicas are equal but for the text of their error reasons. */
  public static boolean sameIgnoringReason(Replica a, Replica b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.name().equals(b.name())
        && a.state() == b.state()
        && java.util.Objects.equals(a.lvolUuid(), b.lvolUuid())
        && a.sizeBytes() == b.sizeBytes();
  }

  @Override
  public String toString() {
    return "RegistryModel" + entries.values() + " lvols=" + store.lvols();
  }

  private void ensureOpen() {
    if (closed) {
      throw new RegistryClosedException();
    }
  }
}
