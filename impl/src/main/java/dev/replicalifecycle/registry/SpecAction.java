package dev.replicalifecycle.registry;

/**
 * The atomic steps of the registry, named exactly as the actions of {@code
 * spec/ReplicaLifecycle.tla} and {@code spec/ReplicaChains.tla} (hence the unusual constant
 * names: one name for one thing across the spec, the code and the docs).
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
 *
 * <p>The operations of {@code spec/ReplicaChains.tla} (snapshots, start, rebuild):
 *
 * <ul>
 *   <li>snapshot: {@link #SnapMark}, {@link #SnapCall} tries, {@link #SnapPublish};
 *   <li>deleteSnapshot: {@link #SnapDelMark}, {@link #SnapDelCall} tries, {@link
 *       #SnapDelPublish};
 *   <li>start: {@link #StartMark}, {@link #StartLook} tries;
 *   <li>finishRebuild: {@link #RebuildFinishMark}, {@link #RebuildRename} tries, {@link
 *       #RebuildFinishPublish};
 *   <li>beginRebuild and abortRebuild are a create of the {@code -rebuilding} lvol and a delete,
 *       with their steps (that spec's {@code RebuildBegin}, {@code RebuildLvol} and {@code
 *       RebuildAbortMark}, {@code RebuildAbortDelete}, {@code RebuildAbortRemove}; the mapping is
 *       in conformance/README.md).
 * </ul>
 *
 * <p>A mark step's outcome is the snapshot's name (snapshot, deleteSnapshot) or {@code ok};
 * {@code busy} (an operation on the name is in flight: the try waits, nothing changed) and
 * {@code refused} (the replica's state or chain does not allow the operation: it fails, nothing
 * changed) are not spec steps, nor is a start's {@code running} (the replica runs already). The
 * look-ups that settle a store call of unknown outcome run outside any step.
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
  VerifyApply,

  /** Mark a RUNNING or REBUILDING replica busy for a snapshot; outcome: the snapshot's name. */
  SnapMark,
  /** One {@code bdev_lvol_snapshot} try of the data lvol (head, or rebuilding lvol). */
  SnapCall,
  /**
   * The chain grows by the snapshot ({@code ok}), or stays ({@code failed}), or the replica is
   * left in ERROR with the snapshot in its chain ({@code error}: gave up, outcome unknown); the
   * name is freed.
   */
  SnapPublish,
  /** Mark a replica busy for a snapshot delete; outcome: the snapshot's name. */
  SnapDelMark,
  /**
   * One {@code bdev_lvol_delete} try of the snapshot lvol ({@code notfound} counts as done;
   * {@code clones}: it has two, SPDK refuses).
   */
  SnapDelCall,
  /** The snapshot leaves the chain ({@code ok}) or stays ({@code failed}); the name is freed. */
  SnapDelPublish,
  /** Mark a STOPPED replica busy for a start. */
  StartMark,
  /**
   * Look the head and its chain up: the replica RUNNING with the store's chain ({@code
   * running}), or unchanged ({@code nohead}: start never makes an lvol); the name is freed. A
   * look-up that failed: {@code fail} or {@code timeout} (tried again); a start that gives up
   * frees the name in one more StartLook step, {@code failed}.
   */
  StartLook,
  /** Mark a REBUILDING replica busy for the end of its rebuild. */
  RebuildFinishMark,
  /** One {@code bdev_lvol_rename} try of {@code <n>-rebuilding} to {@code <n>}. */
  RebuildRename,
  /**
   * The replica RUNNING on its new head ({@code running}), unchanged ({@code failed}), or in
   * ERROR ({@code error}: gave up, outcome unknown); the name is freed.
   */
  RebuildFinishPublish
}
