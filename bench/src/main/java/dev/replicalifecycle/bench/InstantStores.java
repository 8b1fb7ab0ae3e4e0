package dev.replicalifecycle.bench;

import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stores that cost (almost) nothing, so that a benchmark measures the registry and not the store.
 * Both are thread-safe.
 */
final class InstantStores {
  private InstantStores() {}

  /** A UUID-shaped constant: every lvol of these stores has it (the registry only stores it). */
  static final String UUID = "00000000-0000-0000-0000-00000000b0b0";

  /**
   * Keeps no table at all: {@code createLvol} returns a new {@link Lvol} for the name, {@code
   * deleteLvol} does nothing, {@code listLvols} is empty. For create/delete throughput (no verify
   * runs against it): the floor of what any store call can cost.
   */
  static final class NoOp implements LvolStore {
    @Override
    public Lvol createLvol(String name, long sizeBytes) {
      return new Lvol(name, UUID, sizeBytes, LvolKind.HEAD, "lvs0");
    }

    @Override
    public void deleteLvol(String name) {}

    @Override
    public LvolListing listLvols() {
      return LvolListing.complete(List.of());
    }

    /**
     * A look-up by name (overrides {@code LvolStore.findLvol} where the SPI has it; deliberately
     * not annotated, so that this compiles against the SPI with or without it): nothing exists.
     */
    public Optional<Lvol> findLvol(String name) {
      return Optional.empty();
    }
  }

  /**
   * Records created lvols until {@link #freeze()}; from then on {@code listLvols} returns the
   * same prebuilt immutable list, so a verify round spends nothing on the listing: its cost is
   * exactly the registry's work "beyond the listing itself".
   */
  static final class FrozenListing implements LvolStore {
    private final ConcurrentHashMap<String, Lvol> lvols = new ConcurrentHashMap<>();
    private volatile LvolListing frozen;

    @Override
    public Lvol createLvol(String name, long sizeBytes) {
      Lvol l = new Lvol(name, UUID, sizeBytes, LvolKind.HEAD, "lvs0");
      lvols.put(name, l);
      return l;
    }

    @Override
    public void deleteLvol(String name) {
      lvols.remove(name);
    }

    /** From now on the listing is this fixed snapshot. */
    void freeze() {
      frozen = LvolListing.complete(new ArrayList<>(lvols.values()));
    }

    @Override
    public LvolListing listLvols() {
      LvolListing f = frozen;
      return f != null ? f : LvolListing.complete(List.copyOf(lvols.values()));
    }

    /**
     * A look-up by name in O(1) (overrides {@code LvolStore.findLvol} where the SPI has it; not
     * annotated, see {@link NoOp#findLvol}). Without it, the SPI's default would scan the whole
     * listing on every create.
     */
    public Optional<Lvol> findLvol(String name) {
      return Optional.ofNullable(lvols.get(name));
    }
  }
}
