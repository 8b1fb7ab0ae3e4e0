package dev.replicalifecycle.store;

import java.util.List;
import java.util.Optional;

/**
 * The storage side of a replica: logical volumes (lvols) in one SPDK lvol store.
 *
 * <p>Each method is one request to the store and is atomic there, like one SPDK JSON-RPC call:
 * it is either applied entirely or not at all. A {@link StoreException} says which (see the
 * package documentation); {@link StoreTimeoutException} and {@link StoreUnavailableException}
 * mean the outcome is unknown.
 *
 * <p><b>Thread-safety:</b> implementations must be safe for concurrent use by any number of
 * threads; calls from different threads may run concurrently and take effect in some total
 * order. A call that returns normally happens-before any call that starts after it returns.
 */
public interface LvolStore {

  /**
   * Creates a thin-provisioned lvol.
   *
   * @param name lvol name, already validated by the caller (see {@code ReplicaNames})
   * @param sizeBytes requested size in bytes, {@code > 0}; stores may round it up
   * @return the new lvol, as a listing would show it
   * @throws LvolAlreadyExistsException if an lvol with this name exists; nothing changed
   * @throws StoreException on any other failure
   */
  Lvol createLvol(String name, long sizeBytes) throws StoreException;

  /**
   * Deletes an lvol by name.
   *
   * @throws LvolNotFoundException if there is no lvol with this name; nothing changed
   * @throws StoreException on any other failure
   */
  void deleteLvol(String name) throws StoreException;

  /**
   * Lists every lvol of the store (heads, snapshots and rebuilding lvols), as one atomic
   * snapshot.
   */
  List<Lvol> listLvols() throws StoreException;

  /**
   * Looks one lvol up by name. The default scans {@link #listLvols()}; stores that can ask for
   * one lvol (SPDK: {@code bdev_get_bdevs} with a name) should override it.
   *
   * @return the lvol, or empty if there is none of that name
   */
  default Optional<Lvol> findLvol(String name) throws StoreException {
    for (Lvol lvol : listLvols()) {
      if (lvol.name().equals(name)) {
        return Optional.of(lvol);
      }
    }
    return Optional.empty();
  }
}
