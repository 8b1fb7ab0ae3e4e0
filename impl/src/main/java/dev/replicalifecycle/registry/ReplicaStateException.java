package dev.replicalifecycle.registry;

/**
 * The replica is not in a state that allows the operation (for example {@link
 * ReplicaRegistry#recover} of a replica that is not in {@code ERROR} for a missing lvol, or whose
 * lvol is not back). Nothing changed.
 */
public final class ReplicaStateException extends ReplicaException {
  private final String name;

  public ReplicaStateException(String name, String message) {
    super(message, null);
    this.name = name;
  }

  /** The replica name. */
  public String name() {
    return name;
  }
}
