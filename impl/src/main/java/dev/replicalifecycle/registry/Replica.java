package dev.replicalifecycle.registry;

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
 */
public record Replica(
    String name, ReplicaState state, String lvolUuid, long sizeBytes, String errorReason) {

  /** Checks that name and state are present and that the reason is set iff in error. */
  public Replica {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    if ((state == ReplicaState.ERROR) != (errorReason != null)) {
      throw new IllegalArgumentException(
          "errorReason must be set exactly in state ERROR: " + state + ", " + errorReason);
    }
  }

  /** The head lvol's UUID, if known. */
  public Optional<String> lvolUuidIfKnown() {
    return Optional.ofNullable(lvolUuid);
  }

  Replica withState(ReplicaState newState) {
    return new Replica(name, newState, lvolUuid, sizeBytes, null);
  }

  Replica withError(String reason) {
    return new Replica(name, ReplicaState.ERROR, lvolUuid, sizeBytes, reason);
  }

  Replica withLvolUuid(String uuid) {
    return new Replica(name, state, uuid, sizeBytes, errorReason);
  }
}
