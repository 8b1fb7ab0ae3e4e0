package dev.replicalifecycle.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link LvolStore} in memory, with SPDK's fault model: for tests, examples and benchmarks.
 *
 * <p>Each call is atomic, like one SPDK RPC: the lvol table is changed under one internal lock,
 * held only for the change itself (injected latency is spent outside it, so slow calls overlap as
 * they do against SPDK). UUIDs are deterministic ({@code 00000000-0000-0000-0000-<sequence>}) so
 * that runs can be replayed. Lvols live in lvol stores; {@link #createLvol} uses {@link
 * #DEFAULT_LVSTORE}, {@link #putLvol(String, long, LvolKind, String)} any.
 *
 * <p>Faults: {@link #failNext(Call, int, Fault)} makes the next calls of a kind fail in a chosen
 * way; {@link Fault#TIMEOUT_LATE} leaves the call <em>started</em>, as SPDK does with a request
 * it never answered in time: a create's name is taken but not listed, a delete's lvol is no longer
 * listed or found but its name is taken and another delete is refused as busy, until the call lands ({@link #landLate}, or on its own after
 * {@link #setLateLanding} more calls) or is dropped ({@link #dropLate}). {@link #hideLvstore}
 * and {@link #unreadable} make listings partial. {@link #setLatency} slows a kind of call down,
 * {@link #loseLvol} makes an lvol disappear (disk loss), {@link #putLvol} adds one behind the
 * registry's back (orphans, snapshots, rebuilding lvols, backing images). Snapshots and clones
 * follow SPDK: {@link #snapshotLvol} makes the lvol a clone of a new read-only snapshot, {@link
 * #deleteLvol} refuses a snapshot with more than one clone and gives a single clone its parent,
 * {@link #cloneSnapshot} clones only snapshots.
 *
 * <p><b>Thread-safety:</b> safe for concurrent use; every public method is linearizable. The
 * {@link LateListener} is called under the store's lock, on the thread whose call landed the late
 * call: it must not call the store.
 */
public final class InMemoryLvolStore implements LvolStore {

  /** The kinds of store call, for fault injection and counting. */
  public enum Call {
    CREATE,
    DELETE,
    LIST,
    /** {@link InMemoryLvolStore#findLvol(String)}. */
    FIND,
    /** {@link InMemoryLvolStore#snapshotLvol(String, String)}. */
    SNAPSHOT,
    /** {@link InMemoryLvolStore#cloneSnapshot(String, String)}. */
    CLONE,
    /** {@link InMemoryLvolStore#renameLvol(String, String)}. */
    RENAME
  }

  /** How an injected fault makes a call fail. */
  public enum Fault {
    /** An error answer (-16 EBUSY, "Device or resource busy"); nothing applied. */
    REJECT,
    /** The store cannot be reached; nothing applied, but the caller cannot know that. */
    UNAVAILABLE,
    /** A timeout; the call was not applied and never will be. */
    TIMEOUT_BEFORE_APPLY,
    /** A timeout; the call was applied, but its answer was lost. */
    TIMEOUT_AFTER_APPLY,
    /**
     * A timeout; the store started the call and finishes it later (a create or delete that
     * would succeed is left pending; any other call behaves as {@link #TIMEOUT_BEFORE_APPLY}).
     */
    TIMEOUT_LATE
  }

  /** Observes pending calls that land or are dropped (conformance recorders). */
  public interface LateListener {
    /**
     * A pending call finished.
     *
     * @param lvol the lvol name
     * @param create {@code true} for a create, {@code false} for a delete
     * @param applied {@code true} if it took effect, {@code false} if it was dropped
     */
    void finished(String lvol, boolean create, boolean applied);
  }

  /** Code and message of a {@link Fault#REJECT}: what SPDK sends for EBUSY. */
  public static final int REJECT_CODE = -16;

  /** The lvol store {@link #createLvol} creates in. */
  public static final String DEFAULT_LVSTORE = "lvs0";

  /** A call the store started and did not finish: a create or a delete of an lvol. */
  private record Pending(boolean create, long sizeBytes, int callsLeft) {}

  private final Object lock = new Object();
  private final Map<String, Lvol> lvols = new TreeMap<>();
  /** The lvols that are read-only snapshots (what SPDK's {@code snapshot: true} says). */
  private final Set<String> snapshots = new HashSet<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, Integer> hidden = new HashMap<>();
  private final Map<String, Integer> unreadable = new HashMap<>();
  private final Map<Call, Deque<Fault>> faults = new EnumMap<>(Call.class);
  private final Map<Call, Duration> latency = new EnumMap<>(Call.class);
  private final Map<Call, AtomicLong> calls = new EnumMap<>(Call.class);
  private int lateLanding = 3;
  private LateListener lateListener;
  private java.util.function.Function<String, String> placement = name -> DEFAULT_LVSTORE;
  private long uuidSequence;

  /** An empty store. */
  public InMemoryLvolStore() {
    for (Call c : Call.values()) {
      faults.put(c, new ArrayDeque<>());
      latency.put(c, Duration.ZERO);
      calls.put(c, new AtomicLong());
    }
  }

  @Override
  public Lvol createLvol(String name, long sizeBytes) throws StoreException {
    Objects.requireNonNull(name, "name");
    Fault fault = begin(Call.CREATE);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY && fault != Fault.TIMEOUT_LATE) {
      throw failure(Call.CREATE, fault, name);
    }
    Lvol created;
    synchronized (lock) {
      if (lvols.containsKey(name) || pending.containsKey(name)) {
        if (fault != null) {
          throw failure(Call.CREATE, fault, name); // its answer, EEXIST, was lost
        }
        throw new LvolAlreadyExistsException("File exists: lvol " + name);
      }
      if (fault == Fault.TIMEOUT_LATE) {
        pending.put(name, new Pending(true, sizeBytes, lateLanding));
        throw failure(Call.CREATE, fault, name);
      }
      created = Lvol.of(name, nextUuid(), sizeBytes, placement.apply(name));
      lvols.put(name, created);
    }
    if (fault != null) {
      throw failure(Call.CREATE, fault, name);
    }
    return created;
  }

  @Override
  public void deleteLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    Fault fault = begin(Call.DELETE);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY && fault != Fault.TIMEOUT_LATE) {
      throw failure(Call.DELETE, fault, name);
    }
    synchronized (lock) {
      Pending p = pending.get(name);
      if (p != null && !p.create()) {
        if (fault != null) {
          throw failure(Call.DELETE, fault, name);
        }
        throw new LvolBusyException("Device or resource busy: lvol " + name + " is being deleted");
      }
      if (!lvols.containsKey(name)) {
        if (fault != null) {
          throw failure(Call.DELETE, fault, name);
        }
        throw new LvolNotFoundException("No such device: lvol " + name);
      }
      int clones = clonesOf(name).size();
      if (clones > 1) {
        if (fault != null) {
          throw failure(Call.DELETE, fault, name);
        }
        throw new LvolHasClonesException(
            "Operation not permitted: snapshot " + name + " has " + clones + " clones");
      }
      if (fault == Fault.TIMEOUT_LATE) {
        pending.put(name, new Pending(false, 0, lateLanding));
      } else {
        remove(name);
      }
    }
    if (fault != null) {
      throw failure(Call.DELETE, fault, name);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Faults: as for a create ({@link Fault#TIMEOUT_LATE} behaves as {@link
   * Fault#TIMEOUT_BEFORE_APPLY}: a snapshot is never left pending).
   */
  @Override
  public Lvol snapshotLvol(String name, String snapshotName) throws StoreException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(snapshotName, "snapshotName");
    Fault fault = begin(Call.SNAPSHOT);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY) {
      throw failure(Call.SNAPSHOT, fault, name);
    }
    Lvol snapshot;
    synchronized (lock) {
      Lvol origin = deleting(name) ? null : lvols.get(name);
      StoreException refused = null;
      if (origin == null) {
        refused = new LvolNotFoundException("No such device: lvol " + name);
      } else if (lvols.containsKey(snapshotName) || pending.containsKey(snapshotName)) {
        refused = new LvolAlreadyExistsException("File exists: lvol " + snapshotName);
      } else if (snapshots.contains(name)) {
        refused = new StoreRejectedException(-32602, "Invalid argument"); // SPDK: no snapshot of a snapshot
      }
      if (refused != null) {
        throw fault != null ? failure(Call.SNAPSHOT, fault, name) : refused;
      }
      LvolKind kind = LvolKind.of(snapshotName) == LvolKind.SNAPSHOT ? LvolKind.SNAPSHOT : LvolKind.OTHER;
      snapshot = new Lvol(snapshotName, nextUuid(), origin.sizeBytes(), kind, origin.lvstore(),
          origin.parent());
      lvols.put(snapshotName, snapshot);
      snapshots.add(snapshotName);
      lvols.put(name, origin.withParent(snapshotName));
    }
    if (fault != null) {
      throw failure(Call.SNAPSHOT, fault, name);
    }
    return snapshot;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Faults: as for {@link #snapshotLvol}.
   */
  @Override
  public Lvol cloneSnapshot(String snapshotName, String cloneName) throws StoreException {
    Objects.requireNonNull(snapshotName, "snapshotName");
    Objects.requireNonNull(cloneName, "cloneName");
    Fault fault = begin(Call.CLONE);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY) {
      throw failure(Call.CLONE, fault, cloneName);
    }
    Lvol clone;
    synchronized (lock) {
      Lvol origin = deleting(snapshotName) ? null : lvols.get(snapshotName);
      StoreException refused = null;
      if (origin == null) {
        refused = new LvolNotFoundException("No such device: lvol " + snapshotName);
      } else if (lvols.containsKey(cloneName) || pending.containsKey(cloneName)) {
        refused = new LvolAlreadyExistsException("File exists: lvol " + cloneName);
      } else if (!snapshots.contains(snapshotName)) {
        refused = new StoreRejectedException(-32602, "Invalid argument");
      }
      if (refused != null) {
        throw fault != null ? failure(Call.CLONE, fault, cloneName) : refused;
      }
      clone = new Lvol(cloneName, nextUuid(), origin.sizeBytes(), LvolKind.of(cloneName),
          origin.lvstore(), snapshotName);
      lvols.put(cloneName, clone);
    }
    if (fault != null) {
      throw failure(Call.CLONE, fault, cloneName);
    }
    return clone;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Faults: as for {@link #snapshotLvol}. The lvol's kind follows its new name. A snapshot
   * cannot be renamed (-32602 "Operation not permitted", as SPDK v26.05 answers).
   */
  @Override
  public Lvol renameLvol(String name, String newName) throws StoreException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(newName, "newName");
    Fault fault = begin(Call.RENAME);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY) {
      throw failure(Call.RENAME, fault, name);
    }
    Lvol renamed;
    synchronized (lock) {
      Lvol origin = deleting(name) ? null : lvols.get(name);
      StoreException refused = null;
      if (origin == null) {
        refused = new LvolNotFoundException("No such device: lvol " + name);
      } else if (lvols.containsKey(newName) || pending.containsKey(newName)) {
        refused = new LvolAlreadyExistsException("File exists: lvol " + newName);
      } else if (snapshots.contains(name)) {
        // SPDK v26.05 refuses to rename a snapshot
        refused = new StoreRejectedException(-32602, "Operation not permitted");
      }
      if (refused != null) {
        throw fault != null ? failure(Call.RENAME, fault, name) : refused;
      }
      renamed = new Lvol(newName, origin.uuid(), origin.sizeBytes(), LvolKind.of(newName),
          origin.lvstore(), origin.parent());
      lvols.remove(name);
      lvols.put(newName, renamed);
    }
    if (fault != null) {
      throw failure(Call.RENAME, fault, name);
    }
    return renamed;
  }

  /** The lvols cloned from {@code name}. Under the lock. */
  private List<Lvol> clonesOf(String name) {
    List<Lvol> out = new ArrayList<>();
    for (Lvol l : lvols.values()) {
      if (name.equals(l.parent())) {
        out.add(l);
      }
    }
    return out;
  }

  /** Removes an lvol; its one clone (if any) takes its parent. Under the lock. */
  private void remove(String name) {
    Lvol gone = lvols.remove(name);
    if (gone == null) {
      return;
    }
    snapshots.remove(name);
    for (Lvol child : clonesOf(name)) {
      lvols.put(child.name(), child.withParent(gone.parent()));
    }
  }

  @Override
  public LvolListing listLvols() throws StoreException {
    Fault fault = begin(Call.LIST);
    if (fault != null) {
      throw failure(Call.LIST, fault, "");
    }
    synchronized (lock) {
      List<Lvol> read = new ArrayList<>();
      List<LvolListing.Unreadable> unread = new ArrayList<>();
      for (Lvol l : lvols.values()) {
        if (hidden.containsKey(l.lvstore()) || deleting(l.name())) {
          continue; // a store unregisters an lvol it starts deleting: no longer listed
        }
        if (unreadable.containsKey(l.name())) {
          unread.add(new LvolListing.Unreadable(l.lvstore(), Set.of(l.name()),
              "injected: entry of lvol " + l.name() + " unreadable"));
        } else {
          read.add(l);
        }
      }
      Set<String> missing = new HashSet<>(hidden.keySet());
      countDown(hidden);
      countDown(unreadable);
      return new LvolListing(read, missing, unread);
    }
  }

  @Override
  public Optional<Lvol> findLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    Fault fault = begin(Call.FIND);
    if (fault != null) {
      throw failure(Call.FIND, fault, name);
    }
    synchronized (lock) {
      return deleting(name) ? Optional.empty() : Optional.ofNullable(lvols.get(name));
    }
  }

  /** A delete of this lvol is pending. Under the lock. */
  private boolean deleting(String name) {
    Pending p = pending.get(name);
    return p != null && !p.create();
  }

  // ------------------------------------------------------------------ faults and the environment

  /** The faults still queued for calls of kind {@code call}, next first. */
  public List<Fault> pendingFaults(Call call) {
    synchronized (lock) {
      return List.copyOf(faults.get(call));
    }
  }

  /** Makes the next {@code count} calls of kind {@code call} fail with {@code fault}. */
  public void failNext(Call call, int count, Fault fault) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(fault, "fault");
    if (count < 0) {
      throw new IllegalArgumentException("count < 0: " + count);
    }
    synchronized (lock) {
      for (int i = 0; i < count; i++) {
        faults.get(call).addLast(fault);
      }
    }
  }

  /**
   * Removes every injected fault not yet taken: queued call faults, hidden lvol stores, unreadable
   * entries (not the pending late calls: see {@link #landLate}).
   */
  public void clearFaults() {
    synchronized (lock) {
      faults.values().forEach(Deque::clear);
      hidden.clear();
      unreadable.clear();
    }
  }

  /**
   * A new store in exactly this store's state: lvols, pending late calls, queued faults, hidden
   * lvol stores, unreadable entries, late landing, UUID sequence and call counts (not the late
   * listener or the latencies). For test oracles that must make the same calls and get the same
   * answers from here on.
   */
  public InMemoryLvolStore copy() {
    InMemoryLvolStore c = new InMemoryLvolStore();
    synchronized (lock) {
      c.lvols.putAll(lvols);
      c.snapshots.addAll(snapshots);
      c.pending.putAll(pending);
      c.hidden.putAll(hidden);
      c.unreadable.putAll(unreadable);
      faults.forEach((k, v) -> c.faults.get(k).addAll(v));
      calls.forEach((k, v) -> c.calls.get(k).set(v.get()));
      c.lateLanding = lateLanding;
      c.placement = placement;
      c.uuidSequence = uuidSequence;
    }
    return c;
  }

  /** Makes every call of kind {@code call} take at least {@code delay} (zero turns it off). */
  public void setLatency(Call call, Duration delay) {
    Objects.requireNonNull(call, "call");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative latency: " + delay);
    }
    synchronized (lock) {
      latency.put(call, delay);
    }
  }

  /**
   * A call left pending by {@link Fault#TIMEOUT_LATE} lands on its own when this many more store
   * calls (of any kind) have begun; {@code 0}: never on its own, only through {@link #landLate}
   * or {@link #dropLate}. Applies to calls left pending from now on. Default 3.
   */
  public void setLateLanding(int calls) {
    if (calls < 0) {
      throw new IllegalArgumentException("calls < 0: " + calls);
    }
    synchronized (lock) {
      lateLanding = calls;
    }
  }

  /**
   * Which lvol store {@link #createLvol} (and a late create landing) puts an lvol of that name in;
   * default: {@link #DEFAULT_LVSTORE} for every name. With one lvol store per replica, a listing
   * can miss one replica's lvol store and cover another's ({@link #hideLvstore}).
   */
  public void setPlacement(java.util.function.Function<String, String> lvstoreOfName) {
    Objects.requireNonNull(lvstoreOfName, "lvstoreOfName");
    synchronized (lock) {
      placement = lvstoreOfName;
    }
  }

  /**
   * Starts a call as an earlier caller would have issued it before it died (a create of {@code
   * name}, or a delete): the store leaves it pending exactly as after a {@link
   * Fault#TIMEOUT_LATE}. Only where it can be pending: a create of a name with no lvol and no
   * pending call; a delete of an existing lvol with no pending call.
   *
   * @return whether the call is now pending
   */
  public boolean startPending(String name, boolean create, long sizeBytes) {
    Objects.requireNonNull(name, "name");
    synchronized (lock) {
      if (pending.containsKey(name) || (create == lvols.containsKey(name))) {
        return false;
      }
      pending.put(name, new Pending(create, sizeBytes, lateLanding));
      return true;
    }
  }

  /** Observes pending calls that finish; {@code null} to stop. */
  public void setLateListener(LateListener listener) {
    synchronized (lock) {
      lateListener = listener;
    }
  }

  /** The lvol names with a pending (started, unfinished) create or delete, oldest first. */
  public List<String> pendingLate() {
    synchronized (lock) {
      return List.copyOf(pending.keySet());
    }
  }

  /** Whether the pending call of that lvol is a create ({@code false}: a delete); empty if none. */
  public Optional<Boolean> pendingCreate(String name) {
    synchronized (lock) {
      Pending p = pending.get(name);
      return p == null ? Optional.empty() : Optional.of(p.create());
    }
  }

  /**
   * Finishes the pending call of lvol {@code name}: applies it ({@code true}) or drops it (an
   * asynchronous failure).
   *
   * @return whether there was one
   */
  public boolean finishLate(String name, boolean apply) {
    synchronized (lock) {
      Pending p = pending.remove(name);
      if (p == null) {
        return false;
      }
      finish(name, p, apply);
      return true;
    }
  }

  /** Applies every pending call; returns how many there were. */
  public int landLate() {
    return finishAll(true);
  }

  /** Drops every pending call; returns how many there were. */
  public int dropLate() {
    return finishAll(false);
  }

  /**
   * Makes the next {@code listings} listings miss lvol store {@code lvstore} (not loaded yet,
   * renamed): its lvols are absent and the listing reports it in {@link
   * LvolListing#missingLvstores()}.
   */
  public void hideLvstore(String lvstore, int listings) {
    Objects.requireNonNull(lvstore, "lvstore");
    if (listings < 0) {
      throw new IllegalArgumentException("listings < 0: " + listings);
    }
    synchronized (lock) {
      if (listings == 0) {
        hidden.remove(lvstore);
      } else {
        hidden.put(lvstore, listings);
      }
    }
  }

  /** Makes the entry of lvol {@code name} unreadable in the next {@code listings} listings. */
  public void unreadable(String name, int listings) {
    Objects.requireNonNull(name, "name");
    if (listings < 0) {
      throw new IllegalArgumentException("listings < 0: " + listings);
    }
    synchronized (lock) {
      if (listings == 0) {
        unreadable.remove(name);
      } else {
        unreadable.put(name, listings);
      }
    }
  }

  /**
   * Makes an lvol disappear, as a disk failure would, behind the registry's back. A delete of it
   * that was pending ends with it.
   *
   * @return whether there was such an lvol
   */
  public boolean loseLvol(String name) {
    synchronized (lock) {
      Pending p = pending.get(name);
      if (p != null && !p.create()) {
        pending.remove(name);
      }
      boolean present = lvols.containsKey(name);
      remove(name);
      return present;
    }
  }

  /**
   * Adds an lvol of the default lvol store behind the registry's back, its kind from its name (an
   * orphan from before a restart, a snapshot, a rebuilding lvol). Replaces an lvol of the same
   * name.
   */
  public Lvol putLvol(String name, long sizeBytes) {
    return putLvol(name, sizeBytes, LvolKind.of(name), DEFAULT_LVSTORE);
  }

  /** Adds an lvol of any kind and lvol store behind the registry's back. */
  public Lvol putLvol(String name, long sizeBytes, LvolKind kind, String lvstore) {
    Objects.requireNonNull(name, "name");
    synchronized (lock) {
      Lvol lvol = new Lvol(name, nextUuid(), sizeBytes, kind, lvstore);
      lvols.put(name, lvol);
      if (kind == LvolKind.SNAPSHOT) {
        snapshots.add(name);
      } else {
        snapshots.remove(name);
      }
      return lvol;
    }
  }

  /**
   * Puts an lvol back exactly as it was (same UUID, size, kind and lvol store), as a disk that
   * comes back would; replaces an lvol of the same name.
   */
  public void restoreLvol(Lvol lvol) {
    Objects.requireNonNull(lvol, "lvol");
    synchronized (lock) {
      lvols.put(lvol.name(), lvol);
      if (lvol.kind() == LvolKind.SNAPSHOT) {
        snapshots.add(lvol.name());
      }
    }
  }

  /** The lvols now present, sorted by name, without counting as a call or taking faults. */
  public List<Lvol> lvols() {
    synchronized (lock) {
      return List.copyOf(lvols.values());
    }
  }

  /** Whether an lvol of this name is present (not a call; no faults). */
  public boolean contains(String name) {
    synchronized (lock) {
      return lvols.containsKey(name);
    }
  }

  /** How many calls of this kind were made, faulty ones included. */
  public long calls(Call call) {
    return calls.get(call).get();
  }

  // ------------------------------------------------------------------ internals

  private Fault begin(Call call) throws StoreTimeoutException {
    calls.get(call).incrementAndGet();
    Duration delay;
    Fault fault;
    synchronized (lock) {
      tickLate();
      delay = latency.get(call);
      fault = faults.get(call).pollFirst();
    }
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreTimeoutException("interrupted while waiting for " + call);
      }
    }
    return fault;
  }

  /** One more call began: pending calls whose count ran out land. Under the lock. */
  private void tickLate() {
    Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
    List<Map.Entry<String, Pending>> due = new ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<String, Pending> e = it.next();
      Pending p = e.getValue();
      if (p.callsLeft() == 0) {
        continue; // lands only when asked to
      }
      if (p.callsLeft() == 1) {
        it.remove();
        due.add(e);
      } else {
        e.setValue(new Pending(p.create(), p.sizeBytes(), p.callsLeft() - 1));
      }
    }
    for (Map.Entry<String, Pending> e : due) {
      finish(e.getKey(), e.getValue(), true);
    }
  }

  private int finishAll(boolean apply) {
    synchronized (lock) {
      Map<String, Pending> all = new LinkedHashMap<>(pending);
      pending.clear();
      all.forEach((name, p) -> finish(name, p, apply));
      return all.size();
    }
  }

  /** Applies or drops a pending call (already removed from {@code pending}). Under the lock. */
  private void finish(String name, Pending p, boolean apply) {
    if (apply) {
      if (p.create()) {
        lvols.put(name, Lvol.of(name, nextUuid(), p.sizeBytes(), placement.apply(name)));
      } else {
        remove(name);
      }
    }
    if (lateListener != null) {
      lateListener.finished(name, p.create(), apply);
    }
  }

  private static void countDown(Map<String, Integer> left) {
    left.replaceAll((k, v) -> v - 1);
    left.values().removeIf(v -> v <= 0);
  }

  private static StoreException failure(Call call, Fault fault, String name) {
    String what = call.name().toLowerCase(Locale.ROOT) + " " + name;
    return switch (fault) {
      case REJECT -> new StoreRejectedException(REJECT_CODE, "Device or resource busy: " + what);
      case UNAVAILABLE -> new StoreUnavailableException("injected: store unavailable: " + what);
      case TIMEOUT_BEFORE_APPLY, TIMEOUT_AFTER_APPLY, TIMEOUT_LATE ->
          new StoreTimeoutException("injected: timeout: " + what);
    };
  }

  private String nextUuid() {
    return new UUID(0L, ++uuidSequence).toString();
  }

  /** For tests: the names of all lvols, in order. */
  List<String> names() {
    synchronized (lock) {
      return new ArrayList<>(lvols.keySet());
    }
  }
}
