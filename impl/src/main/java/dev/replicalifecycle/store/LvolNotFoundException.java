package dev.replicalifecycle.store;

/** No lvol of that name exists (SPDK -19 ENODEV). Nothing was applied. */
public final class LvolNotFoundException extends StoreException {
  /** Error code SPDK uses: {@code -ENODEV}. */
  public static final int CODE = -19;

  public LvolNotFoundException(String message) {
    super(CODE, message, null);
  }
}
