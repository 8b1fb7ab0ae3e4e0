package dev.replicalifecycle.store;

/**
 * A failed {@link LvolStore} call. The subclasses are the complete list of failure kinds; see the
 * package documentation for which ones leave the outcome unknown.
 */
public abstract sealed class StoreException extends Exception
    permits LvolAlreadyExistsException,
        LvolBusyException,
        LvolHasClonesException,
        LvolNotFoundException,
        StoreRejectedException,
        StoreUnavailableException,
        StoreProtocolException,
        StoreTimeoutException {

  private final int code;

  StoreException(int code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * The store's error code: for SPDK, the JSON-RPC error code (a negative errno or a standard
   * JSON-RPC code); {@code 0} when the failure is not an error answer (timeouts, transport).
   */
  public int code() {
    return code;
  }

  /**
   * Whether the call certainly had no effect. {@code false} for timeouts and transport failures,
   * where the request may have been applied.
   */
  public boolean outcomeKnown() {
    return true;
  }
}
