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
   * Deletes an lvol by name. A snapshot can be deleted while at most one lvol is cloned from it;
   * that clone then inherits its data and takes its parent.
   *
   * @throws LvolNotFoundException if there is no lvol with this name (or its create is still
   *     pending); nothing changed
   * @throws LvolBusyException if a delete of it is still pending; nothing changed
   * @throws LvolHasClonesException if it is a snapshot with more than one clone; nothing changed
   * @throws StoreException on any other failure
   */
  void deleteLvol(String name) throws StoreException;

  /**
   * Takes a read-only snapshot of lvol {@code name} (SPDK {@code bdev_lvol_snapshot}): a new lvol
   * {@code snapshotName} holds the data so far and the lvol becomes its clone (its {@link
   * Lvol#parent()} is the snapshot, the snapshot's parent is the lvol's former parent). The lvol
   * keeps its name and UUID. The default refuses: a store must opt in.
   *
   * @param name the lvol to snapshot
   * @param snapshotName the snapshot's lvol name, already validated by the caller
   * @return the snapshot, as a listing would show it
   * @throws LvolAlreadyExistsException if an lvol named {@code snapshotName} exists or is being
   *     created; nothing changed
   * @throws LvolNotFoundException if there is no lvol {@code name}; nothing changed
   * @throws StoreException on any other failure ({@link StoreRejectedException} if {@code name}
   *     is itself a snapshot, SPDK: -32602 "Invalid argument", or if the store cannot take
   *     snapshots)
   */
  default Lvol snapshotLvol(String name, String snapshotName) throws StoreException {
    throw unsupported("bdev_lvol_snapshot");
  }

  /**
   * Creates a writable clone {@code cloneName} of snapshot {@code snapshotName} (SPDK {@code
   * bdev_lvol_clone}): thin, its parent the snapshot. The default refuses.
   *
   * @return the clone, as a listing would show it
   * @throws LvolAlreadyExistsException if an lvol named {@code cloneName} exists or is being
   *     created; nothing changed
   * @throws LvolNotFoundException if there is no lvol {@code snapshotName}; nothing changed
   * @throws StoreRejectedException if {@code snapshotName} is not a snapshot (SPDK: -32602
   *     "Invalid argument"), or the store cannot clone; nothing changed
   * @throws StoreException on any other failure
   */
  default Lvol cloneSnapshot(String snapshotName, String cloneName) throws StoreException {
    throw unsupported("bdev_lvol_clone");
  }

  /**
   * Renames lvol {@code name} to {@code newName} (SPDK {@code bdev_lvol_rename}); it keeps its
   * UUID, data, parent and clones. The default refuses.
   *
   * @return the lvol under its new name
   * @throws LvolAlreadyExistsException if an lvol named {@code newName} exists; nothing changed
   * @throws LvolNotFoundException if there is no lvol {@code name}; nothing changed
   * @throws StoreException on any other failure ({@link StoreRejectedException} for a snapshot:
   *     SPDK v26.05 answers -32602 "Operation not permitted")
   */
  default Lvol renameLvol(String name, String newName) throws StoreException {
    throw unsupported("bdev_lvol_rename");
  }

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

  /** The refusal of a call a store does not implement: -95 (EOPNOTSUPP), nothing applied. */
  private static StoreRejectedException unsupported(String call) {
    return new StoreRejectedException(-95, "Operation not supported: this store has no " + call);
  }
}
