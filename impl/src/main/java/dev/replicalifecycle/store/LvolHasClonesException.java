package dev.replicalifecycle.store;

/**
 * The snapshot cannot be deleted: more than one lvol is cloned from it (SPDK answers {@code
 * bdev_lvol_delete} of such a snapshot with -32603 "Operation not permitted"; a snapshot with one
 * clone can be deleted, the clone inheriting its data). Nothing was applied.
 */
public final class LvolHasClonesException extends StoreException {
  /** Error code SPDK uses for it: {@code -32603} (JSON-RPC internal error) with the EPERM text. */
  public static final int CODE = -32603;

  public LvolHasClonesException(String message) {
    super(CODE, message, null);
  }
}
