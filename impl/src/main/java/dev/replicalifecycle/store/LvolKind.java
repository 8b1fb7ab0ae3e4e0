package dev.replicalifecycle.store;

/**
 * What an lvol is for. Stores that know more than the name (SPDK reports {@code snapshot},
 * {@code clone}, {@code esnap_clone} and the aliases) classify from that; {@link #of(String)}
 * classifies by the naming rules of the Longhorn SPDK engine alone.
 *
 * <ul>
 *   <li>{@link #HEAD}: a replica's head, named {@code <replica>}; the only kind a verify round
 *       adopts.
 *   <li>{@link #SNAPSHOT}: a snapshot of a replica, named {@code <replica>-snap-<snapshot>}.
 *   <li>{@link #REBUILDING}: the temporary lvol of a replica being rebuilt, named {@code
 *       <replica>-rebuilding}.
 *   <li>{@link #OTHER}: not a replica's (a backing image, a snapshot whose name is no replica's, an
 *       lvol whose name is no valid replica name): never adopted, never judged, only counted.
 * </ul>
 */
public enum LvolKind {
  HEAD,
  SNAPSHOT,
  REBUILDING,
  OTHER;

  /** Infix of snapshot lvol names. */
  public static final String SNAPSHOT_INFIX = "-snap-";

  /** Suffix of rebuilding lvol names. */
  public static final String REBUILDING_SUFFIX = "-rebuilding";

  /** The kind an lvol of this name has, by its name alone. */
  public static LvolKind of(String lvolName) {
    if (lvolName.endsWith(REBUILDING_SUFFIX) && lvolName.length() > REBUILDING_SUFFIX.length()) {
      return REBUILDING;
    }
    if (lvolName.indexOf(SNAPSHOT_INFIX) > 0) {
      return SNAPSHOT;
    }
    return HEAD;
  }

  /**
   * The replica an lvol of this kind and name belongs to; for {@link #OTHER}, the name itself
   * (it belongs to no replica).
   */
  public String replicaName(String lvolName) {
    return switch (this) {
      case HEAD, OTHER -> lvolName;
      case SNAPSHOT -> {
        int at = lvolName.indexOf(SNAPSHOT_INFIX);
        yield at > 0 ? lvolName.substring(0, at) : lvolName;
      }
      case REBUILDING -> lvolName.substring(0, lvolName.length() - REBUILDING_SUFFIX.length());
    };
  }
}
