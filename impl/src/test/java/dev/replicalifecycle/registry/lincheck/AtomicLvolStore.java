package dev.replicalifecycle.registry.lincheck;

import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.LvolStore;
import java.util.List;
import java.util.TreeMap;

/**
 * The smallest correct {@link LvolStore}: each call one {@code synchronized} step, no faults, no
 * latency. For Lincheck, where every shared-memory access of the code under test is a possible
 * thread switch: the in-memory store's fault-injection bookkeeping would multiply the
 * interleavings to explore without adding any behaviour (Lincheck injects no store faults).
 */
final class AtomicLvolStore implements LvolStore {
  private final TreeMap<String, Lvol> lvols = new TreeMap<>();
  private long uuids;

  @Override
  public synchronized Lvol createLvol(String name, long sizeBytes) throws LvolAlreadyExistsException {
    if (lvols.containsKey(name)) {
      throw new LvolAlreadyExistsException("File exists: " + name);
    }
    Lvol l = Lvol.of(name, "uuid-" + ++uuids, sizeBytes, "lvs0");
    lvols.put(name, l);
    return l;
  }

  @Override
  public synchronized void deleteLvol(String name) throws LvolNotFoundException {
    if (lvols.remove(name) == null) {
      throw new LvolNotFoundException("No such device: " + name);
    }
  }

  @Override
  public synchronized LvolListing listLvols() {
    return LvolListing.complete(List.copyOf(lvols.values()));
  }

  /** Disk loss: the lvol disappears behind the registry's back. */
  synchronized void lose(String name) {
    lvols.remove(name);
  }
}
