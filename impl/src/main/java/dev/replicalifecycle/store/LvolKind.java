package dev.replicalifecycle.store;

/**
 * What an lvol is for, by the naming rules of the Longhorn SPDK engine.
 *
 * <ul>
 *   <li>{@link #HEAD}: a replica's head, named {@code <replica>}.
 *   <li>{@link #SNAPSHOT}: a snapshot of a replica, named {@code <replica>-snap-<snapshot>}.
 *   <li>{@link #REBUILDING}: the temporary lvol of a replica being rebuilt, named {@code
 *       <replica>-rebuilding}.
 * </ul>
 */
public enum LvolKind {
  HEAD,
  SNAPSHOT,
  REBUILDING;

  /** Infix of snapshot lvol names. */
  public static final String SNAPSHOT_INFIX = "-snap-";

  /** Suffix of rebuilding lvol names. */
  public static final String REBUILDING_SUFFIX = "-rebuilding";

  /** The kind an lvol of this name has. */
  public static LvolKind of(String lvolName) {
    if (lvolName.endsWith(REBUILDING_SUFFIX) && lvolName.length() > REBUILDING_SUFFIX.length()) {
      return REBUILDING;
    }
    if (lvolName.indexOf(SNAPSHOT_INFIX) > 0) {
      return SNAPSHOT;
    }
    return HEAD;
  }

  /** The replica an lvol of this kind and name belongs to. */
  public String replicaName(String lvolName) {
    return switch (this) {
      case HEAD -> lvolName;
      case SNAPSHOT -> lvolName.substring(0, lvolName.indexOf(SNAPSHOT_INFIX));
      case REBUILDING -> lvolName.substring(0, lvolName.length() - REBUILDING_SUFFIX.length());
    };
  }
}
