package dev.replicalifecycle.registry;

import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import java.util.Optional;

/** A store that forwards every call to another, for tests that override one call. As thread-safe as its delegate. */
class ForwardingLvolStore implements LvolStore {
  private final LvolStore inner;

  ForwardingLvolStore(LvolStore inner) {
    this.inner = inner;
  }

  @Override
  public Lvol createLvol(String name, long sizeBytes) throws StoreException {
    return inner.createLvol(name, sizeBytes);
  }

  @Override
  public void deleteLvol(String name) throws StoreException {
    inner.deleteLvol(name);
  }

  @Override
  public LvolListing listLvols() throws StoreException {
    return inner.listLvols();
  }

  @Override
  public Optional<Lvol> findLvol(String name) throws StoreException {
    return inner.findLvol(name);
  }

  @Override
  public Lvol snapshotLvol(String name, String snapshotName) throws StoreException {
    return inner.snapshotLvol(name, snapshotName);
  }

  @Override
  public Lvol cloneSnapshot(String snapshotName, String cloneName) throws StoreException {
    return inner.cloneSnapshot(snapshotName, cloneName);
  }

  @Override
  public Lvol renameLvol(String name, String newName) throws StoreException {
    return inner.renameLvol(name, newName);
  }
}
