package dev.replicalifecycle.registry.lincheck;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaAlreadyExistsException;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.ReplicaStoreException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The results Lincheck compares, abstracted the same way for the registry under test and for the
 * sequential model. Plain strings, so that failures print readably.
 */
final class Outcomes {
  private Outcomes() {}

  /**
   * What {@code get} shows: {@code present} for a replica whose name is taken and not in error
   * (creating, running, stopped, deleting: an operation in flight is not a state the sequential
   * model has, and each of these is "the replica exists"), {@code error}, or {@code absent}.
   */
  static String of(Optional<Replica> replica) {
    if (replica.isEmpty()) {
      return "absent";
    }
    return replica.get().state() == ReplicaState.ERROR ? "error" : "present";
  }

  /** What {@code create} returned: {@code running}, {@code exists}, or a failure. */
  static String create(Supplier<Replica> create) {
    try {
      Replica r = create.get();
      return r.state() == ReplicaState.RUNNING ? "running" : "returned-" + r.state();
    } catch (ReplicaAlreadyExistsException e) {
      return "exists";
    } catch (ReplicaStoreException e) {
      return "store-failure";
    }
  }

  /** What {@code delete} returned: {@code ok} or a failure. */
  static String delete(Runnable delete) {
    try {
      delete.run();
      return "ok";
    } catch (ReplicaStoreException e) {
      return "store-failure";
    }
  }

  /**
   * What a snapshot operation returned: {@code ok}, {@code state} (not allowed in the replica's
   * state: none, a snapshot of that name already in the chain, or not in it), or a failure.
   */
  static String snapshotOp(Supplier<Replica> op) {
    try {
      op.get();
      return "ok";
    } catch (dev.replicalifecycle.registry.ReplicaStateException e) {
      return "state";
    } catch (ReplicaStoreException e) {
      return "store-failure";
    }
  }

  /** The replica's chain as {@code get} shows it: {@code absent}, or its snapshots in order. */
  static String chain(Optional<Replica> replica) {
    return replica.map(r -> of(replica) + r.snapshots()).orElse("absent");
  }
}
