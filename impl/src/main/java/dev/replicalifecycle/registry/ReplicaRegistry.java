package dev.replicalifecycle.registry;

import dev.replicalifecycle.store.LvolStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The replicas of one storage node: a map from name to replica, kept consistent with the lvols of
 * an {@link LvolStore} by {@link #verify()} rounds, without ever losing a replica to a round that
 * runs concurrently with its create (the "stamped verify" design, V4 in {@code spec/}), and in
 * SPDK's fault model: store calls that time out and are applied later, calls that outlive a
 * restart, listings that miss an lvol store or cannot read an entry.
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li>{@link #create} waits for a delete of the same name in flight, then reserves the name
 *       (state {@link ReplicaState#CREATING}; a second create of the name, or a create of a name
 *       with any replica, fails at once with {@link ReplicaAlreadyExistsException}), looks the
 *       name up in the store (an lvol no replica owns, a head or a {@code -rebuilding} lvol, fails
 *       the create with {@code AlreadyExists}: it is never the create's to delete), creates the
 *       head lvol, then marks the replica {@link ReplicaState#RUNNING}. If the store rejects the
 *       lvol call, nothing changed. If the call's outcome is unknown (a timeout: the lvol may exist,
 *       or appear later), the name stays reserved while the create settles it: it deletes the lvol
 *       (success proves nothing is left) and, while the store answers "not found", probes with a
 *       create of the name (EEXIST: the first create is still pending, wait; success: it never
 *       will land, delete the probe's lvol); then it frees the name and fails. A create that
 *       cannot settle within the operation timeout gives up: {@link ReplicaOutcomeUnknownException},
 *       the replica in {@link ReplicaState#ERROR}, the name taken until a delete.
 *   <li>{@link #delete} waits for a create or delete of the same name in flight, marks the replica
 *       {@link ReplicaState#DELETING}, deletes the name's {@code -rebuilding} lvol (stopping a
 *       rebuild) and its head lvol, then removes the entry. A busy or timed-out store call is
 *       tried again. "Not found" counts as done, except where a create of the name may still be
 *       pending in the store (the name has no replica: an earlier registry's create may be; or its
 *       replica is in {@code ERROR}: a create that gave up may be): there the delete proves it
 *       with a probe create before it trusts "not found". A name with no replica is reserved
 *       (invisibly: {@link #get} still finds nothing) and settled the same way. So a successful
 *       delete always means: no entry, no lvol of the name, no create of it pending. If the store
 *       rejects a call, the replica is left in {@code ERROR}.
 *   <li>{@link #verify} takes a stamp, lists the store's lvols, then for each name applies its
 *       decision only if the name did not change since the stamp and no operation on it is in
 *       flight (a per-name compare-and-set): a {@code RUNNING} or {@code STOPPED} replica with
 *       neither its head nor its {@code -rebuilding} lvol listed becomes {@code ERROR} (it stays
 *       visible), but only if the listing covered its lvol store and read every entry that could be
 *       it; a head lvol no replica owns is adopted as {@link ReplicaState#STOPPED}; lvols of other
 *       kinds (snapshots, backing images) are never adopted. Churn on other names never stops a
 *       round from deciding about a name.
 *   <li>{@link #recover} brings a replica that a round marked {@code ERROR} for a missing lvol
 *       back, when its lvol, the same one (same UUID), is in the store again.
 *   <li>{@link #close} fences the registry: after it returns, no operation of this registry
 *       starts a store call (a store call it started before may still be applied: SPDK never
 *       cancels a request).
 * </ul>
 *
 * <h2>Thread-safety and linearizability</h2>
 *
 * <p>Implementations are safe for concurrent use. {@link #create}, {@link #delete}, {@link
 * #recover}, {@link #get} and {@link #list} are linearizable with respect to the registry's map:
 * {@code create}'s effect takes place when it reserves the name and is visible as {@code RUNNING}
 * from the moment it returns; {@code delete}'s takes place when it removes the entry. One
 * exception, by design: an operation in flight is visible ({@code CREATING}, {@code DELETING}, as
 * upstream shows {@code pending}), so a {@code get} that runs while a create settles an unknown
 * outcome and then fails has seen a replica that no sequential order has; such a create is two
 * linearizable steps (the reservation, its release). A {@code verify} round is a sequence of
 * per-name atomic steps, each linearizable, and the round as a whole is equivalent to a round run
 * with no concurrent operations on the names it changes. {@link #list} is weakly consistent (each
 * entry is a linearizable read, the list is not one snapshot).
 *
 * <p>Happens-before: every operation that changes a name happens-before any operation that later
 * observes the change (through {@code get}, {@code list}, or a failure like {@code
 * AlreadyExists}). No registry lock is held across a store call: operations on different names
 * never wait for each other, and operations on one name wait only for that name's operation in
 * flight. Only verify rounds wait for each other (one round at a time).
 *
 * <h2>Blocking</h2>
 *
 * <p>{@code create}, {@code delete} and {@code recover} block for their store calls (each bounded
 * by the store's own timeout: {@code JsonRpcClient}'s call timeout for SPDK) and for an operation
 * in flight on the same name; the whole operation is bounded by the operation timeout ({@link
 * Builder#operationTimeout}, default 2 minutes) plus at most one store call. Waits honour
 * interrupts. {@code get} and {@code list} never block on a store call. {@code verify} blocks for
 * a round in progress and for its listing.
 */
public interface ReplicaRegistry extends AutoCloseable {

  /**
   * Creates a replica and its head lvol.
   *
   * <p>Blocks while a delete of the same name is in flight (up to the operation timeout), then
   * for its store calls; after a store call with an unknown outcome, until the outcome is settled
   * or the operation timeout passes.
   *
   * @param name the replica name, see {@link ReplicaNames}
   * @param sizeBytes the size, {@code > 0}
   * @return the replica, {@link ReplicaState#RUNNING}
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws IllegalArgumentException if the size is not positive; nothing changed
   * @throws ReplicaAlreadyExistsException if the name is taken by a replica, or an lvol of the name
   *     exists or is being created in the store; nothing changed
   * @throws ReplicaBusyException if a delete of the name was still in flight at the operation
   *     timeout, or the wait was interrupted; nothing changed
   * @throws ReplicaStoreException if a store call failed; nothing of the create is left (no
   *     entry, no lvol, no create of it pending in the store)
   * @throws ReplicaOutcomeUnknownException if the outcome of its lvol call could not be settled
   *     within the operation timeout (or the thread was interrupted): the replica is left in
   *     {@link ReplicaState#ERROR}, its name taken until {@link #delete} settles it
   * @throws RegistryClosedException if the registry is or gets closed; a store call already made
   *     may still be applied
   */
  Replica create(String name, long sizeBytes);

  /**
   * Deletes a replica and its lvols (head, {@code -rebuilding}, and the snapshots of its chain,
   * newest first). Deleting a name that has no
   * replica succeeds, after proving that no lvol of the name exists and no create of it is
   * pending in the store.
   *
   * <p>Blocks while a create or delete of the same name is in flight (up to the operation
   * timeout), then for its store calls, which it repeats while their outcome is unknown or the
   * store answers "busy", up to the operation timeout.
   *
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws ReplicaBusyException if an operation on the name was still in flight at the operation
   *     timeout, or the wait was interrupted; nothing changed
   * @throws ReplicaStoreException if the store rejected a call; the replica is left in {@code
   *     ERROR} (a name with no replica gets an {@code ERROR} entry), its name taken until a delete
   *     succeeds
   * @throws ReplicaOutcomeUnknownException if its calls could not be settled within the operation
   *     timeout (or the thread was interrupted): the replica is left in {@code ERROR}
   * @throws RegistryClosedException if the registry is or gets closed
   */
  void delete(String name);

  /**
   * Brings back a replica that a verify round marked {@link ReplicaState#ERROR} because its lvol
   * was missing, when the store has that lvol again, the same one (same UUID: its data): the
   * replica returns to the state it had ({@code RUNNING} or {@code STOPPED}). {@link
   * VerifyReport#recoverable()} lists the replicas a round saw in that case. Makes one store call
   * (a look-up) and waits for an operation in flight on the name, up to the operation timeout.
   *
   * @return the recovered replica
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws ReplicaStateException if there is no such replica, it is not in {@code ERROR} for a
   *     missing lvol, or its lvol is not in the store with the same UUID; nothing changed
   * @throws ReplicaBusyException as for {@link #delete}; nothing changed
   * @throws ReplicaStoreException if the look-up failed; nothing changed
   * @throws RegistryClosedException if the registry is or gets closed; nothing changed
   */
  Replica recover(String name);

  /**
   * Takes a snapshot of a {@link ReplicaState#RUNNING} replica (of a {@link
   * ReplicaState#REBUILDING} one: of its {@code -rebuilding} lvol, as a rebuild copies snapshots):
   * SPDK's {@code bdev_lvol_snapshot} makes the read-only lvol {@code <name>-snap-<snapshotName>}
   * and the head its clone. The snapshot joins the end of the replica's chain ({@link
   * Replica#snapshots()}). Serialised with every other operation on the name, so a verify round
   * never judges the replica while the chain changes.
   *
   * <p>If the call's outcome is unknown (a timeout), the snapshot is settled: found as the head's
   * parent, it was taken; else the call is made again (an answer "exists" while it is not listed
   * means the first call is still pending: wait). Past the operation timeout it gives up: the
   * replica in {@code ERROR} with the snapshot in its chain (it may exist), so that a delete
   * removes it too.
   *
   * @return the replica with the new chain
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws InvalidSnapshotNameException if the snapshot name is invalid; nothing changed
   * @throws ReplicaStateException if there is no such replica, it is not {@code RUNNING} or
   *     {@code REBUILDING}, its chain has a snapshot of that name, or an lvol of the snapshot's
   *     name that is not its own exists; nothing changed
   * @throws ReplicaBusyException if another operation on the name was in flight at the operation
   *     timeout, or the wait was interrupted; nothing changed
   * @throws ReplicaStoreException if the store rejected the call (the head is missing, for one);
   *     nothing changed
   * @throws ReplicaOutcomeUnknownException if the outcome could not be settled in time
   * @throws RegistryClosedException if the registry is or gets closed
   */
  Replica snapshot(String name, String snapshotName);

  /**
   * Deletes a snapshot from a replica's chain ({@code bdev_lvol_delete} of its lvol; its one clone
   * inherits its data). Allowed for {@code RUNNING}, {@code STOPPED} and {@code REBUILDING}
   * replicas. A snapshot lvol already gone counts as deleted. A timed-out or busy call is tried
   * again up to the operation timeout.
   *
   * @return the replica with the new chain
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws InvalidSnapshotNameException if the snapshot name is invalid; nothing changed
   * @throws ReplicaStateException if there is no such replica, it is in another state, its chain
   *     has no such snapshot, or the snapshot has more than one clone (SPDK refuses); nothing
   *     changed
   * @throws ReplicaBusyException as for {@link #snapshot}; nothing changed
   * @throws ReplicaStoreException if the store rejected the call; nothing changed
   * @throws ReplicaOutcomeUnknownException if its outcome could not be settled in time: the
   *     snapshot stays in the chain (a later delete settles it)
   * @throws RegistryClosedException if the registry is or gets closed
   */
  Replica deleteSnapshot(String name, String snapshotName);

  /**
   * Starts a {@link ReplicaState#STOPPED} replica (one a verify round adopted after a restart):
   * looks its head up and rebuilds its chain from the store (the head's parent snapshots, as
   * long as they are this replica's), then marks it {@code RUNNING}. Never creates an lvol: a
   * replica whose head is gone stays {@code STOPPED} (a verify round will mark it {@code ERROR}).
   * Starting a {@code RUNNING} replica returns it as it is.
   *
   * @return the replica, {@code RUNNING}
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws ReplicaStateException if there is no such replica, it is in another state, or its
   *     head lvol is not in the store (or is another lvol than the one adopted); nothing changed
   * @throws ReplicaBusyException as for {@link #snapshot}; nothing changed
   * @throws ReplicaStoreException if a look-up failed (after tries up to the operation timeout);
   *     nothing changed
   * @throws RegistryClosedException if the registry is or gets closed
   */
  Replica start(String name);

  /**
   * Begins rebuilding a new replica (Longhorn's destination replica, write-only): like {@link
   * #create}, but the lvol made is {@code <name>-rebuilding} and the replica is {@link
   * ReplicaState#REBUILDING}. The data and snapshots are then copied into it ({@link #snapshot}
   * takes the copied snapshots on it), and {@link #finishRebuild} or {@link #abortRebuild} ends
   * the rebuild. Same failures, with the same guarantees, as {@link #create}.
   *
   * @return the replica, {@code REBUILDING}
   */
  Replica beginRebuild(String name, long sizeBytes);

  /**
   * Ends a rebuild: renames {@code <name>-rebuilding} to {@code <name>} ({@code
   * bdev_lvol_rename}), which becomes the head (same UUID, same chain), and marks the replica
   * {@code RUNNING}. A rename whose outcome is unknown is settled by looking both names up and
   * trying again; past the operation timeout the replica is left in {@code ERROR}.
   *
   * @return the replica, {@code RUNNING}
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws ReplicaStateException if there is no such replica or it is not {@code REBUILDING};
   *     nothing changed
   * @throws ReplicaBusyException as for {@link #snapshot}; nothing changed
   * @throws ReplicaStoreException if the store rejected the rename (the rebuilding lvol is gone,
   *     a head of the name exists); nothing changed
   * @throws ReplicaOutcomeUnknownException if the outcome could not be settled in time
   * @throws RegistryClosedException if the registry is or gets closed
   */
  Replica finishRebuild(String name);

  /**
   * Abandons a rebuild: deletes the replica as {@link #delete} does (its {@code -rebuilding} lvol
   * and the snapshots copied so far), but only while it is {@code REBUILDING}.
   *
   * @throws ReplicaStateException if there is no such replica or it is not {@code REBUILDING};
   *     nothing changed
   * @throws InvalidReplicaNameException, ReplicaBusyException, ReplicaStoreException,
   *     ReplicaOutcomeUnknownException, RegistryClosedException as for {@link #delete}
   */
  void abortRebuild(String name);

  /**
   * The replica of that name, in whatever state, if there is one. Never blocks on a store call.
   *
   * @throws InvalidReplicaNameException if the name is invalid
   * @throws RegistryClosedException if the registry is closed
   */
  Optional<Replica> get(String name);

  /**
   * Every replica, sorted by name (weakly consistent, see the class documentation). Never blocks
   * on a store call.
   *
   * @throws RegistryClosedException if the registry is closed
   */
  List<Replica> list();

  /**
   * Runs one verify round now (waiting for a round in progress, if any).
   *
   * @return what the round changed, what it left alone and why, and what the listing missed
   * @throws ReplicaStoreException if the listing failed; nothing changed
   * @throws ReplicaBusyException if interrupted while waiting for a round in progress
   * @throws RegistryClosedException if the registry is or gets closed
   */
  VerifyReport verify();

  /**
   * Closes the registry, waiting up to the close timeout ({@link Builder#closeTimeout}, default
   * 10 s) for its store calls in flight; see {@link #close(Duration)}. Idempotent; never throws.
   */
  @Override
  void close();

  /**
   * Closes the registry: from now on every call refuses with {@link RegistryClosedException},
   * operations waiting for a name fail with it, and operations between two steps fail with it at
   * their next store call; the verify loop stops. Then waits up to {@code timeout} for the store
   * calls already in flight. After this returns, no operation of this registry starts a store
   * call. Idempotent. The store is not closed.
   *
   * @return the names whose store call was still in flight when the timeout passed (that call
   *     may still be applied by the store later); empty if every call ended
   */
  Set<String> close(Duration timeout);

  /** A builder for a registry over {@code store}. */
  static Builder builder(LvolStore store) {
    return new Builder(store);
  }

  /** Configures and builds a {@link ReplicaRegistry}. Not thread-safe; use from one thread. */
  final class Builder {
    private final LvolStore store;
    private Duration verifyInterval;
    private Duration operationTimeout = Duration.ofMinutes(2);
    private Duration retryDelay = Duration.ofMillis(200);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private Consumer<VerifyReport> onVerify = r -> {};
    private Consumer<ReplicaStoreException> onVerifyFailure = e -> {};
    private StepListener stepListener;

    private Builder(LvolStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Runs verify rounds in a background thread, {@code interval} after the end of each round
     * (upstream uses 3 s). Without this, rounds run only when {@link #verify()} is called. A
     * round whose listing fails goes to {@link #onVerifyFailure}; one in which a listener or the
     * store throws anything else (but a {@link VirtualMachineError}) goes to the loop thread's
     * uncaught-exception handler; either way the loop goes on. {@code close()} stops it.
     */
    public Builder verifyEvery(Duration interval) {
      this.verifyInterval = positive(interval, "verify interval");
      return this;
    }

    /**
     * The longest an operation ({@code create}, {@code delete}, {@code recover}) waits for an
     * operation on the same name and keeps trying store calls whose outcome is unknown, from its
     * start. Default 2 minutes.
     */
    public Builder operationTimeout(Duration timeout) {
      this.operationTimeout = positive(timeout, "operation timeout");
      return this;
    }

    /**
     * The longest pause between two tries of a store call whose outcome is not settled (the
     * pauses start at 0.1 ms and double). Default 200 ms.
     */
    public Builder retryDelay(Duration delay) {
      this.retryDelay = positive(delay, "retry delay");
      return this;
    }

    /** How long {@link ReplicaRegistry#close()} waits for store calls in flight. Default 10 s. */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("close timeout must not be negative: " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /** Called with the report of each background round. */
    public Builder onVerify(Consumer<VerifyReport> listener) {
      this.onVerify = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Called when a background round fails (its listing failed; nothing changed). */
    public Builder onVerifyFailure(Consumer<ReplicaStoreException> listener) {
      this.onVerifyFailure = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Observes every atomic step (tracing, conformance tests). */
    public Builder stepListener(StepListener listener) {
      this.stepListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Builds the registry; starts the verify loop if one was asked for. */
    public ReplicaRegistry build() {
      StampedRegistry registry =
          new StampedRegistry(store, stepListener, operationTimeout, retryDelay, closeTimeout);
      if (verifyInterval != null) {
        registry.startLoop(verifyInterval, onVerify, onVerifyFailure);
      }
      return registry;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
