package dev.replicalifecycle.store;

/**
 * The store answered something malformed: bytes that are not JSON, an answer over a size limit,
 * a message that is not a JSON-RPC response, or a result of the wrong shape. Unlike {@link
 * StoreUnavailableException} the store was reachable and talking; unlike an error answer the
 * request was sent and its effect is not known. The outcome is unknown: the request may have
 * been applied.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class StoreProtocolException extends StoreException {
  public StoreProtocolException(String message, Throwable cause) {
    super(0, message, cause);
  }

  public StoreProtocolException(String message) {
    this(message, null);
  }

  @Override
  public boolean outcomeKnown() {
    return false;
  }
}
