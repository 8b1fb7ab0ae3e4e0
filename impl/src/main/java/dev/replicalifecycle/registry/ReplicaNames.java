package dev.replicalifecycle.registry;

import dev.replicalifecycle.store.LvolKind;

/**
 * The rules for replica names. A replica name is also its head lvol's name, so it must be a
 * valid SPDK lvol name and must not look like a snapshot or rebuilding lvol of another replica.
 *
 * <ul>
 *   <li>1 to {@value #MAX_LENGTH} characters (SPDK's {@code SPDK_LVOL_NAME_MAX} is 64 bytes with
 *       the terminating NUL);
 *   <li>only ASCII letters, digits, {@code '-'}, {@code '_'} and {@code '.'}; in particular no
 *       {@code '/'}, which separates the lvstore from the lvol in SPDK aliases;
 *   <li>starts with a letter or digit;
 *   <li>does not contain {@value LvolKind#SNAPSHOT_INFIX} and does not end with {@value
 *       LvolKind#REBUILDING_SUFFIX}.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class ReplicaNames {
  /** Longest accepted name, in characters (all ASCII). */
  public static final int MAX_LENGTH = 63;

  private ReplicaNames() {}

  /**
   * Returns {@code name} if it is valid.
   *
   * @throws InvalidReplicaNameException saying what is wrong
   */
  public static String validate(String name) {
    String problem = problem(name);
    if (problem != null) {
      throw new InvalidReplicaNameException(name, problem);
    }
    return name;
  }

  /**
   * Returns {@code snapshot} if it is a valid snapshot name for replica {@code replica} (itself
   * valid): the same characters as a replica name, no {@value LvolKind#SNAPSHOT_INFIX}, not
   * ending with {@value LvolKind#REBUILDING_SUFFIX}, and its lvol name {@link
   * #snapshotLvol(String, String)} at most {@value #MAX_LENGTH} characters.
   *
   * @throws InvalidSnapshotNameException saying what is wrong
   */
  public static String validateSnapshot(String replica, String snapshot) {
    String problem = problem(snapshot);
    if (problem == null && (replica.length() + LvolKind.SNAPSHOT_INFIX.length() + snapshot.length()) > MAX_LENGTH) {
      problem = "makes the lvol name " + snapshotLvol(replica, snapshot) + " "
          + (replica.length() + LvolKind.SNAPSHOT_INFIX.length() + snapshot.length())
          + " characters long, at most " + MAX_LENGTH + " allowed";
    }
    if (problem != null) {
      throw new InvalidSnapshotNameException(replica, snapshot, problem);
    }
    return snapshot;
  }

  /** The lvol name of snapshot {@code snapshot} of replica {@code replica}. */
  public static String snapshotLvol(String replica, String snapshot) {
    return replica + LvolKind.SNAPSHOT_INFIX + snapshot;
  }

  /** Whether {@link #validate(String)} would accept {@code name} (no exception is made). */
  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  /** What is wrong with {@code name}, or {@code null} if nothing is. */
  private static String problem(String name) {
    if (name == null) {
      return "is null";
    }
    if (name.isEmpty()) {
      return "is empty";
    }
    if (name.length() > MAX_LENGTH) {
      return "is " + name.length() + " characters long, at most " + MAX_LENGTH + " allowed";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (i == 0 && !alnum) {
        return "must start with a letter or digit";
      }
      if (!alnum && c != '-' && c != '_' && c != '.') {
        return (c == '/' ? "'/' separates lvstore and lvol in SPDK aliases" : describe(c))
            + " at index "
            + i
            + "; allowed: letters, digits, '-', '_', '.'";
      }
    }
    LvolKind kind = LvolKind.of(name);
    if (kind != LvolKind.HEAD) {
      return "looks like a "
          + kind.name().toLowerCase(java.util.Locale.ROOT)
          + " lvol (contains '"
          + LvolKind.SNAPSHOT_INFIX
          + "' or ends with '"
          + LvolKind.REBUILDING_SUFFIX
          + "')";
    }
    return null;
  }

  private static String describe(char c) {
    return c < 0x20 || c > 0x7e
        ? String.format("character U+%04X", (int) c)
        : "character '" + c + "'";
  }
}
