package dev.replicalifecycle.registry;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one verify round did, and what it could not judge. Immutable.
 *
 * @param stamp the round's stamp: the registry's change counter when the round started
 * @param lvolsListed how many lvols the store listed (read entries, every kind)
 * @param changes what the round changed, in name order
 * @param skipped names the round did not judge, and why, in name order
 * @param orphanLvols snapshot and rebuilding lvols whose replica has no entry and no head lvol
 *     (reported, never deleted), sorted
 * @param nonReplicaLvols how many listed lvols belong to no replica (backing images, snapshots
 *     with no replica's name, lvols with no valid replica name): never adopted, never judged
 * @param missingLvstores lvol stores the listing did not cover (not loaded yet, renamed): no
 *     replica of theirs was judged missing
 * @param unreadableEntries how many listing entries could not be read: no replica they could be
 *     was judged missing
 * @param recoverable replicas in {@code ERROR} because their lvol was missing whose lvol, with the
 *     same UUID, this round listed again: {@link ReplicaRegistry#recover} brings them back, sorted
 */
public record VerifyReport(
    long stamp,
    int lvolsListed,
    List<Change> changes,
    List<Skip> skipped,
    List<String> orphanLvols,
    int nonReplicaLvols,
    Set<String> missingLvstores,
    int unreadableEntries,
    List<String> recoverable) {

  /** Copies the collections. */
  public VerifyReport {
    changes = List.copyOf(changes);
    skipped = List.copyOf(skipped);
    orphanLvols = List.copyOf(orphanLvols);
    missingLvstores = Set.copyOf(missingLvstores);
    recoverable = List.copyOf(recoverable);
  }

  /** Whether the listing covered every lvol store and read every entry. */
  public boolean listingComplete() {
    return missingLvstores.isEmpty() && unreadableEntries == 0;
  }

  /** The kinds of change a round makes. */
  public enum ChangeKind {
    /** A head lvol no entry owned became a {@link ReplicaState#STOPPED} replica. */
    ADOPTED,
    /**
     * A replica whose head (and rebuilding) lvol is certainly gone became {@link
     * ReplicaState#ERROR}.
     */
    MARKED_ERROR,
    /**
     * A replica's head lvol is listed under a new UUID (a rebuild re-clones the head): the replica
     * follows its head by name, as upstream does, and now records the new UUID.
     */
    RELINKED
  }

  /** Why a round left a name alone. */
  public enum SkipReason {
    /** The name changed after the round's stamp: the listing may be stale for it. */
    CHANGED_SINCE_STAMP,
    /** A create or delete of the name was in flight. */
    IN_FLIGHT,
    /** The replica's lvol is not listed, but neither is its lvol store: nothing is proven. */
    LVSTORE_NOT_LISTED,
    /** The replica's lvol is not listed, but an entry that could be it was unreadable. */
    UNREADABLE_ENTRY
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
