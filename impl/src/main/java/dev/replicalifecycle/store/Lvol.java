package dev.replicalifecycle.store;

import java.util.Objects;

/**
 * One logical volume as a store lists it. Immutable.
 *
 * @param name the lvol name inside its lvol store (for SPDK, the part after {@code <lvs>/} of the
 *     alias)
 * @param uuid the lvol's UUID (the bdev name in SPDK)
 * @param sizeBytes the size in bytes as the store reports it
 * @param kind what the lvol is for; see {@link LvolKind}
 * @param lvstore the lvol store it lives in (for SPDK, the lvstore's UUID), as {@link
 *     LvolListing#missingLvstores()} names it
 * @param parent the name of the snapshot this lvol is a clone of (SPDK's {@code base_snapshot},
 *     in the same lvol store), or {@code null} if it has none: a replica's chain is its head's
 *     parent, that snapshot's parent, and so on
 */
public record Lvol(
    String name, String uuid, long sizeBytes, LvolKind kind, String lvstore, String parent) {

  /** Checks the fields: all but the parent non-null, size not negative. */
  public Lvol {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(lvstore, "lvstore");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes < 0: " + sizeBytes);
    }
  }

  /** An lvol with no parent snapshot. */
  public Lvol(String name, String uuid, long sizeBytes, LvolKind kind, String lvstore) {
    this(name, uuid, sizeBytes, kind, lvstore, null);
  }

  /** An lvol whose kind follows from its name ({@link LvolKind#of(String)}), with no parent. */
  public static Lvol of(String name, String uuid, long sizeBytes, String lvstore) {
    return new Lvol(name, uuid, sizeBytes, LvolKind.of(name), lvstore, null);
  }

  /** This lvol with another parent snapshot ({@code null}: none). */
  public Lvol withParent(String newParent) {
    return new Lvol(name, uuid, sizeBytes, kind, lvstore, newParent);
  }

  /** The name of the replica this lvol belongs to (see {@link LvolKind#replicaName(String)}). */
  public String replicaName() {
    return kind.replicaName(name);
  }
}
