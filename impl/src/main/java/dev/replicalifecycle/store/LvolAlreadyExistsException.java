package dev.replicalifecycle.store;

/** An lvol of that name already exists (SPDK -17 EEXIST). Nothing was applied. */
public final class LvolAlreadyExistsException extends StoreException {
  /** Error code SPDK uses: {@code -EEXIST}. */
  public static final int CODE = -17;

  public LvolAlreadyExistsException(String message) {
    super(CODE, message, null);
  }
}
