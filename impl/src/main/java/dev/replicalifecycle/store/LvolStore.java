package dev.replicalifecycle.store;

import java.util.Optional;

/**
 * The storage side of a replica: logical volumes (lvols) in one or more SPDK lvol stores.
 *
 * <p>Each method is one request to the store (the default {@link #findLvol} aside) and is atomic
 * there, like one SPDK JSON-RPC call: it is either applied entirely or not at all. A {@link
 * StoreException} says which (see the package documentation); {@link StoreTimeoutException} and
 * {@link StoreUnavailableException} mean the outcome is unknown.
 *
 * <p><b>Requests outlive their callers.</b> A store never cancels a request: one that timed out
 * on the caller's side may still be applied later, once, and a request issued before the caller
 * died is still executed. While a create of a name that the store has started is still pending,
 * another create of that name fails with {@link LvolAlreadyExistsException}, a delete of it with
 * {@link LvolNotFoundException}, and listings do not show it; while a delete it has started is
 * pending, listings and look-ups no longer show the lvol (SPDK unregisters its bdev first), but a
 * create of its name fails with {@link LvolAlreadyExistsException} and another delete with {@link
 * LvolBusyException}. A
 * store starts the requests of one caller in the order they were made, so a request made after a
 * timed-out one sees that one either done, never to be done, or started.
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
   * @throws LvolAlreadyExistsException if an lvol with this name exists or is being created;
   *     nothing changed
   * @throws StoreException on any other failure
   */
  Lvol createLvol(String name, long sizeBytes) throws StoreException;

  /**
   * Deletes an lvol by name.
   *
   * @throws LvolNotFoundException if there is no lvol with this name (or its create is still
   *     pending); nothing changed
   * @throws LvolBusyException if a delete of it is still pending; nothing changed
   * @throws StoreException on any other failure
   */
  void deleteLvol(String name) throws StoreException;

  /**
   * Lists the lvols of the store (heads, snapshots, rebuilding lvols and others), as one atomic
   * snapshot, and says what the listing could not see: lvol stores it did not cover and entries
   * it could not read. A listing never fails because of one strange entry.
   */
  LvolListing listLvols() throws StoreException;

  /**
   * Looks one lvol up by name. The default scans {@link #listLvols()}; stores that can ask for
   * one lvol (SPDK: {@code bdev_get_bdevs} with a name) should override it.
   *
   * @return the lvol, or empty if there is none of that name
   */
  default Optional<Lvol> findLvol(String name) throws StoreException {
    for (Lvol lvol : listLvols().lvols()) {
      if (lvol.name().equals(name)) {
        return Optional.of(lvol);
      }
    }
    return Optional.empty();
  }
}
