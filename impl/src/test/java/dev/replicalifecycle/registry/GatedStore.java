package dev.replicalifecycle.registry;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreRejectedException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An {@link InMemoryLvolStore} whose next call of a kind can be held at a gate: the call blocks
 * until {@link #release} (and may then be rejected, as a store answering late with an error
 * would). For tests of blocking, fencing and closing. Thread-safe.
 */
final class GatedStore implements LvolStore {
  private final InMemoryLvolStore inner;
  private final Map<Call, Gate> gates = new EnumMap<>(Call.class);

  private static final class Gate {
    final CountDownLatch arrived = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicBoolean taken = new java.util.concurrent.atomic.AtomicBoolean();
    volatile boolean reject;
  }

  GatedStore(InMemoryLvolStore inner) {
    this.inner = inner;
  }

  /** Holds the next call of this kind at a gate. */
  synchronized void hold(Call call) {
    gates.put(call, new Gate());
  }

  /** Waits until a held call of this kind has arrived at its gate. */
  void awaitArrival(Call call) throws InterruptedException {
    Gate g;
    synchronized (this) {
      g = gates.get(call);
    }
    if (!g.arrived.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no " + call + " call arrived at its gate");
    }
  }

  /** Lets the held call go on; {@code reject}: it then fails with an error answer, unapplied. */
  void release(Call call, boolean reject) {
    Gate g;
    synchronized (this) {
      g = gates.get(call);
    }
    g.reject = reject;
    g.release.countDown();
  }

  private void gate(Call call) throws StoreException {
    Gate g;
    synchronized (this) {
      g = gates.get(call);
    }
    if (g == null || !g.taken.compareAndSet(false, true)) {
      return; // only the next call of the kind is held
    }
    g.arrived.countDown();
    try {
      g.release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (g.reject) {
      throw new StoreRejectedException(-5, "Input/output error (released with a rejection)");
    }
  }

  @Override
  public Lvol createLvol(String name, long sizeBytes) throws StoreException {
    gate(Call.CREATE);
    return inner.createLvol(name, sizeBytes);
  }

  @Override
  public void deleteLvol(String name) throws StoreException {
    gate(Call.DELETE);
    inner.deleteLvol(name);
  }

  @Override
  public LvolListing listLvols() throws StoreException {
    gate(Call.LIST);
    return inner.listLvols();
  }

  @Override
  public Optional<Lvol> findLvol(String name) throws StoreException {
    gate(Call.FIND);
    return inner.findLvol(name);
  }

  @Override
  public Lvol snapshotLvol(String name, String snapshotName) throws StoreException {
    gate(Call.SNAPSHOT);
    return inner.snapshotLvol(name, snapshotName);
  }

  @Override
  public Lvol cloneSnapshot(String snapshotName, String cloneName) throws StoreException {
    gate(Call.CLONE);
    return inner.cloneSnapshot(snapshotName, cloneName);
  }

  @Override
  public Lvol renameLvol(String name, String newName) throws StoreException {
    gate(Call.RENAME);
    return inner.renameLvol(name, newName);
  }
}
