package dev.replicalifecycle.store;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one {@link LvolStore#listLvols()} saw, and what it could not see. Immutable.
 *
 * <p>A listing is <em>complete</em> for a name when it covered the name's lvol store and read
 * every entry that might be that name's: only then does the absence of an lvol prove that it is
 * gone ({@link #certainAbout}). A listing can miss an lvol store (SPDK loads lvol stores
 * asynchronously after a restart, while it examines its bdevs; an lvol store can be renamed or
 * hot-removed) and can contain entries that cannot be read (fields of unexpected types, an
 * ambiguous alias).
 *
 * @param lvols the lvols read, of every kind
 * @param missingLvstores lvol stores the store serves that this listing did not cover: none of
 *     their lvols is in {@code lvols}, and their absence proves nothing
 * @param unreadable entries that could not be read; each names the lvol store and the lvol names
 *     it could be, where those could be read
 */
public record LvolListing(List<Lvol> lvols, Set<String> missingLvstores, List<Unreadable> unreadable) {

  /** Copies the collections. */
  public LvolListing {
    lvols = List.copyOf(lvols);
    missingLvstores = Set.copyOf(missingLvstores);
    unreadable = List.copyOf(unreadable);
  }

  /** A listing that covered everything and read every entry. */
  public static LvolListing complete(List<Lvol> lvols) {
    return new LvolListing(lvols, Set.of(), List.of());
  }

  /** Whether the listing covered every lvol store and read every entry. */
  public boolean isComplete() {
    return missingLvstores.isEmpty() && unreadable.isEmpty();
  }

  /**
   * Whether the absence of lvol {@code name} of lvol store {@code lvstore} from this listing
   * proves that it does not exist: the listing covered that lvol store and no unreadable entry
   * could be that lvol. An unknown lvol store ({@code null}) needs the whole listing complete.
   */
  public boolean certainAbout(String name, String lvstore) {
    Objects.requireNonNull(name, "name");
    if (lvstore == null) {
      return isComplete();
    }
    if (missingLvstores.contains(lvstore)) {
      return false;
    }
    for (Unreadable u : unreadable) {
      boolean sameStore = u.lvstore() == null || u.lvstore().equals(lvstore);
      if (sameStore && (u.names().isEmpty() || u.names().contains(name))) {
        return false;
      }
    }
    return true;
  }

  /**
   * An entry of the listing that could not be read.
   *
   * @param lvstore its lvol store, or {@code null} if that could not be read either
   * @param names the lvol names it could be (empty: any name of its lvol store)
   * @param reason what was wrong, for reports
   */
  public record Unreadable(String lvstore, Set<String> names, String reason) {
    /** Copies the names. */
    public Unreadable {
      names = Set.copyOf(names);
      Objects.requireNonNull(reason, "reason");
    }
  }
}
