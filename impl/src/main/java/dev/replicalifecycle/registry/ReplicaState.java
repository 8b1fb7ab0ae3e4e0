package dev.replicalifecycle.registry;

/**
 * The lifecycle state of a replica, as the registry reports it. The names are the spec's (see
 * {@code spec/ReplicaLifecycle.tla}).
 */
public enum ReplicaState {
  /** The name is reserved by a create in flight; verify ignores it. */
  CREATING,
  /** The create returned: the head lvol exists. */
  RUNNING,
  /** Adopted by verify from an lvol that no entry owned (recovery after a restart). */
  STOPPED,
  /**
   * Something is wrong; {@link Replica#errorReason()} says what. Sticky: only {@code delete}
   * (and a new {@code create}) clears it.
   */
  ERROR,
  /** A delete is in flight; the name stays reserved until it ends. */
  DELETING,
  /**
   * Being rebuilt (Longhorn's write-only mode): {@link ReplicaRegistry#beginRebuild} made its
   * {@code <name>-rebuilding} lvol, which gets the data and snapshots copied from a healthy
   * replica; {@link ReplicaRegistry#finishRebuild} makes it the head ({@code RUNNING}), {@link
   * ReplicaRegistry#abortRebuild} deletes it. Verify leaves it alone.
   */
  REBUILDING;

  /** Whether an operation on the name is in flight (the name is busy). */
  public boolean inFlight() {
    return this == CREATING || this == DELETING;
  }
}
