package dev.replicalifecycle.registry;

import dev.replicalifecycle.store.StoreException;

/**
 * A store call failed during a registry operation; {@link #getCause()} is the typed {@link
 * StoreException}. What the registry did about it is in the message and in the replica's state:
 * a failed create is rolled back (nothing of it is left); a failed delete leaves the replica in
 * {@code ERROR}; a failed verify listing changes nothing. The subclass {@link
 * ReplicaOutcomeUnknownException} is thrown when an operation could not learn what its store calls
 * did.
 */
public sealed class ReplicaStoreException extends ReplicaException
    permits ReplicaOutcomeUnknownException {
  private final String name;

  public ReplicaStoreException(String name, String message, StoreException cause) {
    super(message, cause);
    this.name = name;
  }

  /** The replica name, or {@code null} for a verify round. */
  public String name() {
    return name;
  }

  @Override
  public synchronized StoreException getCause() {
    return (StoreException) super.getCause();
  }
}
