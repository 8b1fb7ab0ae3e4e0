package dev.replicalifecycle.registry;

/**
 * The atomic steps of the registry, named exactly as the actions of {@code
 * spec/ReplicaLifecycle.tla} (hence the unusual constant names: one name for one thing across the
 * spec, the code and the docs).
 *
 * <p>Each operation is a fixed sequence of these steps:
 *
 * <ul>
 *   <li>create: {@link #CreateReserve}, {@link #CreateLvol}, {@link #CreateExpose}, {@link
 *       #CreatePublish}; after a failed lvol call {@link #CreateRollback} (outcome unknown only)
 *       and {@link #CreateAbort} instead of publishing;
 *   <li>delete: {@link #DeleteMark}, {@link #DeleteLvol}, {@link #DeleteRemove};
 *   <li>verify: {@link #VerifyStart}, {@link #VerifyList}, then one {@link #VerifyApply} per name.
 * </ul>
 */
@SuppressWarnings("java:S115") // constant names are the spec's action names on purpose
public enum SpecAction {
  /** Reserve the name (an entry in state creating), or fail: the name is taken. */
  CreateReserve,
  /** The store call that creates the head lvol. */
  CreateLvol,
  /**
   * Where engine code exposes the head (ports, NVMe-oF). The registry holds no ports: this step
   * changes nothing and exists so that Java traces line up with the spec's.
   */
  CreateExpose,
  /** The reservation becomes running; create returns. */
  CreatePublish,
  /** After a timeout: delete the lvol that may have been made. */
  CreateRollback,
  /** Give the name back, or leave it in error when the lvol may still exist; create fails. */
  CreateAbort,
  /** Mark the entry deleting (reserving an absent name too); waits for an op in flight. */
  DeleteMark,
  /** The store calls that delete the head lvol and a rebuilding lvol of the name. */
  DeleteLvol,
  /** Remove the entry, or leave it in error if the lvol delete failed; delete returns. */
  DeleteRemove,
  /** Take the round's stamp. */
  VerifyStart,
  /** The store call that lists all lvols. */
  VerifyList,
  /** Decide about one name: a compare-and-set against the stamp. */
  VerifyApply
}
