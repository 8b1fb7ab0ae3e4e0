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
 *       #CreatePublish}; after a failed lvol call {@link #CreateAbort} instead of publishing; after
 *       a lvol call whose outcome is unknown, {@link #CreateRollback} tries (each answered "not
 *       found" followed by a {@link #CreateSettle} probe) until a delete succeeds, then {@link
 *       #CreateAbort};
 *   <li>delete: {@link #DeleteMark}, {@link #DeleteRlvol} (until it settles), {@link
 *       #DeleteLvol} tries (each answered "not found", where a create may be pending, followed by a
 *       {@link #DeleteProbe}), {@link #DeleteRemove};
 *   <li>verify: {@link #VerifyStart}, {@link #VerifyList}, then one {@link #VerifyApply} per name.
 * </ul>
 */
@SuppressWarnings("java:S115") // constant names are the spec's action names on purpose
public enum SpecAction {
  /** Reserve the name (an entry in state creating), or fail: the name is taken. */
  CreateReserve,
  /** Look the name up, then the store call that creates the head lvol. */
  CreateLvol,
  /**
   * Where engine code exposes the head (ports, NVMe-oF). The registry holds no ports: this step
   * changes nothing and exists so that Java traces line up with the spec's.
   */
  CreateExpose,
  /** The reservation becomes running; create returns. */
  CreatePublish,
  /** After an unknown outcome: delete the lvol that may have been made; success settles it. */
  CreateRollback,
  /** After a rollback found nothing: a probe create (EEXIST: a create is pending or landed). */
  CreateSettle,
  /** Give the name back and fail, or give up (the entry in error); create returns. */
  CreateAbort,
  /** Mark the entry deleting (reserving an absent name too); waits for an op in flight. */
  DeleteMark,
  /** The store call that deletes the name's rebuilding lvol (stops a rebuild). */
  DeleteRlvol,
  /** The store call that deletes the head lvol. */
  DeleteLvol,
  /** Where a create of the name may be pending: a probe create before the next delete try. */
  DeleteProbe,
  /** Remove the entry, or leave it in error if a store call failed; delete returns. */
  DeleteRemove,
  /** Take the round's stamp. */
  VerifyStart,
  /** The store call that lists all lvols. */
  VerifyList,
  /** Decide about one name: a compare-and-set against the stamp. */
  VerifyApply
}
