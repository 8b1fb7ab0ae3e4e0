package dev.replicalifecycle.registry;

/**
 * An operation waited for another operation on the same name (the per-name serialisation) and
 * gave up: the registry's operation timeout passed ({@link
 * ReplicaRegistry.Builder#operationTimeout}), or the waiting thread was interrupted (its interrupt
 * status is set again). Nothing changed; the operation can be tried again.
 */
public final class ReplicaBusyException extends ReplicaException {
  private final String name;
  private final boolean interrupted;

  public ReplicaBusyException(String name, boolean interrupted, String message) {
    super(message, null);
    this.name = name;
    this.interrupted = interrupted;
  }

  /** The replica name. */
  public String name() {
    return name;
  }

  /** {@code true} if the wait ended by an interrupt, {@code false} if by the timeout. */
  public boolean interrupted() {
    return interrupted;
  }
}
