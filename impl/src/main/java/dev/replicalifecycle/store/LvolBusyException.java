package dev.replicalifecycle.store;

/**
 * The lvol is being deleted by an earlier request that the store started and has not finished
 * (SPDK answers a second {@code bdev_lvol_delete} with -32603 "Device or resource busy"). Nothing
 * was applied by this call; the earlier delete will finish on its own, so trying again later is
 * the answer.
 */
public final class LvolBusyException extends StoreException {
  /** Error code SPDK uses for it: {@code -32603} (JSON-RPC internal error) with the EBUSY text. */
  public static final int CODE = -32603;

  public LvolBusyException(String message) {
    super(CODE, message, null);
  }
}
