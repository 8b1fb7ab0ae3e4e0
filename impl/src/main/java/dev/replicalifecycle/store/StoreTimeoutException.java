package dev.replicalifecycle.store;

/** No answer came within the call's timeout. The outcome is unknown: it may have been applied. */
public final class StoreTimeoutException extends StoreException {
  public StoreTimeoutException(String message) {
    this(message, null);
  }

  public StoreTimeoutException(String message, Throwable cause) {
    super(0, message, cause);
  }

  @Override
  public boolean outcomeKnown() {
    return false;
  }
}
