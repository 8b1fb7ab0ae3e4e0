package dev.replicalifecycle.registry;

/**
 * A snapshot name that SPDK or the lvol naming rules would not accept (see {@link
 * ReplicaNames#validateSnapshot}). Nothing changed.
 */
public final class InvalidSnapshotNameException extends IllegalArgumentException {
  private final String replica;
  private final String snapshot;

  InvalidSnapshotNameException(String replica, String snapshot, String why) {
    super("invalid snapshot name " + (snapshot == null ? "null" : '"' + abbreviate(snapshot) + '"')
        + " for replica " + replica + ": " + why);
    this.replica = replica;
    this.snapshot = snapshot;
  }

  /** The replica the snapshot was for. */
  public String replica() {
    return replica;
  }

  /** The rejected snapshot name (may be {@code null}). */
  public String snapshot() {
    return snapshot;
  }

  private static String abbreviate(String s) {
    return (s.length() > 80 ? s.substring(0, 80) + "..." : s).replace("\"", "\\\"");
  }
}
