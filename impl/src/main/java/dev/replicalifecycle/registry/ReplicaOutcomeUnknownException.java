package dev.replicalifecycle.registry;

import dev.replicalifecycle.store.StoreException;

/**
 * An operation's store calls kept timing out (or the store stayed unreachable, or the thread was
 * interrupted) and the operation gave up before it could learn what they did: a create cannot
 * tell whether its lvol exists or will appear, a delete whether its lvol is gone. The operation
 * timeout ({@link ReplicaRegistry.Builder#operationTimeout}) bounds how long it tries. The replica
 * is left in {@code ERROR} with the reason, and its name stays taken: a later {@link
 * ReplicaRegistry#delete} settles it (it proves the lvol gone before it frees the name). This is
 * not a failure: the operation may have taken effect.
 */
public final class ReplicaOutcomeUnknownException extends ReplicaStoreException {
  public ReplicaOutcomeUnknownException(String name, String message, StoreException cause) {
    super(name, message, cause);
  }
}
