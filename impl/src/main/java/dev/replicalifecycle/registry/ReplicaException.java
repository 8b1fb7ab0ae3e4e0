package dev.replicalifecycle.registry;

/**
 * A registry operation failed. The subclasses say why; every one of them leaves the registry as
 * the operation's documentation says: nothing changed ({@link ReplicaAlreadyExistsException},
 * {@link ReplicaBusyException}, {@link ReplicaStateException}, {@link RegistryClosedException}),
 * or what a store failure left ({@link ReplicaStoreException}: a create rolled back, a delete's
 * replica in {@code ERROR}; {@link ReplicaOutcomeUnknownException}: the replica in {@code ERROR}
 * until a delete settles it).
 */
public abstract sealed class ReplicaException extends RuntimeException
    permits ReplicaAlreadyExistsException,
        ReplicaBusyException,
        ReplicaStateException,
        ReplicaStoreException,
        RegistryClosedException {

  ReplicaException(String message, Throwable cause) {
    super(message, cause);
  }
}
