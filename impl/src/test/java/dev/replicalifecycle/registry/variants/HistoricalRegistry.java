package dev.replicalifecycle.registry.variants;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaNames;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.RegistryClosedException;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.registry.VerifyReport.Change;
import dev.replicalifecycle.registry.VerifyReport.ChangeKind;
import dev.replicalifecycle.registry.VerifyReport.Skip;
import dev.replicalifecycle.registry.VerifyReport.SkipReason;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The historical behaviours V0..V3 of {@code spec/ReplicaLifecycle.tla}, test-only, over the
 * same {@link LvolStore} SPI as the library. One class, like the spec: each method is one spec
 * action and its V0..V3 branches are the spec's.
 *
 * <h2>State and locks (as upstream)</h2>
 *
 * <ul>
 *   <li>The map {@code name -> replica object}, guarded by the server lock S for writes. It is
 *       kept as an immutable snapshot in a volatile field, so a write (and V2's install of a
 *       computed map) is one atomic step, and reads ({@link #get}, {@link #list},
 *       introspection) never block, as the spec's engine poll reads the map at any time.
 *   <li>Replica objects have identity ({@link ReplicaObject}): a create builds a new one,
 *       adoption builds a new one; each has its own lock R. A create holds its object's R from
 *       CreateReserve to CreatePublish; DeleteLvol takes the R of the object DeleteMark found
 *       (so in V0 a delete waits for the create building the pending object).
 *   <li>V0, V1: a verify round holds S from VerifyStart to the end of VerifyApply, its listing
 *       included. V2, V3: VerifyStart copies the map under S, the listing runs without S, and
 *       VerifyApply takes S again and installs what it computed from the copy (V3 only if the
 *       generation counter did not move since VerifyStart; otherwise the whole round is
 *       skipped).
 *   <li>V3's generation counter is bumped by CreatePublish, by a DeleteRemove that removes, and
 *       by DeleteMark on an absent name (the spec's {@code MarkChanged} for V3).
 * </ul>
 *
 * <h2>Behaviour (the spec's V0..V3 branches)</h2>
 *
 * <ul>
 *   <li>create: a name with an entry fails at once ({@link ReplicaAlreadyExistsException},
 *       CreateReserve "exists"). V0 inserts a {@code pending} entry (shown as {@link
 *       ReplicaState#CREATING}); V1..V3 insert nothing. CreateLvol reuses an existing head lvol
 *       (EEXIST counts as success). CreateExpose (after a successful lvol call only) makes the
 *       object exposed. CreatePublish: V0 sets the object's state wherever it is (in the map or
 *       not), without S; V1..V3 put the object in the map under S, overwriting whatever is there
 *       (last publish wins), on every path. <b>A failed store call does not throw</b>: as
 *       upstream, the create returns the replica in {@link ReplicaState#ERROR}.
 *   <li>delete: an absent name succeeds at once with no store call (DeleteMark "absent").
 *       Otherwise DeleteLvol (under the found object's R) stops its exposure, deletes the head
 *       lvol (not-found counts as done) and then a {@code <name>-rebuilding} lvol if there is
 *       one (the spec deletes both in this step); DeleteRemove removes the map entry <em>by
 *       name</em> under S, or, if a store call failed, leaves the found object in error if it is
 *       still the entry, and throws {@link ReplicaStoreException}.
 *   <li>verify: keeps an entry that has an lvol named {@code n} or {@code n-*} (upstream's
 *       prefix rule; so a {@code -rebuilding} or snapshot lvol keeps it), drops it otherwise, and
 *       adopts each head lvol no entry owns as a new {@code stopped} object. V2/V3 decide on
 *       their copy and, per name, keep the current entry if it is the same object as decided,
 *       else install the decided one (a stale object comes back with its copied state).
 *       {@link VerifyReport#changes()} lists adoptions and validateAndUpdate's errors (below;
 *       the public report has no kind for a removed or reinstated entry; see {@link
 *       #lastRound()}); a skipped V3 round lists every entry as {@link
 *       SkipReason#CHANGED_SINCE_STAMP}. Then, in the same step, upstream's
 *       {@code validateAndUpdate} of each replica the round kept (spec/ReplicaChains.tla's V0;
 *       upstream had it in every version until f1584880): a RUNNING or STOPPED replica whose head
 *       the listing does not show, or whose chain differs from the one listed, is marked ERROR,
 *       whatever operation is in flight on it (it does not take R). An adopted head gets the
 *       chain the listing shows.
 * </ul>
 *
 * <h2>Steps</h2>
 *
 * <p>The {@link StepListener} is called at exactly the spec's steps, with its action names and
 * outcome words: CreateReserve ok|exists, CreateLvol ok|fail|timeout (the spec's
 * timeout-applied and timeout-lost cannot be told apart by a caller), CreateExpose ok,
 * CreatePublish running|error, DeleteMark found|absent, DeleteLvol ok|notfound|fail|timeout,
 * DeleteRemove removed|error, VerifyStart ok, VerifyList ok|fail, and one VerifyApply per round
 * (name {@code null}) installed|skipped. {@link Step#version()} is V3's generation counter for V3
 * and a count of map changes otherwise. {@code beforeStep} runs before the step's locks are
 * taken and {@code afterStep} after they are released, except where the spec holds a lock across
 * steps: a V0/V1 round holds S through VerifyList and VerifyApply, and a create holds its
 * object's R from CreateReserve to CreatePublish. A scheduler must therefore release a step only
 * when the spec enables it (S free for a client's map step while a V0/V1 round is open; R free
 * for DeleteLvol), as a replayed TLC trace does.
 *
 * <p>Known abstraction gap: the spec names an object by the client that built it (all adopted
 * objects are one {@code "adopted"} object), so two objects that one client built in turn for
 * the same name are one object there; here they are two. This can only make Java see more
 * shadows than TLC, never fewer.
 *
 * <p>Thread-safe.
 */
final class HistoricalRegistry implements ReplicaRegistry, Introspectable {

  /** A replica object: identity, its lock R, its current view. */
  static final class ReplicaObject {
    final String name;
    final long id;
    final boolean adopted;
    final ReentrantLock r = new ReentrantLock();
    volatile Replica view;
    volatile boolean exposed;
    volatile boolean createInFlight;

    ReplicaObject(String name, long id, boolean adopted, Replica view) {
      this.name = name;
      this.id = id;
      this.adopted = adopted;
      this.view = view;
    }

    @Override
    public String toString() {
      return (adopted ? "adopted#" : "obj#") + id + "(" + view.state() + ")";
    }
  }

  /**
   * What the last verify round did, for tests.
   *
   * @param outcome {@code installed}, {@code skipped} or {@code fail} (listing failed)
   * @param adopted names adopted as new stopped objects
   * @param removed names whose entry the round removed
   * @param reinstated names where the round put back an object other than the current entry (or
   *     where there was none): V2/V3's stale install
   */
  record RoundResult(String outcome, Set<String> adopted, Set<String> removed, Set<String> reinstated) {}

  /** An entry of V2/V3's copy: the object and its state when copied. */
  private record Copied(ReplicaObject obj, Replica view) {}

  private final Variant variant;
  private final LvolStore store;
  private final StepListener listener;
  // S. Fair, as Go's sync.Mutex is in effect: a waiter blocked for over 1 ms gets the mutex handed
  // to it (starvation mode). Unfair, a V0/V1 verify loop that runs rounds back to back (each
  // holding S across its listing) re-took S before the waiting creates on a quiet machine: the
  // ported upstream scenario's V1 run took 365 s instead of 16.
  private final ReentrantLock serverLock = new ReentrantLock(true);
  private final ReentrantLock roundLock = new ReentrantLock(); // one round at a time
  private volatile Map<String, ReplicaObject> map = Collections.emptyMap(); // written under S
  private final Set<ReplicaObject> exposed = ConcurrentHashMap.newKeySet();
  private final Set<ReplicaObject> building = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong changes = new AtomicLong();
  private final AtomicLong generation = new AtomicLong(); // V3's counter, changed under S
  private volatile RoundResult lastRound;
  private volatile boolean closed;

  HistoricalRegistry(Variant variant, LvolStore store, StepListener listener) {
    if (variant == Variant.V4) {
      throw new IllegalArgumentException("V4 is the library's StampedRegistry");
    }
    this.variant = variant;
    this.store = store;
    this.listener = listener;
  }

  private boolean lockedVerify() {
    return variant == Variant.V0 || variant == Variant.V1;
  }

  // ------------------------------------------------------------------ create

  @Override
  public Replica create(String name, long sizeBytes) {
    ReplicaNames.validate(name);
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("sizeBytes must be positive: " + sizeBytes);
    }
    ensureOpen();

    // CreateReserve: under S. V0 inserts a pending entry; V1..V3 only look the name up.
    before(SpecAction.CreateReserve, name);
    ReplicaObject obj;
    serverLock.lock();
    try {
      if (map.containsKey(name)) {
        obj = null;
      } else {
        obj =
            new ReplicaObject(
                name,
                ids.incrementAndGet(),
                false,
                new Replica(name, ReplicaState.CREATING, null, sizeBytes, null));
        obj.r.lock(); // R, held until CreatePublish
        obj.createInFlight = true;
        building.add(obj);
        if (variant == Variant.V0) {
          putEntry(name, obj);
        }
      }
    } finally {
      serverLock.unlock();
    }
    if (obj == null) {
      after(SpecAction.CreateReserve, name, "exists");
      throw new ReplicaAlreadyExistsException(name, "replica " + name + " already exists");
    }
    after(SpecAction.CreateReserve, name, "ok");

    try {
      // CreateLvol: reuse an existing head (prepareHead looks it up first); otherwise create it.
      // EEXIST with no lvol listed (a create of the name still pending in the store) and any
      // failure go straight to publish, in error.
      before(SpecAction.CreateLvol, name);
      String uuid = null;
      String failure = null;
      String outcome;
      Optional<Lvol> existing;
      try {
        existing = store.findLvol(name);
      } catch (StoreException | RuntimeException e) {
        existing = Optional.empty();
      }
      if (existing.isPresent()) {
        uuid = existing.get().uuid();
        outcome = "ok";
      } else {
        try {
          uuid = store.createLvol(name, sizeBytes).uuid();
          outcome = "ok";
        } catch (LvolAlreadyExistsException e) {
          failure = e.getMessage();
          outcome = "exists";
        } catch (StoreException | RuntimeException e) {
          StoreException se = asStoreException(e);
          failure = se.getMessage();
          outcome = se.outcomeKnown() ? "fail" : "timeout";
        }
      }
      if (failure == null) {
        obj.view = new Replica(name, ReplicaState.CREATING, uuid, sizeBytes, null);
      }
      after(SpecAction.CreateLvol, name, outcome);

      // CreateExpose: ports and the NVMe-oF subsystem (only after a successful lvol call).
      if (failure == null) {
        before(SpecAction.CreateExpose, name);
        obj.exposed = true;
        exposed.add(obj);
        after(SpecAction.CreateExpose, name, "ok");
      }

      // CreatePublish
      before(SpecAction.CreatePublish, name);
      Replica result =
          failure == null
              ? new Replica(name, ReplicaState.RUNNING, uuid, sizeBytes, null)
              : new Replica(
                  name, ReplicaState.ERROR, null, sizeBytes, "create failed: " + failure);
      if (variant == Variant.V0) {
        // R only: the object becomes running (or error) wherever it is.
        obj.view = result;
        finishCreate(obj);
      } else {
        serverLock.lock();
        try {
          obj.view = result;
          putEntry(name, obj); // last publish wins
          if (variant == Variant.V3) {
            generation.incrementAndGet();
          }
          finishCreate(obj);
        } finally {
          serverLock.unlock();
        }
      }
      after(SpecAction.CreatePublish, name, failure == null ? "running" : "error");
      return result;
    } finally {
      if (obj.r.isHeldByCurrentThread()) {
        finishCreate(obj); // an unexpected exception (a listener that threw)
      }
    }
  }

  private void finishCreate(ReplicaObject obj) {
    obj.createInFlight = false;
    building.remove(obj);
    if (obj.r.isHeldByCurrentThread()) {
      obj.r.unlock();
    }
  }

  // ------------------------------------------------------------------ delete

  @Override
  public void delete(String name) {
    ReplicaNames.validate(name);
    ensureOpen();

    // DeleteMark: look the name up under S; absent means success at once.
    before(SpecAction.DeleteMark, name);
    ReplicaObject obj;
    serverLock.lock();
    try {
      obj = map.get(name);
      if (obj == null && variant == Variant.V3) {
        generation.incrementAndGet();
      }
    } finally {
      serverLock.unlock();
    }
    if (obj == null) {
      after(SpecAction.DeleteMark, name, "absent");
      return;
    }
    after(SpecAction.DeleteMark, name, "found");

    // DeleteRlvol, DeleteLvol: under the object's R (held to the end of both, as upstream's
    // Replica.Delete holds it): stop the exposure, delete the rebuilding lvol, then the head.
    // Not-found counts as done; anything else ends the delete in error. Upstream sets the
    // object's state when Delete returns, and readers wait for R meanwhile: the object is shown
    // as terminating (DELETING) from the first step.
    StoreException failure = null;
    obj.r.lock();
    try {
      before(SpecAction.DeleteRlvol, name);
      obj.exposed = false;
      exposed.remove(obj);
      if (map.get(name) == obj) {
        Replica v = obj.view;
        obj.view = new Replica(name, ReplicaState.DELETING, v.lvolUuid(), v.sizeBytes(), null, v.snapshots());
      }
      DeleteResult r = deleteCall(name + LvolKind.REBUILDING_SUFFIX);
      after(SpecAction.DeleteRlvol, name, r.outcome());
      failure = r.failure();
      if (failure == null) {
        before(SpecAction.DeleteLvol, name);
        r = deleteCall(name);
        after(SpecAction.DeleteLvol, name, r.outcome());
        failure = r.failure();
      }
      // upstream's Delete(cleanup=true) deletes the replica's snapshot lvols too (newest first)
      List<String> chain = obj.view.snapshots();
      for (int i = chain.size() - 1; i >= 0 && failure == null; i--) {
        failure = deleteCall(ReplicaNames.snapshotLvol(name, chain.get(i))).failure();
      }
    } finally {
      obj.r.unlock();
    }

    // DeleteRemove: by name, under S; or leave the object in error if it is still the entry.
    before(SpecAction.DeleteRemove, name);
    serverLock.lock();
    try {
      if (failure == null) {
        removeEntry(name);
        if (variant == Variant.V3) {
          generation.incrementAndGet();
        }
      } else if (map.get(name) == obj) {
        Replica v = obj.view;
        obj.view =
            new Replica(
                name,
                ReplicaState.ERROR,
                v.lvolUuid(),
                v.sizeBytes(),
                "delete failed: " + failure.getMessage(),
                v.snapshots());
        changes.incrementAndGet();
      }
    } finally {
      serverLock.unlock();
    }
    after(SpecAction.DeleteRemove, name, failure == null ? "removed" : "error");
    if (failure != null) {
      throw new ReplicaStoreException(
          name,
          "delete of " + name + " failed; replica left in error: " + failure.getMessage(),
          failure);
    }
  }

  /** A delete call's outcome word, and its failure (null if it settled: ok or not found). */
  private record DeleteResult(String outcome, StoreException failure) {}

  /**
   * One bdev_lvol_delete. Not found counts as done; any other failure (busy included: upstream
   * does not retry) ends the delete.
   */
  private DeleteResult deleteCall(String lvol) {
    try {
      store.deleteLvol(lvol);
      return new DeleteResult("ok", null);
    } catch (LvolNotFoundException e) {
      return new DeleteResult("notfound", null);
    } catch (dev.replicalifecycle.store.LvolBusyException e) {
      return new DeleteResult("busy", e);
    } catch (StoreException | RuntimeException e) {
      StoreException f = asStoreException(e);
      return new DeleteResult(f.outcomeKnown() ? "fail" : "timeout", f);
    }
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Optional<Replica> get(String name) {
    ReplicaNames.validate(name);
    ReplicaObject obj = map.get(name);
    return obj == null ? Optional.empty() : Optional.of(obj.view);
  }

  @Override
  public List<Replica> list() {
    List<Replica> out = new ArrayList<>();
    for (ReplicaObject obj : map.values()) { // a TreeMap snapshot: name order
      out.add(obj.view);
    }
    return out;
  }

  // ------------------------------------------------------------------ verify

  @Override
  public VerifyReport verify() {
    ensureOpen();
    roundLock.lock();
    try {
      return round();
    } finally {
      if (serverLock.isHeldByCurrentThread()) {
        serverLock.unlock(); // a V0/V1 round that ended abnormally
      }
      roundLock.unlock();
    }
  }

  private VerifyReport round() {
    // VerifyStart: V0/V1 take S for the whole round; V2/V3 copy the map (and the counter).
    before(SpecAction.VerifyStart, null);
    serverLock.lock();
    Map<String, Copied> copy = Map.of();
    long stamp = version();
    if (!lockedVerify()) {
      try {
        Map<String, Copied> c = new HashMap<>();
        map.forEach((n, o) -> c.put(n, new Copied(o, o.view)));
        copy = c;
      } finally {
        serverLock.unlock();
      }
    }
    after(SpecAction.VerifyStart, null, "ok");

    // VerifyList: one listing (V0/V1 with S held). Upstream decodes the whole answer at once
    // (Go's JSON): an unreadable entry fails the round. A missing lvol store's lvols are simply
    // absent. A broken connection makes upstream mark every replica of the round's map error
    // (the deferred SetErrorState of handleVerifyError), unless stopped or error.
    before(SpecAction.VerifyList, null);
    List<Lvol> lvols;
    String listed;
    try {
      LvolListing listing = store.listLvols();
      if (!listing.unreadable().isEmpty()) {
        throw new StoreUnavailableException("json: cannot unmarshal an entry of bdev_get_bdevs: "
            + listing.unreadable().get(0).reason());
      }
      lvols = listing.lvols();
      listed = listing.missingLvstores().isEmpty() ? "ok" : "partial";
    } catch (StoreException | RuntimeException e) {
      StoreException failure = asStoreException(e);
      boolean unreadable = e.getMessage() != null && e.getMessage().startsWith("json: cannot unmarshal");
      boolean broken = !unreadable && failure instanceof StoreUnavailableException;
      if (broken) {
        if (!serverLock.isHeldByCurrentThread()) {
          serverLock.lock();
        }
        Map<String, ReplicaObject> cur = map;
        for (Map.Entry<String, ReplicaObject> en : cur.entrySet()) {
          ReplicaObject o = en.getValue();
          boolean inRound = lockedVerify() || (copy.containsKey(en.getKey()) && copy.get(en.getKey()).obj() == o);
          ReplicaState st = o.view.state();
          if (inRound && st != ReplicaState.STOPPED && st != ReplicaState.ERROR) {
            Replica v = o.view;
            o.view = new Replica(v.name(), ReplicaState.ERROR, v.lvolUuid(), v.sizeBytes(),
                "verify: the connection to the store broke (upstream's SetErrorState)");
            changes.incrementAndGet();
          }
        }
      }
      if (serverLock.isHeldByCurrentThread()) {
        serverLock.unlock();
      }
      lastRound = new RoundResult("fail", Set.of(), Set.of(), Set.of());
      after(SpecAction.VerifyList, null, unreadable ? "unreadable" : broken ? "broken" : "fail");
      throw new ReplicaStoreException(
          null, "verify: listing lvols failed; nothing changed: " + failure.getMessage(), failure);
    }
    after(SpecAction.VerifyList, null, listed);

    Set<String> lvolNames = new HashSet<>();
    Map<String, Lvol> heads = new HashMap<>();
    Map<String, Lvol> byName = new HashMap<>();
    for (Lvol l : lvols) {
      lvolNames.add(l.name());
      byName.put(l.name(), l);
      if (l.kind() == LvolKind.HEAD && ReplicaNames.isValid(l.name())) {
        heads.put(l.name(), l);
      }
    }

    // VerifyApply: one atomic step under S for the whole round.
    before(SpecAction.VerifyApply, null);
    if (!lockedVerify()) {
      serverLock.lock();
    }
    String outcome;
    List<Change> changed = new ArrayList<>();
    List<Skip> skipped = new ArrayList<>();
    Set<String> adopted = new TreeSet<>();
    Set<String> removed = new TreeSet<>();
    Set<String> reinstated = new TreeSet<>();
    try {
      Map<String, ReplicaObject> cur = map;
      if (variant == Variant.V3 && generation.get() != stamp) {
        outcome = "skipped";
        for (String n : cur.keySet()) {
          skipped.add(new Skip(n, SkipReason.CHANGED_SINCE_STAMP));
        }
      } else {
        outcome = "installed";
        TreeSet<String> names = new TreeSet<>(cur.keySet());
        names.addAll(copy.keySet());
        names.addAll(heads.keySet());
        Map<String, ReplicaObject> next = new TreeMap<>();
        for (String n : names) {
          ReplicaObject now = cur.get(n);
          Copied base;
          if (lockedVerify()) {
            base = now == null ? null : new Copied(now, now.view);
          } else {
            base = copy.get(n);
          }
          // Decide(base, n, seen, rseen)
          Copied d;
          boolean adopt = false;
          if (base != null) {
            d = hasLvolOf(n, lvolNames) ? base : null;
          } else if (heads.containsKey(n)) {
            Lvol head = heads.get(n);
            ReplicaObject o =
                new ReplicaObject(
                    n,
                    ids.incrementAndGet(),
                    true,
                    new Replica(n, ReplicaState.STOPPED, head.uuid(), head.sizeBytes(), null,
                        listedChain(n, head, byName)));
            d = new Copied(o, o.view);
            adopt = true;
          } else {
            d = null;
          }
          // an object that is still the map's keeps its current state
          if (d != null && now != null && d.obj() == now) {
            next.put(n, now);
          } else if (d == null) {
            if (now != null) {
              removed.add(n);
            }
          } else {
            d.obj().view = d.view();
            next.put(n, d.obj());
            if (adopt) {
              adopted.add(n);
              changed.add(new Change(n, ChangeKind.ADOPTED, d.view()));
            } else {
              reinstated.add(n);
            }
          }
        }
        map = Collections.unmodifiableMap(next);
        changes.incrementAndGet();
        // validateAndUpdate of each replica kept (not of one adopted just now)
        for (Map.Entry<String, ReplicaObject> en : next.entrySet()) {
          String n = en.getKey();
          ReplicaObject o = en.getValue();
          Replica v = o.view;
          if (adopted.contains(n)
              || (v.state() != ReplicaState.RUNNING && v.state() != ReplicaState.STOPPED)) {
            continue;
          }
          Lvol head = heads.get(n);
          List<String> listedChain = head == null ? null : listedChain(n, head, byName);
          if (head == null || !listedChain.equals(v.snapshots())) {
            o.view = with(v, ReplicaState.ERROR, v.lvolUuid(),
                head == null
                    ? "validateAndUpdate: head lvol " + n + " not found"
                    : "validateAndUpdate: chain " + v.snapshots() + " differs from the listed " + listedChain,
                v.snapshots());
            changed.add(new Change(n, ChangeKind.MARKED_ERROR, o.view));
          }
        }
      }
      lastRound = new RoundResult(outcome, adopted, removed, reinstated);
    } finally {
      serverLock.unlock();
    }
    after(SpecAction.VerifyApply, null, outcome);

    List<String> orphans = new ArrayList<>();
    Map<String, ReplicaObject> after = map;
    for (Lvol l : lvols) {
      if (l.kind() != LvolKind.HEAD
          && !after.containsKey(l.replicaName())
          && !heads.containsKey(l.replicaName())) {
        orphans.add(l.name());
      }
    }
    orphans.sort(null);
    return new VerifyReport(stamp, lvols.size(), changed, skipped, orphans, 0, java.util.Set.of(), 0, List.of());
  }

  /** The chain below {@code head} as the listing ({@code byName}) shows it, oldest first. */
  private static List<String> listedChain(String n, Lvol head, Map<String, Lvol> byName) {
    List<String> chain = new ArrayList<>();
    String prefix = n + LvolKind.SNAPSHOT_INFIX;
    Lvol at = head;
    while (at.parent() != null && at.parent().startsWith(prefix) && byName.containsKey(at.parent())
        && chain.size() < byName.size()) {
      chain.add(0, at.parent().substring(prefix.length()));
      at = byName.get(at.parent());
    }
    return chain;
  }

  /** Upstream's rule: an entry is kept if an lvol is named {@code n} or {@code n-*}. */
  private static boolean hasLvolOf(String n, Set<String> lvolNames) {
    if (lvolNames.contains(n)) {
      return true;
    }
    String prefix = n + "-";
    for (String l : lvolNames) {
      if (l.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** What the last verify round did ({@code null} before the first). */
  RoundResult lastRound() {
    return lastRound;
  }

  /** V3's generation counter. */
  long generation() {
    return generation.get();
  }

  // ------------------------------------------------------------------ close, introspection

  @Override
  public void close() {
    closed = true;
  }

  // ------------------------------------------------------------------ snapshots, start, rebuild
  // As upstream (replica.go SnapshotCreate/SnapshotDelete, Create on a stopped replica): under the
  // replica object's lock R, no per-name serialisation with verify; a failure marks the replica
  // error; starting a stopped replica whose head is gone creates a new head (prepareHead).

  private ReplicaObject object(String name, String op) {
    ReplicaObject obj = map.get(name);
    if (obj == null) {
      throw new dev.replicalifecycle.registry.ReplicaStateException(name, op + ": no replica " + name);
    }
    return obj;
  }

  /**
   * Begins the mark step {@code mark} of operation {@code op} and looks its object up; with none
   * the step ends "refused" and the operation fails. Otherwise the caller ends the step.
   */
  private ReplicaObject marking(SpecAction mark, String name, String op) {
    before(mark, name);
    ReplicaObject obj = map.get(name);
    if (obj == null) {
      after(mark, name, "refused");
      throw new dev.replicalifecycle.registry.ReplicaStateException(name, op + ": no replica " + name);
    }
    return obj;
  }

  private static Replica with(Replica v, ReplicaState state, String uuid, String reason, List<String> chain) {
    return new Replica(v.name(), state, uuid, v.sizeBytes(), reason, chain);
  }

  private dev.replicalifecycle.registry.ReplicaStoreException failed(
      ReplicaObject obj, String what, StoreException e) {
    Replica v = obj.view;
    obj.view = with(v, ReplicaState.ERROR, v.lvolUuid(), what + " failed: " + e.getMessage(), v.snapshots());
    return new dev.replicalifecycle.registry.ReplicaStoreException(obj.name, what + " failed", e);
  }

  @Override
  public Replica snapshot(String name, String snapshotName) {
    ReplicaNames.validate(name);
    ReplicaNames.validateSnapshot(name, snapshotName);
    ReplicaObject obj = marking(SpecAction.SnapMark, name, "snapshot");
    obj.r.lock();
    try {
      Replica v = obj.view;
      if ((v.state() != ReplicaState.RUNNING && v.state() != ReplicaState.STOPPED
          && v.state() != ReplicaState.REBUILDING) || v.snapshots().contains(snapshotName)) {
        after(SpecAction.SnapMark, name, "refused");
        throw new dev.replicalifecycle.registry.ReplicaStateException(name,
            "snapshot: replica is " + v.state() + " with the chain " + v.snapshots());
      }
      after(SpecAction.SnapMark, name, snapshotName);
      String target = v.state() == ReplicaState.REBUILDING ? name + LvolKind.REBUILDING_SUFFIX : name;
      before(SpecAction.SnapCall, name);
      try {
        store.snapshotLvol(target, ReplicaNames.snapshotLvol(name, snapshotName));
        after(SpecAction.SnapCall, name, "ok");
      } catch (StoreException e) {
        after(SpecAction.SnapCall, name, word(e));
        before(SpecAction.SnapPublish, name);
        dev.replicalifecycle.registry.ReplicaStoreException f = failed(obj, "snapshot " + snapshotName, e);
        after(SpecAction.SnapPublish, name, "failed");
        throw f;
      }
      before(SpecAction.SnapPublish, name);
      v = obj.view;
      List<String> chain = new ArrayList<>(v.snapshots());
      chain.add(snapshotName);
      obj.view = with(v, v.state(), v.lvolUuid(), v.errorReason(), chain);
      changes.incrementAndGet();
      after(SpecAction.SnapPublish, name, "ok");
      return obj.view;
    } finally {
      obj.r.unlock();
    }
  }

  @Override
  public Replica deleteSnapshot(String name, String snapshotName) {
    ReplicaNames.validate(name);
    ReplicaNames.validateSnapshot(name, snapshotName);
    ReplicaObject obj = marking(SpecAction.SnapDelMark, name, "deleteSnapshot");
    obj.r.lock();
    try {
      Replica v = obj.view;
      if (!v.snapshots().contains(snapshotName)) {
        after(SpecAction.SnapDelMark, name, "refused");
        return v; // upstream: a snapshot not in the map is a no-op
      }
      after(SpecAction.SnapDelMark, name, snapshotName);
      before(SpecAction.SnapDelCall, name);
      try {
        store.deleteLvol(ReplicaNames.snapshotLvol(name, snapshotName));
        after(SpecAction.SnapDelCall, name, "ok");
      } catch (LvolNotFoundException e) {
        after(SpecAction.SnapDelCall, name, "notfound"); // upstream tolerates ENODEV
      } catch (dev.replicalifecycle.store.LvolHasClonesException e) {
        after(SpecAction.SnapDelCall, name, "clones");
        before(SpecAction.SnapDelPublish, name);
        after(SpecAction.SnapDelPublish, name, "failed");
        throw new dev.replicalifecycle.registry.ReplicaStateException(name, "snapshot has children: " + e.getMessage());
      } catch (StoreException e) {
        after(SpecAction.SnapDelCall, name, word(e));
        before(SpecAction.SnapDelPublish, name);
        dev.replicalifecycle.registry.ReplicaStoreException f = failed(obj, "deleteSnapshot " + snapshotName, e);
        after(SpecAction.SnapDelPublish, name, "failed");
        throw f;
      }
      before(SpecAction.SnapDelPublish, name);
      v = obj.view;
      List<String> chain = new ArrayList<>(v.snapshots());
      chain.remove(snapshotName);
      obj.view = with(v, v.state(), v.lvolUuid(), v.errorReason(), chain);
      changes.incrementAndGet();
      after(SpecAction.SnapDelPublish, name, "ok");
      return obj.view;
    } finally {
      obj.r.unlock();
    }
  }

  @Override
  public Replica start(String name) {
    ReplicaNames.validate(name);
    ReplicaObject obj = marking(SpecAction.StartMark, name, "start");
    obj.r.lock();
    try {
      Replica v = obj.view;
      if (v.state() == ReplicaState.RUNNING) {
        after(SpecAction.StartMark, name, "running");
        return v;
      }
      if (v.state() != ReplicaState.STOPPED) {
        after(SpecAction.StartMark, name, "refused");
        throw new dev.replicalifecycle.registry.ReplicaStateException(name, "start: replica is " + v.state());
      }
      after(SpecAction.StartMark, name, "ok");
      // StartLook: upstream's Create on a stopped replica (prepareHead): a missing head is made
      before(SpecAction.StartLook, name);
      String outcome;
      try {
        Optional<dev.replicalifecycle.store.Lvol> head = store.findLvol(name);
        outcome = head.isPresent() ? "running" : "created";
        String uuid = head.isPresent() ? head.get().uuid() : store.createLvol(name, v.sizeBytes()).uuid();
        obj.view = with(v, ReplicaState.RUNNING, uuid, null, v.snapshots());
      } catch (StoreException e) {
        dev.replicalifecycle.registry.ReplicaStoreException f = failed(obj, "start", e);
        after(SpecAction.StartLook, name, word(e));
        throw f;
      }
      changes.incrementAndGet();
      after(SpecAction.StartLook, name, outcome);
      return obj.view;
    } finally {
      obj.r.unlock();
    }
  }

  /**
   * Upstream's destination replica is an ordinary ReplicaCreate (Running, with a private
   * rebuilding flag), so here a rebuild begins as this variant's create.
   */
  @Override
  public Replica beginRebuild(String name, long sizeBytes) {
    return create(name, sizeBytes);
  }

  /** Upstream's RebuildingDstFinish leaves the replica Running: nothing to change here. */
  @Override
  public Replica finishRebuild(String name) {
    ReplicaNames.validate(name);
    return object(name, "finishRebuild").view;
  }

  /** Upstream cleans an interrupted rebuild up by deleting the replica. */
  @Override
  public void abortRebuild(String name) {
    delete(name);
  }

  /** Upstream has no such call. */
  @Override
  public Replica recover(String name) {
    throw new dev.replicalifecycle.registry.ReplicaStateException(name, variant + " has no recover");
  }

  /** Upstream's server stops; nothing is waited for (its process ends). */
  @Override
  public java.util.Set<String> close(java.time.Duration timeout) {
    closed = true;
    return java.util.Set.of();
  }

  @Override
  public Variant variant() {
    return variant;
  }

  @Override
  public List<LiveObject> liveObjects() {
    Map<String, ReplicaObject> snapshot = map;
    Set<ReplicaObject> live = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    live.addAll(snapshot.values());
    live.addAll(exposed);
    List<LiveObject> out = new ArrayList<>();
    for (ReplicaObject o : live) {
      out.add(
          new LiveObject(
              o.name,
              o.id,
              o.adopted,
              snapshot.get(o.name) == o,
              o.exposed,
              o.createInFlight,
              o.view.state()));
    }
    out.sort(
        (a, b) -> a.name().equals(b.name()) ? Long.compare(a.id(), b.id()) : a.name().compareTo(b.name()));
    return out;
  }

  @Override
  public String toString() {
    return variant + " " + map;
  }

  // ------------------------------------------------------------------ helpers

  /** Under S. */
  private void putEntry(String name, ReplicaObject obj) {
    Map<String, ReplicaObject> next = new TreeMap<>(map);
    next.put(name, obj);
    map = Collections.unmodifiableMap(next);
    changes.incrementAndGet();
  }

  /** Under S. */
  private void removeEntry(String name) {
    if (map.containsKey(name)) {
      Map<String, ReplicaObject> next = new TreeMap<>(map);
      next.remove(name);
      map = Collections.unmodifiableMap(next);
    }
    changes.incrementAndGet();
  }

  private long version() {
    return variant == Variant.V3 ? generation.get() : changes.get();
  }

  private void ensureOpen() {
    if (closed) {
      throw new RegistryClosedException();
    }
  }

  private static StoreException asStoreException(Exception e) {
    if (e instanceof StoreException se) {
      return se;
    }
    return new StoreUnavailableException("store call threw " + e, e);
  }

  /**
   * The start of a step. A closed registry is a server whose process ended: no step of it runs
   * any more (a store call already made may still be applied), so an operation ends with {@link
   * RegistryClosedException} at its next step, reported with the outcome {@code closed}.
   */
  private void before(SpecAction action, String name) {
    if (listener != null) {
      listener.beforeStep(action, name);
    }
    if (closed) {
      after(action, name, "closed");
      throw new RegistryClosedException();
    }
  }

  /** A failed store call's outcome word, as the library reports it. */
  private static String word(StoreException e) {
    if (e instanceof dev.replicalifecycle.store.LvolAlreadyExistsException) {
      return "exists";
    }
    if (e instanceof LvolNotFoundException) {
      return "notfound";
    }
    return e.outcomeKnown() ? "fail" : "timeout";
  }

  private void after(SpecAction action, String name, String outcome) {
    if (listener != null) {
      listener.afterStep(new Step(action, name, outcome, version()));
    }
  }
}
