package dev.replicalifecycle.registry.model;

import dev.replicalifecycle.registry.RegistryClosedException;
import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaNames;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaOutcomeUnknownException;
import dev.replicalifecycle.registry.ReplicaStateException;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.registry.VerifyReport.Change;
import dev.replicalifecycle.registry.VerifyReport.ChangeKind;
import dev.replicalifecycle.registry.VerifyReport.Skip;
import dev.replicalifecycle.registry.VerifyReport.SkipReason;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolBusyException;
import dev.replicalifecycle.store.LvolListing;
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
 * the same order as V4 run sequentially: look-ups, create, then deletes and probe creates while
 * an outcome is unknown; the rebuilding lvol's delete, the head's, probes; list). Where V4 gives
 * up at its deadline, the model gives up after {@link #MAX_TRIES} tries.
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
  /** The lvol store of each entry's lvol, where known. */
  private final Map<String, String> lvstores = new HashMap<>();
  /** For entries in error because verify found their lvol missing: the state they had. */
  private final Map<String, ReplicaState> lostFrom = new HashMap<>();
  /** The size of the probe lvol V4's delete creates. */
  private static final long PROBE_BYTES = 1L << 20;
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

  /**
   * A model in the state of a registry whose entries are {@code replicas} (all in the default lvol
   * store), over {@code store} (a copy of the real store: see {@link InMemoryLvolStore#copy}).
   * What a round marked error for a missing lvol is not known here: no entry is recoverable.
   */
  public static RegistryModel of(InMemoryLvolStore store, List<Replica> replicas) {
    RegistryModel m = new RegistryModel(store);
    for (Replica r : replicas) {
      m.entries.put(r.name(), r);
      m.lvstores.put(r.name(), InMemoryLvolStore.DEFAULT_LVSTORE);
    }
    return m;
  }

  /** The model's store: inject faults, lose and put lvols here as in the real one. */
  public InMemoryLvolStore store() {
    return store;
  }

  /** How many tries a settle loop makes before it gives up (the registry's deadline, here). */
  static final int MAX_TRIES = 10_000;

  /**
   * V4's create: reserve; look the name and its rebuilding lvol up; create the head lvol;
   * running. A rejected call fails with nothing made. An unknown outcome is settled: delete until
   * a delete succeeds, probing with a create of the name whenever the delete finds nothing; then
   * fail, nothing left.
   */
  public Replica create(String name, long sizeBytes) {
    return make(name, sizeBytes, false);
  }

  /**
   * V4's beginRebuild: a create (the same look-ups) of the lvol {@code <name>-rebuilding},
   * ending REBUILDING; its rollback and probes are of that lvol.
   */
  public Replica beginRebuild(String name, long sizeBytes) {
    return make(name, sizeBytes, true);
  }

  private Replica make(String name, long sizeBytes, boolean rebuild) {
    String lvolName = rebuild ? name + LvolKind.REBUILDING_SUFFIX : name;
    ReplicaNames.validate(name);
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("sizeBytes must be positive: " + sizeBytes);
    }
    ensureOpen();
    if (entries.containsKey(name)) {
      throw new ReplicaAlreadyExistsException(name, "replica " + name + " already exists");
    }
    boolean orphan;
    try {
      orphan = store.findLvol(name).isPresent()
          || store.findLvol(name + LvolKind.REBUILDING_SUFFIX).isPresent();
    } catch (StoreException e) {
      throw new ReplicaStoreException(name, "create of " + name + " failed; nothing made", e);
    }
    if (orphan) {
      throw new ReplicaAlreadyExistsException(
          name, "an lvol named " + name + " exists in the store but no replica owns it");
    }
    Lvol lvol;
    try {
      lvol = store.createLvol(lvolName, sizeBytes);
    } catch (LvolAlreadyExistsException e) {
      throw new ReplicaAlreadyExistsException(
          name, "an lvol named " + name + " exists or is being created in the store");
    } catch (StoreException e) {
      if (e.outcomeKnown()) {
        throw new ReplicaStoreException(name, "create of " + name + " failed; nothing made", e);
      }
      for (int i = 0; i < MAX_TRIES; i++) {
        try {
          store.deleteLvol(lvolName);
          throw new ReplicaStoreException(name, "create of " + name + " failed; rolled back", e);
        } catch (LvolNotFoundException gone) {
          try {
            store.createLvol(lvolName, sizeBytes); // the probe
          } catch (StoreException probe) {
            // EEXIST: pending or landed; otherwise not settled either: try again
          }
        } catch (StoreException retry) {
          // busy, rejected or unknown: try again
        }
      }
      entries.put(name, new Replica(name, ReplicaState.ERROR, null, sizeBytes,
          "create outcome unknown: delete the replica to settle it"));
      lvstores.remove(name);
      throw new ReplicaOutcomeUnknownException(name, "create of " + name + " gave up", e);
    }
    Replica running = new Replica(name, rebuild ? ReplicaState.REBUILDING : ReplicaState.RUNNING, lvol.uuid(),
        sizeBytes, null);
    entries.put(name, running);
    lvstores.put(name, lvol.lvstore());
    lostFrom.remove(name);
    return running;
  }

  /**
   * V4's delete: delete the rebuilding lvol of the name, then the head (not-found counts as
   * done, except where a create of the name may be pending: no entry, or an entry in error; there
   * a probe create must succeed, or the head delete succeed, first), then remove the entry.
   * Busy and unknown outcomes are tried again; a rejection leaves the entry in error (created in
   * error if there was none).
   */
  public void delete(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    Replica prior = entries.get(name);
    boolean probe = prior == null || prior.state() == ReplicaState.ERROR;
    List<String> known = prior == null ? List.of() : prior.snapshots();
    List<String> chain = known;
    StoreException failure = null;
    ReplicaState was = prior == null ? null : prior.state();
    boolean readHead = was == null || was == ReplicaState.ERROR || was == ReplicaState.STOPPED;
    boolean readRebuilding = was != ReplicaState.REBUILDING;
    boolean chainSettled = !(readHead || readRebuilding); // the chains V4 reads from the store
    for (int i = 0; i < MAX_TRIES && !chainSettled && failure == null; i++) {
      try {
        chain = new ArrayList<>(chainInStore(name, readHead, readRebuilding));
        for (String s : known) {
          if (!chain.contains(s)) {
            chain.add(s);
          }
        }
        chainSettled = true;
      } catch (StoreException e) {
        if (definite(e)) {
          failure = e;
        }
      }
    }
    boolean settled = false;
    for (int i = 0; i < MAX_TRIES && failure == null && chainSettled && !settled; i++) {
      try {
        store.deleteLvol(name + LvolKind.REBUILDING_SUFFIX);
        settled = true;
      } catch (LvolNotFoundException e) {
        settled = true;
      } catch (StoreException e) {
        if (definite(e)) {
          failure = e;
        }
      }
    }
    boolean headSettled = false;
    for (int i = 0; i < MAX_TRIES && failure == null && settled && !headSettled; i++) {
      try {
        store.deleteLvol(name);
        headSettled = true;
      } catch (LvolNotFoundException e) {
        if (!probe) {
          headSettled = true;
        } else {
          try {
            store.createLvol(name, PROBE_BYTES);
          } catch (LvolAlreadyExistsException pending) {
            // landed or pending: delete again
          } catch (StoreException p) {
            if (definite(p)) {
              failure = p;
            }
          }
        }
      } catch (StoreException e) {
        if (definite(e)) {
          failure = e;
        }
      }
    }
    for (int c = chain.size() - 1; c >= 0 && failure == null && settled && headSettled; c--) {
      boolean done = false;
      for (int i = 0; i < MAX_TRIES && failure == null && !done; i++) {
        try {
          store.deleteLvol(ReplicaNames.snapshotLvol(name, chain.get(c)));
          done = true;
        } catch (LvolNotFoundException e) {
          done = true;
        } catch (StoreException e) {
          if (definite(e)) {
            failure = e;
          }
        }
      }
      headSettled = done;
    }
    if (failure == null && !(settled && headSettled)) {
      putError(name, prior, "delete outcome unknown");
      throw new ReplicaOutcomeUnknownException(name, "delete of " + name + " gave up", null);
    }
    if (failure != null) {
      putError(name, prior, "delete failed: " + failure.getMessage());
      throw new ReplicaStoreException(name, "delete of " + name + " failed; left in error", failure);
    }
    entries.remove(name);
    lvstores.remove(name);
    lostFrom.remove(name);
  }

  /**
   * V4's look-ups of a name's chains (its head's, then its rebuilding lvol's, as asked) before
   * its delete (same calls as the registry).
   */
  private List<String> chainInStore(String name, boolean head, boolean rebuilding) throws StoreException {
    List<String> chain = head ? chainFrom(name, store.findLvol(name)) : new ArrayList<>();
    if (rebuilding) {
      for (String s : chainFrom(name, store.findLvol(name + LvolKind.REBUILDING_SUFFIX))) {
        if (!chain.contains(s)) {
          chain.add(s);
        }
      }
    }
    return chain;
  }

  private void putError(String name, Replica prior, String reason) {
    String uuid = prior == null ? null : prior.lvolUuid();
    long size = prior == null ? 0 : prior.sizeBytes();
    entries.put(name, new Replica(name, ReplicaState.ERROR, uuid, size, reason,
        prior == null ? List.of() : prior.snapshots()));
    lostFrom.remove(name);
  }

  private static boolean definite(StoreException e) {
    return e.outcomeKnown() && !(e instanceof LvolBusyException);
  }

  /**
   * V4's recover: a replica in error for a missing lvol whose lvol, same UUID, is in the store
   * again returns to the state it had.
   */
  public Replica recover(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    Replica r = entries.get(name);
    ReplicaState before = lostFrom.get(name);
    if (r == null || r.state() != ReplicaState.ERROR || before == null || r.lvolUuid() == null) {
      throw new ReplicaStateException(name, "recover: " + name + " is not in error for a missing lvol");
    }
    Optional<Lvol> lvol;
    try {
      lvol = store.findLvol(name);
    } catch (StoreException e) {
      throw new ReplicaStoreException(name, "recover of " + name + ": look-up failed", e);
    }
    if (lvol.isEmpty() || lvol.get().kind() != LvolKind.HEAD || !lvol.get().uuid().equals(r.lvolUuid())) {
      throw new ReplicaStateException(name, "recover: the lvol of " + name + " is not back");
    }
    Replica back = new Replica(name, before, r.lvolUuid(), r.sizeBytes(), null, r.snapshots());
    entries.put(name, back);
    lvstores.put(name, lvol.get().lvstore());
    lostFrom.remove(name);
    return back;
  }

  /** The entry of {@code name}. */
  public Optional<Replica> get(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    return Optional.ofNullable(entries.get(name));
  }

  /** Every entry, sorted by name. */
  public List<Replica> list() {
    ensureOpen();
    return List.copyOf(entries.values());
  }

  /**
   * V4's round run alone: a running or stopped replica with neither head nor rebuilding lvol
   * listed becomes error, if the listing is certain about it (its lvol store covered, no
   * unreadable entry that could be it; else it is skipped); a head listed under a new UUID is
   * followed (relinked); a head lvol (with a valid replica name) that no entry owns is adopted as
   * stopped; lvols of no replica are counted. A failed listing changes nothing.
   */
  public VerifyReport verify() {
    ensureOpen();
    LvolListing listing;
    try {
      listing = store.listLvols();
    } catch (StoreException e) {
      throw new ReplicaStoreException(null, "verify: listing lvols failed; nothing changed", e);
    }
    List<Lvol> lvols = listing.lvols();
    long stamp = ++rounds;
    Map<String, Lvol> heads = new HashMap<>();
    Set<String> rebuilding = new HashSet<>();
    List<Lvol> others = new ArrayList<>();
    int nonReplica = 0;
    for (Lvol l : lvols) {
      switch (l.kind()) {
        case HEAD -> {
          if (ReplicaNames.isValid(l.name())) {
            heads.put(l.name(), l);
          } else {
            nonReplica++;
          }
        }
        case REBUILDING -> {
          rebuilding.add(l.replicaName());
          others.add(l);
        }
        case SNAPSHOT -> others.add(l);
        case OTHER -> nonReplica++;
      }
    }
    TreeSet<String> names = new TreeSet<>(entries.keySet());
    names.addAll(heads.keySet());
    List<Change> changes = new ArrayList<>();
    List<Skip> skipped = new ArrayList<>();
    List<String> recoverable = new ArrayList<>();
    for (String n : names) {
      Replica r = entries.get(n);
      Lvol head = heads.get(n);
      boolean healthy = r != null
          && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED);
      if (healthy && head == null && !rebuilding.contains(n)) {
        String lvs = lvstores.get(n);
        if (!listing.certainAbout(n, lvs) || !listing.certainAbout(n + LvolKind.REBUILDING_SUFFIX, lvs)) {
          boolean storeMissing = lvs == null
              ? !listing.missingLvstores().isEmpty() : listing.missingLvstores().contains(lvs);
          skipped.add(new Skip(n, storeMissing ? SkipReason.LVSTORE_NOT_LISTED : SkipReason.UNREADABLE_ENTRY));
          continue;
        }
        Replica err = new Replica(n, ReplicaState.ERROR, r.lvolUuid(), r.sizeBytes(),
            "lvol " + n + " not found in the store", r.snapshots());
        entries.put(n, err);
        lostFrom.put(n, r.state());
        changes.add(new Change(n, ChangeKind.MARKED_ERROR, err));
      } else if (healthy && head != null && r.lvolUuid() != null && !r.lvolUuid().equals(head.uuid())) {
        Replica relinked = new Replica(n, r.state(), head.uuid(), r.sizeBytes(), null, r.snapshots());
        entries.put(n, relinked);
        lvstores.put(n, head.lvstore());
        changes.add(new Change(n, ChangeKind.RELINKED, relinked));
      } else if (r == null && head != null) {
        Map<String, Lvol> byName = new HashMap<>();
        for (Lvol l : lvols) {
          byName.put(l.name(), l);
        }
        List<String> chain = new ArrayList<>();
        String prefix = n + LvolKind.SNAPSHOT_INFIX;
        for (Lvol at = head; at.parent() != null && at.parent().startsWith(prefix)
            && byName.containsKey(at.parent()) && chain.size() < lvols.size(); at = byName.get(at.parent())) {
          chain.add(0, at.parent().substring(prefix.length()));
        }
        Replica adopted = new Replica(n, ReplicaState.STOPPED, head.uuid(), head.sizeBytes(), null, chain);
        entries.put(n, adopted);
        lvstores.put(n, head.lvstore());
        changes.add(new Change(n, ChangeKind.ADOPTED, adopted));
      } else if (r != null && r.state() == ReplicaState.ERROR && lostFrom.containsKey(n) && head != null
          && head.uuid().equals(r.lvolUuid())) {
        recoverable.add(n);
      }
    }
    List<String> orphans = new ArrayList<>();
    for (Lvol l : others) {
      if (!entries.containsKey(l.replicaName()) && !heads.containsKey(l.replicaName())) {
        orphans.add(l.name());
      }
    }
    orphans.sort(null);
    return new VerifyReport(stamp, lvols.size(), changes, skipped, orphans, nonReplica,
        listing.missingLvstores(), listing.unreadable().size(), recoverable);
  }

  /**
   * V4's snapshot: of a RUNNING (or REBUILDING) replica's data lvol; the chain grows. No faults
   * are settled here (the Lincheck stores inject none into snapshot calls).
   */
  public Replica snapshot(String name, String snapshotName) {
    ReplicaNames.validate(name);
    ReplicaNames.validateSnapshot(name, snapshotName);
    ensureOpen();
    Replica r = entries.get(name);
    if (r == null || (r.state() != ReplicaState.RUNNING && r.state() != ReplicaState.REBUILDING)) {
      throw new ReplicaStateException(name, "snapshot: not allowed");
    }
    if (r.snapshots().contains(snapshotName)) {
      throw new ReplicaStateException(name, "snapshot: already in the chain");
    }
    String target = r.state() == ReplicaState.REBUILDING ? name + LvolKind.REBUILDING_SUFFIX : name;
    String snapLvol = ReplicaNames.snapshotLvol(name, snapshotName);
    List<String> chain = new ArrayList<>(r.snapshots());
    chain.add(snapshotName);
    StoreException unknown = null;
    for (int i = 0; i < MAX_TRIES; i++) {
      StoreException failure;
      try {
        store.snapshotLvol(target, snapLvol);
        return put(r, chain, null);
      } catch (StoreException e) {
        failure = e;
      }
      boolean exists = failure instanceof LvolAlreadyExistsException;
      if (!exists && failure.outcomeKnown() && unknown == null) {
        throw new ReplicaStoreException(name, "snapshot failed; nothing changed", failure);
      }
      if (failure instanceof LvolNotFoundException && unknown != null) {
        try {
          if (store.findLvol(snapLvol).isPresent()) {
            return put(r, chain, null);
          }
          throw new ReplicaStoreException(name, "snapshot failed: data lvol gone", failure);
        } catch (StoreException e) {
          // not known: settle on
        }
      }
      if (!failure.outcomeKnown() && unknown == null) {
        unknown = failure;
      }
      try {
        Optional<Lvol> look = store.findLvol(target);
        if (look.isPresent() && snapLvol.equals(look.get().parent())) {
          return put(r, chain, null);
        }
      } catch (StoreException e) {
        // not settled
      }
      if (exists && unknown == null) {
        try {
          if (store.findLvol(snapLvol).isPresent()) {
            throw new ReplicaStateException(name, "snapshot: a foreign lvol has its name");
          }
        } catch (StoreException e) {
          // not known
        }
        unknown = failure;
      }
    }
    put(r, chain, "snapshot outcome unknown");
    throw new ReplicaOutcomeUnknownException(name, "snapshot gave up", unknown);
  }

  private Replica put(Replica r, List<String> chain, String error) {
    Replica next = new Replica(r.name(), error == null ? r.state() : ReplicaState.ERROR, r.lvolUuid(),
        r.sizeBytes(), error, chain);
    entries.put(r.name(), next);
    return next;
  }

  /** V4's deleteSnapshot: "not found" counts as deleted; two clones refuse; busy and unknown retried. */
  public Replica deleteSnapshot(String name, String snapshotName) {
    ReplicaNames.validate(name);
    ReplicaNames.validateSnapshot(name, snapshotName);
    ensureOpen();
    Replica r = entries.get(name);
    if (r == null || (r.state() != ReplicaState.RUNNING && r.state() != ReplicaState.STOPPED
        && r.state() != ReplicaState.REBUILDING) || !r.snapshots().contains(snapshotName)) {
      throw new ReplicaStateException(name, "deleteSnapshot: not allowed");
    }
    StoreException last = null;
    for (int i = 0; i < MAX_TRIES; i++) {
      try {
        store.deleteLvol(ReplicaNames.snapshotLvol(name, snapshotName));
      } catch (LvolNotFoundException e) {
        // gone already
      } catch (dev.replicalifecycle.store.LvolHasClonesException e) {
        throw new ReplicaStateException(name, "two clones");
      } catch (StoreException e) {
        if (definite(e)) {
          throw new ReplicaStoreException(name, "deleteSnapshot failed; nothing changed", e);
        }
        last = e;
        continue;
      }
      List<String> chain = new ArrayList<>(r.snapshots());
      chain.remove(snapshotName);
      return put(r, chain, r.errorReason());
    }
    throw new ReplicaOutcomeUnknownException(name, "deleteSnapshot gave up", last);
  }

  /**
   * V4's start: a RUNNING replica is returned as it is; a STOPPED one looks its head up (the one
   * it adopted, by UUID) and walks the head's parents for its chain, then runs; without that head
   * nothing changes (start never makes an lvol). Unknown outcomes are tried again.
   */
  public Replica start(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    Replica r = entries.get(name);
    if (r == null || (r.state() != ReplicaState.STOPPED && r.state() != ReplicaState.RUNNING)) {
      throw new ReplicaStateException(name, "start: not allowed");
    }
    if (r.state() == ReplicaState.RUNNING) {
      return r;
    }
    StoreException last = null;
    for (int i = 0; i < MAX_TRIES; i++) {
      try {
        Optional<Lvol> head = store.findLvol(name);
        if (head.isEmpty() || head.get().kind() != LvolKind.HEAD
            || (r.lvolUuid() != null && !r.lvolUuid().equals(head.get().uuid()))) {
          throw new ReplicaStateException(name, "start: no head");
        }
        List<String> chain = chainFrom(name, head);
        Replica running = new Replica(name, ReplicaState.RUNNING, head.get().uuid(), r.sizeBytes(), null, chain);
        entries.put(name, running);
        lvstores.put(name, head.get().lvstore());
        lostFrom.remove(name);
        return running;
      } catch (StoreException e) {
        if (definite(e)) {
          throw new ReplicaStoreException(name, "start: look-up failed", e);
        }
        last = e;
      }
    }
    throw new ReplicaStoreException(name, "start: look-ups did not settle", last);
  }

  /** The chain below {@code at}, looked up parent by parent (the registry's calls). */
  private List<String> chainFrom(String name, Optional<Lvol> at) throws StoreException {
    List<String> chain = new ArrayList<>();
    String prefix = name + LvolKind.SNAPSHOT_INFIX;
    while (at.isPresent() && at.get().parent() != null && at.get().parent().startsWith(prefix)
        && LvolKind.of(at.get().parent()) == LvolKind.SNAPSHOT && chain.size() < 10_000) {
      chain.add(0, at.get().parent().substring(prefix.length()));
      at = store.findLvol(at.get().parent());
    }
    return chain;
  }

  /**
   * V4's finishRebuild: rename {@code <name>-rebuilding} to {@code <name>}; an unknown outcome
   * is settled by the head's UUID (the rebuilding lvol's), else renamed again; after it a
   * rejection says nothing. Gives up with the replica in error.
   */
  public Replica finishRebuild(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    Replica r = entries.get(name);
    if (r == null || r.state() != ReplicaState.REBUILDING) {
      throw new ReplicaStateException(name, "finishRebuild: not REBUILDING");
    }
    StoreException unknown = null;
    for (int i = 0; i < MAX_TRIES; i++) {
      StoreException last;
      try {
        Lvol head = store.renameLvol(name + LvolKind.REBUILDING_SUFFIX, name);
        return finished(r, head);
      } catch (StoreException e) {
        last = e;
        if (e.outcomeKnown() && unknown == null) {
          throw new ReplicaStoreException(name, "finishRebuild: rename failed; nothing changed", e);
        }
        if (!e.outcomeKnown()) {
          unknown = e;
        }
      }
      boolean taken = false;
      try {
        Optional<Lvol> head = store.findLvol(name);
        if (head.isPresent() && (r.lvolUuid() == null || r.lvolUuid().equals(head.get().uuid()))) {
          return finished(r, head.get());
        }
        if (head.isPresent() && last instanceof LvolAlreadyExistsException) {
          Optional<Lvol> ours = store.findLvol(name + LvolKind.REBUILDING_SUFFIX);
          taken = ours.isPresent() && (r.lvolUuid() == null || r.lvolUuid().equals(ours.get().uuid()));
        }
      } catch (StoreException e) {
        // not settled
      }
      if (taken) {
        put(r, r.snapshots(), "finishRebuild outcome unknown: the head's name is taken");
        throw new ReplicaOutcomeUnknownException(name, "finishRebuild gave up: the head's name is taken", unknown);
      }
    }
    put(r, r.snapshots(), "finishRebuild outcome unknown");
    throw new ReplicaOutcomeUnknownException(name, "finishRebuild gave up", unknown);
  }

  private Replica finished(Replica r, Lvol head) {
    Replica running = new Replica(r.name(), ReplicaState.RUNNING, head.uuid(), r.sizeBytes(), null, r.snapshots());
    entries.put(r.name(), running);
    lvstores.put(r.name(), head.lvstore());
    lostFrom.remove(r.name());
    return running;
  }

  /** V4's abortRebuild: the delete of a REBUILDING replica; any other is refused. */
  public void abortRebuild(String name) {
    ReplicaNames.validate(name);
    ensureOpen();
    Replica r = entries.get(name);
    if (r == null || r.state() != ReplicaState.REBUILDING) {
      throw new ReplicaStateException(name, "abortRebuild: not REBUILDING");
    }
    delete(name);
  }

  /** A server restart: the map is lost (a new registry over the same store), lvols stay. */
  public void restart() {
    entries.clear();
    lvstores.clear();
    lostFrom.clear();
    closed = false;
  }

  /** V4's close: every call refuses. */
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
