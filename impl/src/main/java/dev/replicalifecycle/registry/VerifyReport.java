package dev.replicalifecycle.registry;

import java.util.List;
import java.util.Objects;

/**
 * What one verify round did. Immutable.
 *
 * @param stamp the round's stamp: the registry's change counter when the round started
 * @param lvolsListed how many lvols the store listed
 * @param changes what the round changed, in name order
 * @param skipped names the round did not judge, and why, in name order
 * @param orphanLvols snapshot and rebuilding lvols whose replica has no entry and no head lvol
 *     (reported, never deleted), sorted
 */
public record VerifyReport(
    long stamp, int lvolsListed, List<Change> changes, List<Skip> skipped, List<String> orphanLvols) {

  /** Copies the lists. */
  public VerifyReport {
    changes = List.copyOf(changes);
    skipped = List.copyOf(skipped);
    orphanLvols = List.copyOf(orphanLvols);
  }

  /** The kinds of change a round makes. */
  public enum ChangeKind {
    /** A head lvol no entry owned became a {@link ReplicaState#STOPPED} replica. */
    ADOPTED,
    /** A replica whose head (and rebuilding) lvol is gone became {@link ReplicaState#ERROR}. */
    MARKED_ERROR
  }

  /** Why a round left a name alone. */
  public enum SkipReason {
    /** The name changed after the round's stamp: the listing may be stale for it. */
    CHANGED_SINCE_STAMP,
    /** A create or delete of the name was in flight. */
    IN_FLIGHT
  }

  /** One change: the replica as the round left it. */
  public record Change(String name, ChangeKind kind, Replica replica) {
    public Change {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(replica, "replica");
    }
  }

  /** One name left alone. */
  public record Skip(String name, SkipReason reason) {
    public Skip {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
