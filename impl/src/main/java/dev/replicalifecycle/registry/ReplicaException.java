package dev.replicalifecycle.registry;

/**
 * A registry operation failed. The subclasses say why; every one of them leaves the registry as
 * the operation's documentation says (create: rolled back; delete: the replica in {@code error}).
 */
public abstract sealed class ReplicaException extends RuntimeException
    permits ReplicaAlreadyExistsException, ReplicaStoreException, RegistryClosedException {

  ReplicaException(String message, Throwable cause) {
    super(message, cause);
  }
}
