package dev.replicalifecycle.store;

/**
 * The store could not be reached, or the connection broke before an answer came. The outcome is
 * unknown: the request may have been applied.
 */
public final class StoreUnavailableException extends StoreException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(0, message, cause);
  }

  public StoreUnavailableException(String message) {
    this(message, null);
  }

  @Override
  public boolean outcomeKnown() {
    return false;
  }
}
