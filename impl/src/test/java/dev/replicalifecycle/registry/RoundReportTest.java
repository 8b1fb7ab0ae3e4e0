package dev.replicalifecycle.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.VerifyReport.ChangeKind;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolKind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a verify round reports and decides, on the production path (no step listener: the
 * registry iterates its map in hash order and sorts afterwards) and with a listener (name order):
 * the same report either way, every list sorted by name; head lvols whose name is not a valid
 * replica name are never adopted; lvols of other kinds are reported as orphans only when no
 * replica or head owns them. {@link ReplicaRegistry#list()} is sorted by name too.
 */
class RoundReportTest {

  /** Names whose hash order differs from their sorted order (many, so that it surely does). */
  private static List<String> names(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = n - 1; i >= 0; i--) {
      out.add(prefix + Integer.toString(i * 7919 % 1000, 36) + "-" + i);
    }
    return out;
  }

  private static ReplicaRegistry open(InMemoryLvolStore store, boolean listener) {
    // SPDK lists in no particular order: the listing is reversed, so that nothing sorted by the
    // store passes for sorted by the registry
    ReplicaRegistry.Builder b = ReplicaRegistry.builder(new ReversedListing(store));
    if (listener) {
      b.stepListener(new StepListener() {});
    }
    return b.build();
  }

  /**
   * A store where one round has something of every kind to report: lost lvols (marked error),
   * lvols back after a loss (recoverable), orphan heads (adopted), lvols in an lvol store the
   * listing missed (skipped), orphan snapshots and rebuilding lvols.
   */
  private static VerifyReport busyRound(InMemoryLvolStore store, ReplicaRegistry registry) {
    // back: marked error by a round, then the same lvol is back (recoverable)
    List<Lvol> backLvols = new ArrayList<>();
    for (String n : names("back", 8)) {
      registry.create(n, 1);
      backLvols.add(store.lvols().stream().filter(l -> l.name().equals(n)).findFirst().orElseThrow());
      store.loseLvol(n);
    }
    registry.verify();
    backLvols.forEach(store::restoreLvol);
    // hid: adopted from another lvol store, lost, and that lvol store is not listed (skipped)
    List<String> hidden = names("hid", 8);
    for (String n : hidden) {
      store.putLvol(n, 1, LvolKind.HEAD, "lvs-hidden");
    }
    registry.verify();
    hidden.forEach(store::loseLvol);
    store.hideLvstore("lvs-hidden", 1);
    // lost: marked error
    for (String n : names("lost", 12)) {
      registry.create(n, 1);
      store.loseLvol(n);
    }
    // orph: heads adopted (their snapshots owned); no...: snapshots and rebuilding lvols of no one
    for (String n : names("orph", 10)) {
      store.putLvol(n, 1);
      store.putLvol(n + "-snap-1", 1);
      store.putLvol("no" + n + "-snap-1", 1);
      store.putLvol("no" + n + "-rebuilding", 1);
    }
    return registry.verify();
  }

  @ParameterizedTest(name = "listener: {0}")
  @ValueSource(booleans = {false, true})
  void everyListInAReportIsSortedByName(boolean listener) {
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry registry = open(store, listener);
    VerifyReport report = busyRound(store, registry);

    List<String> changed = report.changes().stream().map(VerifyReport.Change::name).toList();
    List<String> skipped = report.skipped().stream().map(VerifyReport.Skip::name).toList();
    assertEquals(sorted(changed), changed, "changes");
    assertEquals(sorted(skipped), skipped, "skipped");
    assertEquals(sorted(report.recoverable()), report.recoverable(), "recoverable");
    assertEquals(sorted(report.orphanLvols()), report.orphanLvols(), "orphans");

    assertEquals(12 + 10, changed.size(), "12 marked error, 10 adopted: " + changed);
    assertEquals(12, report.changes().stream().filter(c -> c.kind() == ChangeKind.MARKED_ERROR).count());
    assertEquals(10, report.changes().stream().filter(c -> c.kind() == ChangeKind.ADOPTED).count());
    assertEquals(8, skipped.size(), "the hidden lvol store's replicas");
    assertEquals(8, report.recoverable().size());
    assertEquals(20, report.orphanLvols().size(), "snapshots and rebuilding lvols of no replica");

    List<String> listed = registry.list().stream().map(Replica::name).toList();
    assertEquals(sorted(listed), listed, "list() is sorted by name");
    assertEquals(8 + 8 + 12 + 10, listed.size());
  }

  /** The listener-free branch (what an engine runs) decides exactly what the listener branch does. */
  @Test
  void aRoundWithoutAListenerReportsWhatARoundWithOneReports() {
    InMemoryLvolStore a = new InMemoryLvolStore();
    InMemoryLvolStore b = new InMemoryLvolStore();
    VerifyReport without = busyRound(a, open(a, false));
    VerifyReport with = busyRound(b, open(b, true));
    assertEquals(with, without);
  }

  /** A head lvol whose name is no valid replica name is counted, never adopted (either branch). */
  @ParameterizedTest(name = "listener: {0}")
  @ValueSource(booleans = {false, true})
  void headLvolWithAnInvalidReplicaNameIsNeverAdopted(boolean listener) {
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry registry = open(store, listener);
    store.putLvol("x".repeat(ReplicaNames.MAX_LENGTH + 1), 1); // too long for a replica name
    store.putLvol("-leading-dash", 1);
    store.putLvol("has space", 1);
    store.putLvol("ok1", 1);
    VerifyReport report = registry.verify();
    assertEquals(3, report.nonReplicaLvols());
    assertEquals(List.of(new VerifyReport.Change("ok1", ChangeKind.ADOPTED, registry.get("ok1").orElseThrow())),
        report.changes());
    assertEquals(List.of("ok1"), registry.list().stream().map(Replica::name).toList());
    assertEquals(4, report.lvolsListed());
  }

  /** A snapshot or rebuilding lvol is an orphan only if no replica and no head lvol owns it. */
  @ParameterizedTest(name = "listener: {0}")
  @ValueSource(booleans = {false, true})
  void otherKindsAreOrphansOnlyWithoutAnOwner(boolean listener) {
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry registry = open(store, listener);
    registry.create("owned", 1);
    store.putLvol("owned-snap-1", 1);
    store.putLvol("owned-rebuilding", 1);
    store.putLvol("headonly", 1); // adopted in this round: its head owns its snapshot
    store.putLvol("headonly-snap-1", 1);
    store.putLvol("nobody-snap-1", 1);
    store.putLvol("nobody-rebuilding", 1);
    VerifyReport report = registry.verify();
    assertEquals(List.of("nobody-rebuilding", "nobody-snap-1"), report.orphanLvols());
    assertEquals(List.of("headonly"), report.changes().stream().map(VerifyReport.Change::name).toList());
    assertEquals(0, report.nonReplicaLvols());
  }

  /** An orphan rebuilding lvol keeps no name alive and is never adopted. */
  @ParameterizedTest(name = "listener: {0}")
  @ValueSource(booleans = {false, true})
  void orphanRebuildingLvolIsReportedNotAdopted(boolean listener) {
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry registry = open(store, listener);
    store.putLvol("gone-rebuilding", 1);
    VerifyReport report = registry.verify();
    assertEquals(List.of("gone-rebuilding"), report.orphanLvols());
    assertTrue(report.changes().isEmpty());
    assertTrue(registry.get("gone").isEmpty());
    assertFalse(registry.list().stream().anyMatch(r -> r.name().startsWith("gone")));
  }

  /**
   * Names are compared with the registry's sets of decisions; the reason of a skip depends on
   * which lvol store is missing: an unreadable entry in a listed lvol store is UNREADABLE_ENTRY
   * even while another lvol store is missing.
   */
  @ParameterizedTest(name = "listener: {0}")
  @ValueSource(booleans = {false, true})
  void skipReasonNamesTheReplicasOwnLvolStore(boolean listener) {
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry registry = open(store, listener);
    store.putLvol("r1", 1, LvolKind.HEAD, "lvs1");
    store.putLvol("r2", 1, LvolKind.HEAD, "lvs2");
    registry.verify(); // adopts both, each with its lvol store
    store.unreadable("r1", 1);
    store.loseLvol("r2");
    store.hideLvstore("lvs2", 1);
    VerifyReport report = registry.verify();
    assertEquals(List.of(new VerifyReport.Skip("r1", VerifyReport.SkipReason.UNREADABLE_ENTRY),
        new VerifyReport.Skip("r2", VerifyReport.SkipReason.LVSTORE_NOT_LISTED)), report.skipped());
    assertEquals(ReplicaState.STOPPED, registry.get("r1").orElseThrow().state());
    assertEquals(ReplicaState.STOPPED, registry.get("r2").orElseThrow().state());
  }

  /**
   * Tombstones (a name freed while a round runs) are removed when the round ends: the registry's
   * map holds only what is live or in flight, however much churn the rounds see.
   */
  @Test
  void tombstonesAreRemovedWhenTheRoundEnds() throws Exception {
    InMemoryLvolStore store = new InMemoryLvolStore();
    GatedStore gated = new GatedStore(store);
    ReplicaRegistry registry = ReplicaRegistry.builder(gated).build();
    for (int i = 0; i < 10; i++) {
      registry.create("t" + i, 1);
    }
    for (int round = 0; round < 3; round++) {
      gated.hold(InMemoryLvolStore.Call.LIST);
      java.util.concurrent.CompletableFuture<VerifyReport> r =
          java.util.concurrent.CompletableFuture.supplyAsync(registry::verify);
      gated.awaitArrival(InMemoryLvolStore.Call.LIST);
      for (int i = 0; i < 10; i++) {
        registry.delete("t" + i); // freed during the round: tombstones
      }
      registry.delete("never-there"); // an absent name's reservation, freed: a tombstone too
      gated.release(InMemoryLvolStore.Call.LIST, false);
      VerifyReport report = r.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(11, report.skipped().size(), "changed since the stamp: " + report);
      assertEquals(0, slotCount(registry), "no tombstone left after round " + round);
      for (int i = 0; i < 10; i++) {
        registry.create("t" + i, 1);
      }
    }
    assertEquals(10, slotCount(registry));
  }

  private static int slotCount(ReplicaRegistry registry) throws ReflectiveOperationException {
    java.lang.reflect.Field f = StampedRegistry.class.getDeclaredField("slots");
    f.setAccessible(true);
    return ((java.util.Map<?, ?>) f.get(registry)).size();
  }

  /** The store's listing, reversed. */
  private static final class ReversedListing extends ForwardingLvolStore {
    ReversedListing(InMemoryLvolStore inner) {
      super(inner);
    }

    @Override
    public dev.replicalifecycle.store.LvolListing listLvols() throws dev.replicalifecycle.store.StoreException {
      dev.replicalifecycle.store.LvolListing l = super.listLvols();
      List<Lvol> reversed = new ArrayList<>(l.lvols());
      java.util.Collections.reverse(reversed);
      return new dev.replicalifecycle.store.LvolListing(reversed, l.missingLvstores(), l.unreadable());
    }
  }

  private static List<String> sorted(List<String> in) {
    return in.stream().sorted().collect(Collectors.toList());
  }
}
