package dev.replicalifecycle.registry;

/**
 * {@code create} found the name taken: by a replica in any state (a create or delete in flight
 * included), or by an lvol of that name in the store that the registry does not own yet (a
 * later verify adopts it). Nothing changed.
 */
public final class ReplicaAlreadyExistsException extends ReplicaException {
  private final String name;

  public ReplicaAlreadyExistsException(String name, String message) {
    super(message, null);
    this.name = name;
  }

  /** The replica name. */
  public String name() {
    return name;
  }
}
