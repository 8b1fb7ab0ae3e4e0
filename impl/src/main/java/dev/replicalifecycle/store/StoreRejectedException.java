package dev.replicalifecycle.store;

/**
 * The store answered with an error other than already-exists or not-found (for SPDK: EBUSY,
 * EINVAL, or the -32602/-32603 codes of asynchronous lvol failures). The code and message are kept
 * as the store sent them. Nothing was applied.
 */
public final class StoreRejectedException extends StoreException {
  public StoreRejectedException(int code, String message) {
    super(code, message, null);
  }
}
