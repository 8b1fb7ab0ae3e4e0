package dev.replicalifecycle.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of one replica at one moment.
 *
 * @param name the replica name (also the name of its head lvol)
 * @param state the lifecycle state
 * @param lvolUuid the head lvol's UUID, or {@code null} while creating or when unknown
 * @param sizeBytes the size in bytes the replica was created with (or the lvol's size, when
 *     adopted)
 * @param errorReason why the replica is in {@link ReplicaState#ERROR}; {@code null} otherwise
 * @param snapshots the replica's chain: the names of its snapshots (as given to {@link
 *     ReplicaRegistry#snapshot}, without the {@code <replica>-snap-} prefix of their lvols),
 *     oldest first; the head is a clone of the last one. Immutable; empty if none
 */
public record Replica(
    String name,
    ReplicaState state,
    String lvolUuid,
    long sizeBytes,
    String errorReason,
    List<String> snapshots) {

  /**
   * Checks that name and state are present, that the reason is set iff in error, and that the
   * chain has no null and no name twice; keeps an immutable copy of it.
   */
  public Replica {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    if ((state == ReplicaState.ERROR) != (errorReason != null)) {
      throw new IllegalArgumentException(
          "errorReason must be set exactly in state ERROR: " + state + ", " + errorReason);
    }
    snapshots = List.copyOf(Objects.requireNonNull(snapshots, "snapshots"));
    if (snapshots.stream().distinct().count() != snapshots.size()) {
      throw new IllegalArgumentException("a snapshot twice in the chain: " + snapshots);
    }
  }

  /** A replica with no snapshots. */
  public Replica(
      String name, ReplicaState state, String lvolUuid, long sizeBytes, String errorReason) {
    this(name, state, lvolUuid, sizeBytes, errorReason, List.of());
  }

  /** The head lvol's UUID, if known. */
  public Optional<String> lvolUuidIfKnown() {
    return Optional.ofNullable(lvolUuid);
  }

  Replica withState(ReplicaState newState) {
    return new Replica(name, newState, lvolUuid, sizeBytes, null, snapshots);
  }

  Replica withError(String reason) {
    return new Replica(name, ReplicaState.ERROR, lvolUuid, sizeBytes, reason, snapshots);
  }

  Replica withLvolUuid(String uuid) {
    return new Replica(name, state, uuid, sizeBytes, errorReason, snapshots);
  }

  Replica withSnapshots(List<String> chain) {
    return new Replica(name, state, lvolUuid, sizeBytes, errorReason, chain);
  }

  /** This replica with {@code snapshot} appended to its chain (newest). */
  Replica plusSnapshot(String snapshot) {
    List<String> chain = new ArrayList<>(snapshots);
    chain.add(snapshot);
    return withSnapshots(chain);
  }

  /** This replica without {@code snapshot} in its chain. */
  Replica minusSnapshot(String snapshot) {
    List<String> chain = new ArrayList<>(snapshots);
    chain.remove(snapshot);
    return withSnapshots(chain);
  }
}
