package dev.replicalifecycle.registry.lincheck;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolHasClonesException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The smallest correct {@link LvolStore}: each call one {@code synchronized} step, no latency.
 * For Lincheck, where every shared-memory access of the code under test is a possible thread
 * switch: the in-memory store's bookkeeping would multiply the interleavings to explore without
 * adding any behaviour. Two of SPDK's faults, as {@link InMemoryLvolStore} has them (the
 * sequential model runs on that store, so both must answer alike): the next create may time out
 * and land later ({@link #lateNextCreate}: started, its name taken but not listed, landing when
 * {@value #LANDING} more calls have begun), and the next listing may miss the lvol store ({@link
 * #hideNextListing}).
 */
final class AtomicLvolStore implements LvolStore {
  /** Calls after which a late create lands: InMemoryLvolStore's default. */
  static final int LANDING = 3;

  private final TreeMap<String, Lvol> lvols = new TreeMap<>();
  private long uuids;
  private boolean lateNext;
  private boolean hideNext;
  private String pending;
  private long pendingSize;
  private int pendingLeft;

  @Override
  public synchronized Lvol createLvol(String name, long sizeBytes)
      throws LvolAlreadyExistsException, StoreTimeoutException {
    tick();
    boolean late = lateNext;
    lateNext = false;
    if (lvols.containsKey(name) || name.equals(pending)) {
      if (late) {
        throw new StoreTimeoutException("injected: timeout: create " + name);
      }
      throw new LvolAlreadyExistsException("File exists: " + name);
    }
    if (late) {
      pending = name;
      pendingSize = sizeBytes;
      pendingLeft = LANDING;
      throw new StoreTimeoutException("injected: timeout: create " + name);
    }
    Lvol l = Lvol.of(name, "uuid-" + ++uuids, sizeBytes, InMemoryLvolStore.DEFAULT_LVSTORE);
    lvols.put(name, l);
    return l;
  }

  @Override
  public synchronized void deleteLvol(String name) throws LvolNotFoundException, LvolHasClonesException {
    tick();
    Lvol gone = lvols.get(name);
    if (gone == null) {
      throw new LvolNotFoundException("No such device: " + name);
    }
    List<Lvol> clones = lvols.values().stream().filter(l -> name.equals(l.parent())).toList();
    if (clones.size() > 1) {
      throw new LvolHasClonesException("Operation not permitted: " + name);
    }
    lvols.remove(name);
    for (Lvol c : clones) {
      lvols.put(c.name(), c.withParent(gone.parent()));
    }
  }

  /** bdev_lvol_snapshot, as {@link InMemoryLvolStore#snapshotLvol} answers it (no faults). */
  @Override
  public synchronized Lvol snapshotLvol(String name, String snapshotName)
      throws LvolNotFoundException, LvolAlreadyExistsException {
    tick();
    Lvol origin = lvols.get(name);
    if (origin == null) {
      throw new LvolNotFoundException("No such device: " + name);
    }
    if (lvols.containsKey(snapshotName) || snapshotName.equals(pending)) {
      throw new LvolAlreadyExistsException("File exists: " + snapshotName);
    }
    Lvol snap = new Lvol(snapshotName, "uuid-" + ++uuids, origin.sizeBytes(), LvolKind.of(snapshotName),
        origin.lvstore(), origin.parent());
    lvols.put(snapshotName, snap);
    lvols.put(name, origin.withParent(snapshotName));
    return snap;
  }

  /** bdev_lvol_rename, as {@link InMemoryLvolStore#renameLvol} answers it (no faults). */
  @Override
  public synchronized Lvol renameLvol(String name, String newName)
      throws LvolNotFoundException, LvolAlreadyExistsException, StoreRejectedException {
    tick();
    Lvol origin = lvols.get(name);
    if (origin == null) {
      throw new LvolNotFoundException("No such device: " + name);
    }
    if (lvols.containsKey(newName) || newName.equals(pending)) {
      throw new LvolAlreadyExistsException("File exists: " + newName);
    }
    if (origin.kind() == LvolKind.SNAPSHOT) {
      throw new StoreRejectedException(-32602, "Operation not permitted");
    }
    Lvol renamed = new Lvol(newName, origin.uuid(), origin.sizeBytes(), LvolKind.of(newName), origin.lvstore(),
        origin.parent());
    lvols.remove(name);
    lvols.put(newName, renamed);
    return renamed;
  }

  @Override
  public synchronized LvolListing listLvols() {
    tick();
    if (hideNext) {
      hideNext = false;
      return new LvolListing(List.of(), Set.of(InMemoryLvolStore.DEFAULT_LVSTORE), List.of());
    }
    return LvolListing.complete(List.copyOf(lvols.values()));
  }

  @Override
  public synchronized Optional<Lvol> findLvol(String name) {
    tick();
    return Optional.ofNullable(lvols.get(name));
  }

  /** Disk loss: the lvol disappears behind the registry's back. */
  synchronized void lose(String name) {
    lvols.remove(name);
  }

  /** The next create times out and lands later (SPDK's late-applied call). */
  synchronized void lateNextCreate() {
    lateNext = true;
  }

  /** The next listing misses the lvol store (not loaded yet). */
  synchronized void hideNextListing() {
    hideNext = true;
  }

  /** One more call began: a pending create whose count ran out lands. */
  private void tick() {
    if (pending != null && --pendingLeft == 0) {
      lvols.put(pending, Lvol.of(pending, "uuid-" + ++uuids, pendingSize, InMemoryLvolStore.DEFAULT_LVSTORE));
      pending = null;
    }
  }
}
