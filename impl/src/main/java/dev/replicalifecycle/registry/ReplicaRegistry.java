package dev.replicalifecycle.registry;

import dev.replicalifecycle.store.LvolStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The replicas of one storage node: a map from name to replica, kept consistent with the lvols of
 * an {@link LvolStore} by {@link #verify()} rounds, without ever losing a replica to a round that
 * runs concurrently with its create (the "stamped verify" design, V4 in {@code spec/}).
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li>{@link #create} waits for a delete of the same name in flight, then reserves the name
 *       (state {@link ReplicaState#CREATING}; a second create of the name, or a create of a name
 *       with any replica, fails at once with {@link ReplicaAlreadyExistsException}), looks the
 *       name up in the store (an lvol no replica owns, such as one left from before a restart,
 *       fails the create with {@code AlreadyExists}: it is never the create's to delete), creates
 *       the head lvol, then marks the replica {@link ReplicaState#RUNNING}. On failure it rolls
 *       back: deletes the lvol if it may have been made, frees the name, and throws. If the
 *       rollback itself fails, the replica is left in {@link ReplicaState#ERROR} (the name stays
 *       taken until a delete).
 *   <li>{@link #delete} waits for a create or delete of the same name in flight, marks the replica
 *       {@link ReplicaState#DELETING}, deletes the head lvol and a {@code -rebuilding} lvol of the
 *       name (not-found counts as done), then removes the entry. A name with no entry is reserved
 *       (invisibly: {@link #get} still finds nothing) and its lvol deleted too (after a restart an
 *       lvol can exist before verify adopts it), so a successful delete always means: no entry, no
 *       head lvol. If the lvol delete fails, the replica is left in {@code ERROR}.
 *   <li>{@link #verify} takes a stamp, lists the store's lvols, then for each name applies its
 *       decision only if the name did not change since the stamp and no operation on it is in
 *       flight (a per-name compare-and-set): a {@code RUNNING} or {@code STOPPED} replica with
 *       neither its head nor its {@code -rebuilding} lvol listed becomes {@code ERROR} (it stays
 *       visible); a head lvol no replica owns is adopted as {@link ReplicaState#STOPPED}.
 *       Churn on other names never stops a round from deciding about a name.
 * </ul>
 *
 * <h2>Thread-safety and linearizability</h2>
 *
 * <p>Implementations are safe for concurrent use. {@link #create}, {@link #delete}, {@link #get}
 * and {@link #list} are linearizable with respect to the registry's map: {@code create}'s
 * effect takes place when it reserves the name and is visible as {@code RUNNING} from the moment
 * it returns; {@code delete}'s takes place when it removes the entry. A {@code verify} round is
 * a sequence of per-name atomic steps, each linearizable, and the round as a whole is equivalent
 * to a round run with no concurrent operations on the names it changes. {@link #list} is
 * weakly consistent (each entry is a linearizable read, the list is not one snapshot).
 *
 * <p>Happens-before: every operation that changes a name happens-before any operation that later
 * observes the change (through {@code get}, {@code list}, or a failure like {@code
 * AlreadyExists}). No registry lock is held across a store call: operations on different names
 * never wait for each other, and operations on one name wait only for that name's operation in
 * flight. Only verify rounds wait for each other (one round at a time).
 */
public interface ReplicaRegistry extends AutoCloseable {

  /**
   * Creates a replica and its head lvol.
   *
   * @param name the replica name, see {@link ReplicaNames}
   * @param sizeBytes the size, {@code > 0}
   * @return the replica, {@link ReplicaState#RUNNING}
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws IllegalArgumentException if the size is not positive; nothing changed
   * @throws ReplicaAlreadyExistsException if the name is taken; nothing changed
   * @throws ReplicaStoreException if a store call failed; rolled back as described above
   * @throws RegistryClosedException if the registry is closed; nothing changed
   */
  Replica create(String name, long sizeBytes);

  /**
   * Deletes a replica and its head lvol. Deleting a name that has no replica succeeds.
   *
   * @throws InvalidReplicaNameException if the name is invalid; nothing changed
   * @throws ReplicaStoreException if the lvol delete failed; the replica is left in {@code
   *     ERROR}
   * @throws RegistryClosedException if the registry is closed; nothing changed
   */
  void delete(String name);

  /**
   * The replica of that name, in whatever state, if there is one.
   *
   * @throws InvalidReplicaNameException if the name is invalid
   */
  Optional<Replica> get(String name);

  /** Every replica, sorted by name (weakly consistent, see the class documentation). */
  List<Replica> list();

  /**
   * Runs one verify round now (waiting for a round in progress, if any).
   *
   * @return what the round changed and what it left alone
   * @throws ReplicaStoreException if the listing failed; nothing changed
   * @throws RegistryClosedException if the registry is closed
   */
  VerifyReport verify();

  /**
   * Stops the periodic verify loop (waiting for a round in progress) and refuses further calls
   * with {@link RegistryClosedException}. Operations already running complete. Idempotent. The
   * store is not closed.
   */
  @Override
  void close();

  /** A builder for a registry over {@code store}. */
  static Builder builder(LvolStore store) {
    return new Builder(store);
  }

  /** Configures and builds a {@link ReplicaRegistry}. Not thread-safe; use from one thread. */
  final class Builder {
    private final LvolStore store;
    private Duration verifyInterval;
    private Consumer<VerifyReport> onVerify = r -> {};
    private Consumer<ReplicaStoreException> onVerifyFailure = e -> {};
    private StepListener stepListener;

    private Builder(LvolStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Runs verify rounds in a background thread, {@code interval} after the end of each round
     * (upstream uses 3 s). Without this, rounds run only when {@link #verify()} is called.
     */
    public Builder verifyEvery(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("verify interval must be positive: " + interval);
      }
      this.verifyInterval = interval;
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
      StampedRegistry registry = new StampedRegistry(store, stepListener);
      if (verifyInterval != null) {
        registry.startLoop(verifyInterval, onVerify, onVerifyFailure);
      }
      return registry;
    }
  }
}
