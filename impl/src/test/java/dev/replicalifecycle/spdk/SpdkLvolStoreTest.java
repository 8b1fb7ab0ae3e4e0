package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.replicalifecycle.spdk.JsonRpcTestTarget.LVS_NAME;
import static dev.replicalifecycle.spdk.JsonRpcTestTarget.LVS_UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Action;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Fault;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.LvstoreState;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolBusyException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreProtocolException;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreTimeoutException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SpdkLvolStore} against the test target over a real Unix socket. */
@Timeout(30)
class SpdkLvolStoreTest {

  private static final long MIB = 1L << 20;

  private TargetFixture f;
  private SpdkLvolStore store;
  private InMemoryLvolStore backing;

  @BeforeEach
  void start() throws Exception {
    f = TargetFixture.start();
    store = f.store();
    backing = f.target().store();
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static List<String> names(List<Lvol> lvols) {
    return lvols.stream().map(Lvol::name).collect(Collectors.toList());
  }

  /** The backing store's lvols as SpdkLvolStore lists them: in the test lvol store, by UUID. */
  private List<Lvol> backingAsListed() {
    return backing.lvols().stream()
        .map(l -> new Lvol(l.name(), l.uuid(), l.sizeBytes(), l.kind(), LVS_UUID))
        .collect(Collectors.toList());
  }

  /** Lists twice (the first listing of a store never covers its lvol store); the second. */
  private static LvolListing coveredListing(SpdkLvolStore s) throws StoreException {
    s.listLvols();
    LvolListing listing = s.listLvols();
    assertEquals(Set.of(), listing.missingLvstores(), listing::toString);
    return listing;
  }

  @Test
  void createListDeleteByName() throws Exception {
    Lvol created = store.createLvol("r1", 10 * MIB + 1); // 11 MiB -> three 4 MiB clusters
    assertEquals("r1", created.name());
    assertEquals(12 * MIB, created.sizeBytes());
    assertEquals(LVS_UUID, created.lvstore());
    assertEquals(List.of(created), store.listLvols().lvols()); // as the listing shows it
    assertEquals(List.of(created), backingAsListed());
    store.deleteLvol("r1");
    assertEquals(List.of(), store.listLvols().lvols());
  }

  @Test
  void createListDeleteByUuid() throws Exception {
    SpdkLvolStore byUuid = f.storeByUuid();
    Lvol created = byUuid.createLvol("r2", 4 * MIB);
    assertEquals(LVS_UUID, created.lvstore());
    assertEquals(List.of(created), byUuid.listLvols().lvols());
    assertEquals(List.of(created), store.listLvols().lvols());
    byUuid.deleteLvol("r2");
    assertEquals(List.of(), byUuid.listLvols().lvols());
  }

  @Test
  void aListingIsThreeCallsWithoutParams() throws Exception {
    backing.putLvol("r1", MIB);
    f.target().clearMethodsReceived();
    store.listLvols();
    assertEquals(List.of("bdev_wait_for_examine", "bdev_lvol_get_lvstores", "bdev_get_bdevs"),
        f.target().methodsReceived());
    // the target answers with params as SPDK does: the listing sends none
    f.target().inject("bdev_wait_for_examine", Fault.error(-32602,
        "bdev_wait_for_examine requires no parameters"));
    StoreRejectedException e = assertThrows(StoreRejectedException.class, store::listLvols);
    assertEquals(-32602, e.code());
  }

  @Test
  void anSpdkWithoutWaitForExamineIsNotWaitedFor() throws Exception {
    backing.putLvol("r1", MIB);
    store.listLvols();
    // -32601: no such method (an SPDK older than bdev_wait_for_examine): listed all the same
    f.target().inject("bdev_wait_for_examine", Fault.error(-32601, "Method not found"));
    LvolListing listing = store.listLvols();
    assertEquals(List.of("r1"), names(listing.lvols()));
    assertTrue(listing.isComplete(), listing::toString);
    // any other failure of the wait fails the listing, typed
    f.target().inject("bdev_wait_for_examine", Fault.error(-32603, "Internal error"));
    assertEquals(-32603, assertThrows(StoreRejectedException.class, store::listLvols).code());
    f.target().inject("bdev_wait_for_examine", Fault.of(Action.GARBAGE));
    assertThrows(StoreProtocolException.class, store::listLvols);
  }

  @Test
  void theFirstListingNeverCoversTheLvstoreTwoInARowDo() throws Exception {
    backing.putLvol("r1", MIB);
    for (SpdkLvolStore s : List.of(store, f.storeByUuid())) {
      LvolListing first = s.listLvols();
      assertEquals(List.of("r1"), names(first.lvols())); // read, but not proof of absence
      assertEquals(Set.of(LVS_UUID), first.missingLvstores());
      assertFalse(first.certainAbout("r2", LVS_UUID));
      LvolListing second = s.listLvols();
      assertEquals(first.lvols(), second.lvols());
      assertTrue(second.isComplete(), second::toString);
      assertTrue(second.certainAbout("r2", LVS_UUID));
      assertTrue(s.listLvols().isComplete());
    }
    // coverage belongs to the instance: a new store over the same client starts over
    assertEquals(Set.of(LVS_UUID), f.storeByUuid().listLvols().missingLvstores());
  }

  @Test
  void anAbsentLvstoreIsMissingAndMustBeSeenTwiceAgain() throws Exception {
    backing.putLvol("r1", MIB);
    coveredListing(store);
    f.target().lvstoreState(LvstoreState.ABSENT); // SPDK restarted, lvol store not loaded yet
    for (int i = 0; i < 2; i++) {
      assertEquals(new LvolListing(List.of(), Set.of(LVS_UUID), List.of()), store.listLvols());
    }
    // stores that never saw it name it as configured
    assertEquals(Set.of(LVS_NAME), SpdkLvolStore.builder(f.client()).lvstoreName(LVS_NAME).build()
        .listLvols().missingLvstores());
    assertEquals(Set.of(LVS_UUID), f.storeByUuid().listLvols().missingLvstores());
    f.target().lvstoreState(LvstoreState.LOADED);
    LvolListing back = store.listLvols();
    assertEquals(List.of("r1"), names(back.lvols()));
    assertEquals(Set.of(LVS_UUID), back.missingLvstores()); // the first to see it again
    assertTrue(store.listLvols().isComplete());
  }

  @Test
  void aHalfLoadedLvstoreAfterAnAbsenceIsNotCovered() throws Exception {
    backing.putLvol("r1", MIB);
    backing.putLvol("r2", MIB);
    coveredListing(store);
    f.target().lvstoreState(LvstoreState.ABSENT);
    store.listLvols();
    // an examine that starts just after the listing's wait: the listing sees the lvol store
    // registered, its lvols not open yet
    f.target().examineAfterNextWait();
    LvolListing opening = store.listLvols();
    assertEquals(new LvolListing(List.of(), Set.of(LVS_UUID), List.of()), opening);
    assertFalse(opening.certainAbout("r1", LVS_UUID));
    // the next listing's wait waits for that examine; the lvol store was seen before: covered
    LvolListing loaded = store.listLvols();
    assertEquals(List.of("r1", "r2"), names(loaded.lvols()));
    assertTrue(loaded.isComplete(), loaded::toString);
  }

  @Test
  void anExamineInProgressIsWaitedFor() throws Exception {
    backing.putLvol("r1", MIB);
    f.target().lvstoreState(LvstoreState.OPENING);
    assertEquals(List.of(), store.findLvol("r1").stream().collect(Collectors.toList()));
    assertEquals(List.of("r1"), names(store.listLvols().lvols()));
  }

  @Test
  void aFailedListingStartsCoverageOver() throws Exception {
    backing.putLvol("r1", MIB);
    coveredListing(store);
    // SPDK restarts: a listing fails; when it answers again, its lvol store is registered by an
    // examine that started after the wait. The listing before the restart must not count.
    f.target().inject("bdev_get_bdevs", Fault.of(Action.CLOSE));
    assertThrows(StoreUnavailableException.class, store::listLvols);
    f.target().examineAfterNextWait();
    LvolListing opening = store.listLvols();
    assertEquals(List.of(), opening.lvols());
    assertEquals(Set.of(LVS_UUID), opening.missingLvstores());
    assertTrue(store.listLvols().isComplete());
    // the same for a failure of each of the three calls
    for (String method : List.of("bdev_wait_for_examine", "bdev_lvol_get_lvstores",
        "bdev_get_bdevs")) {
      coveredListing(store);
      f.target().inject(method, Fault.error(-16, "Device or resource busy"));
      assertThrows(StoreRejectedException.class, store::listLvols, method);
      assertEquals(Set.of(LVS_UUID), store.listLvols().missingLvstores(), method);
    }
  }

  @Test
  void aRenamedLvstoreIsFollowedByUuidOnceSeen() throws Exception {
    backing.putLvol("r1", MIB);
    SpdkLvolStore byUuid = f.storeByUuid();
    coveredListing(store);
    coveredListing(byUuid);
    f.target().renameLvstore("renamed-disk");
    for (SpdkLvolStore s : List.of(store, byUuid)) {
      LvolListing listing = s.listLvols(); // same UUID, seen before: covered
      assertEquals(List.of(new Lvol("r1", backing.lvols().get(0).uuid(), MIB, LvolKind.HEAD,
          LVS_UUID)), listing.lvols());
      assertTrue(listing.isComplete(), listing::toString);
    }
    // a store configured by the old name that never saw the lvol store: missing, by that name
    SpdkLvolStore fresh = SpdkLvolStore.builder(f.client()).lvstoreName(LVS_NAME).build();
    assertEquals(new LvolListing(List.of(), Set.of(LVS_NAME), List.of()), fresh.listLvols());
  }

  @Test
  void aDeleteIsNotFoundOnlyIfTheLvstoreIsListedAndExamined() throws Exception {
    store.createLvol("r1", MIB);
    f.target().clearMethodsReceived();
    assertEquals(-19, assertThrows(LvolNotFoundException.class,
        () -> store.deleteLvol("nope")).code());
    // SPDK answers -19 also for a missing lvol store and for an lvol not open yet: look
    assertEquals(List.of("bdev_lvol_delete", "bdev_lvol_get_lvstores", "bdev_wait_for_examine",
        "bdev_lvol_delete"), f.target().methodsReceived());
    // lvol store not loaded (yet): nothing proven, nothing applied
    f.target().lvstoreState(LvstoreState.ABSENT);
    StoreRejectedException absent =
        assertThrows(StoreRejectedException.class, () -> store.deleteLvol("r1"));
    assertEquals(-19, absent.code());
    assertEquals("No such device", absent.getMessage());
    assertTrue(absent.outcomeKnown());
    assertTrue(backing.contains("r1"));
    // being examined, r1 not open yet: the delete after the wait finds it
    f.target().lvstoreState(LvstoreState.OPENING);
    store.deleteLvol("r1");
    assertFalse(backing.contains("r1"));
    // renamed: a delete by the old name is not "not found"
    store.createLvol("r2", MIB);
    SpdkLvolStore byUuid = f.storeByUuid();
    byUuid.lvstore();
    f.target().renameLvstore("renamed-disk");
    assertEquals(-19, assertThrows(StoreRejectedException.class,
        () -> store.deleteLvol("r2")).code());
    assertEquals(-19, assertThrows(StoreRejectedException.class,
        () -> byUuid.deleteLvol("r2")).code()); // by the name it had cached...
    byUuid.deleteLvol("r2"); // ...which the look-up refreshed
    assertFalse(backing.contains("r2"));
    assertThrows(LvolNotFoundException.class, () -> byUuid.deleteLvol("r2"));
  }

  @Test
  void aDeleteOfAnLvolBeingDeletedIsBusy() throws Exception {
    store.createLvol("r1", MIB);
    f.target().startDelete("r1");
    LvolBusyException busy = assertThrows(LvolBusyException.class, () -> store.deleteLvol("r1"));
    assertEquals(-32603, busy.code());
    assertTrue(busy.outcomeKnown());
    // as in v26.05: no longer listed, its name still taken
    assertEquals(List.of(), store.listLvols().lvols());
    assertEquals(Optional.empty(), store.findLvol("r1"));
    assertThrows(LvolAlreadyExistsException.class, () -> store.createLvol("r1", MIB));
    assertTrue(backing.finishLate("r1", true));
    assertThrows(LvolNotFoundException.class, () -> store.deleteLvol("r1"));
    store.createLvol("r1", MIB);
  }

  @Test
  void lvolsAreClassifiedFromSpdksFields() throws Exception {
    backing.putLvol("vol-r-0a1b2c3d", 4 * MIB);
    backing.putLvol("vol-r-0a1b2c3d-snap-s1", 4 * MIB); // snapshot: true
    backing.putLvol("vol-r-0a1b2c3d-rebuilding", 4 * MIB);
    // a backing image named like a replica: snapshot: true, no -snap-
    backing.putLvol("vol-r-99aa88bb", 4 * MIB, LvolKind.OTHER, InMemoryLvolStore.DEFAULT_LVSTORE);
    backing.putLvol("_scratch", 4 * MIB); // a head whose name is no replica name
    backing.putLvol("x-snap-y", 4 * MIB);
    f.target().alterEntry("x-snap-y", b -> { // not a snapshot by SPDK, one by its name
      ((ObjectNode) b.at("/driver_specific/lvol")).put("snapshot", false);
      return List.of(b);
    });
    backing.putLvol("older", 4 * MIB);
    f.target().alterEntry("older", b -> { // an SPDK that does not send "snapshot"
      ((ObjectNode) b.at("/driver_specific/lvol")).remove("snapshot");
      return List.of(b);
    });
    Map<String, LvolKind> kinds = new TreeMap<>();
    for (Lvol l : store.listLvols().lvols()) {
      kinds.put(l.name(), l.kind());
    }
    assertEquals(Map.of("vol-r-0a1b2c3d", LvolKind.HEAD,
        "vol-r-0a1b2c3d-snap-s1", LvolKind.SNAPSHOT,
        "vol-r-0a1b2c3d-rebuilding", LvolKind.REBUILDING,
        "vol-r-99aa88bb", LvolKind.OTHER,
        "_scratch", LvolKind.OTHER,
        "x-snap-y", LvolKind.SNAPSHOT,
        "older", LvolKind.HEAD), kinds);
  }

  @Test
  void findingAnLvolWhoseEntryIsUnreadableIsAProtocolError() throws Exception {
    backing.putLvol("a", MIB);
    backing.putLvol("keep", MIB);
    f.target().alterEntry("a", b -> List.of(b.put("num_blocks", "many")));
    StoreProtocolException e =
        assertThrows(StoreProtocolException.class, () -> store.findLvol("a"));
    assertEquals(JsonRpcException.Kind.PROTOCOL,
        assertInstanceOf(JsonRpcException.class, e.getCause()).kind());
    assertFalse(e.outcomeKnown());
    assertEquals("keep", store.findLvol("keep").orElseThrow().name());
    assertEquals(Optional.empty(), store.findLvol("nope"));
    // the listing reads the rest and reports the one entry
    LvolListing listing = store.listLvols();
    assertEquals(List.of("keep"), names(listing.lvols()));
    assertEquals(1, listing.unreadable().size());
    assertEquals(Set.of("a"), listing.unreadable().get(0).names());
    assertEquals(LVS_UUID, listing.unreadable().get(0).lvstore());
  }

  @Test
  void lvstoreUuidsAreComparedWhateverTheirCase() throws Exception {
    // configured in upper case; SPDK prints UUIDs in lower case and parses either
    SpdkLvolStore upper = SpdkLvolStore.builder(f.client()).lvstoreUuid(LVS_UUID.toUpperCase())
        .build();
    Lvol r1 = upper.createLvol("r1", MIB);
    assertEquals(LVS_UUID, r1.lvstore());
    assertEquals(LVS_UUID, upper.lvstore().uuid());
    LvolListing listing = coveredListing(upper);
    assertEquals(List.of(r1), listing.lvols());
    // absent: reported under the same spelling as its lvols carry
    f.target().lvstoreState(LvstoreState.ABSENT);
    LvolListing absent = upper.listLvols();
    assertEquals(Set.of(LVS_UUID), absent.missingLvstores());
    assertFalse(absent.certainAbout("r1", r1.lvstore()));
  }

  @Test
  void theLvstoreLookupIsCachedAndChecked() throws Exception {
    SpdkLvolStore.LvstoreInfo info = store.lvstore();
    assertEquals(JsonRpcTestTarget.LVS_UUID, info.uuid());
    assertEquals(JsonRpcTestTarget.DEFAULT_CLUSTER_SIZE, info.clusterSize());
    long before = f.target().requestsReceived();
    store.createLvol("a", 1);
    store.createLvol("b", 1);
    assertEquals(before + 2, f.target().requestsReceived()); // no more lookups

    SpdkLvolStore missing = SpdkLvolStore.builder(f.client()).lvstoreName("nope").build();
    StoreRejectedException e = assertThrows(StoreRejectedException.class, missing::lvstore);
    assertEquals(-19, e.code());
    // create into a missing lvol store: -19 means "no lvol store", not "no lvol"
    assertEquals(-19, assertThrows(StoreRejectedException.class,
        () -> missing.createLvol("x", MIB)).code());
  }

  @Test
  void listsOnlyLvolsOfTheConfiguredStoreWithTheirKinds() throws Exception {
    backing.putLvol("r1", 4 * MIB);
    backing.putLvol("r1-snap-s1", 4 * MIB);
    backing.putLvol("r1-rebuilding", 4 * MIB);
    f.target().putForeignLvol("r1", 8 * MIB); // same name, other lvol store
    f.target().putForeignLvol("other", 8 * MIB);
    List<Lvol> lvols = store.listLvols().lvols();
    assertEquals(List.of("r1", "r1-rebuilding", "r1-snap-s1"), names(lvols));
    assertEquals(List.of(LvolKind.HEAD, LvolKind.REBUILDING, LvolKind.SNAPSHOT),
        lvols.stream().map(Lvol::kind).collect(Collectors.toList()));
    assertTrue(lvols.stream().allMatch(l -> l.replicaName().equals("r1")));
    assertEquals(lvols, f.storeByUuid().listLvols().lvols());
  }

  @Test
  void alreadyExistsAndNotFound() throws Exception {
    store.createLvol("r1", MIB);
    LvolAlreadyExistsException e =
        assertThrows(LvolAlreadyExistsException.class, () -> store.createLvol("r1", MIB));
    assertEquals(-17, e.code());
    assertTrue(e.getMessage().startsWith("File exists"), e.getMessage());
    assertEquals(-19, assertThrows(LvolNotFoundException.class,
        () -> store.deleteLvol("nope")).code());
  }

  @Test
  void asyncFailuresWithTheErrnoText() throws Exception {
    // -32602 "File exists" on create is an already-exists; other texts stay rejected
    f.target().inject("bdev_lvol_create", Fault.error(-32602, "File exists"));
    assertInstanceOf(LvolAlreadyExistsException.class,
        assertThrows(StoreException.class, () -> store.createLvol("r1", MIB)));
    f.target().inject("bdev_lvol_create", Fault.error(-32602, "Device or resource busy"));
    StoreRejectedException busy =
        assertThrows(StoreRejectedException.class, () -> store.createLvol("r1", MIB));
    assertEquals(-32602, busy.code());
    assertEquals("Device or resource busy", busy.getMessage());
    assertTrue(busy.outcomeKnown());

    store.createLvol("r1", MIB);
    // -32603 "No such device" on delete is a not-found (asked again after the examine wait)
    f.target().inject("bdev_lvol_delete", Fault.error(-32603, "No such device"));
    f.target().inject("bdev_lvol_delete", Fault.error(-32603, "No such device"));
    assertInstanceOf(LvolNotFoundException.class,
        assertThrows(StoreException.class, () -> store.deleteLvol("r1")));
    assertTrue(backing.contains("r1"));
    // -32603 "Device or resource busy" on delete: the lvol is being deleted (nothing applied)
    f.target().inject("bdev_lvol_delete", Fault.error(-32603, "Device or resource busy"));
    LvolBusyException beingDeleted =
        assertThrows(LvolBusyException.class, () -> store.deleteLvol("r1"));
    assertEquals(-32603, beingDeleted.code());
    assertTrue(beingDeleted.outcomeKnown());
    // the EBUSY text with another code, or -32603 with another text: rejected as sent
    f.target().inject("bdev_lvol_delete", Fault.error(-16, "Device or resource busy"));
    assertEquals(-16, assertThrows(StoreRejectedException.class,
        () -> store.deleteLvol("r1")).code());
    f.target().inject("bdev_lvol_delete", Fault.error(-32603, "Internal error"));
    assertEquals(-32603, assertThrows(StoreRejectedException.class,
        () -> store.deleteLvol("r1")).code());
    // -32603 "No such device" is not-found only for delete
    f.target().inject("bdev_get_bdevs", Fault.error(-32603, "No such device"));
    assertEquals(-32603, assertThrows(StoreRejectedException.class, store::listLvols).code());
    // -17 on delete, -19 on list: rejected with the code kept
    f.target().inject("bdev_lvol_delete", Fault.error(-17, "File exists"));
    assertEquals(-17, assertThrows(StoreRejectedException.class,
        () -> store.deleteLvol("r1")).code());
    assertTrue(backing.contains("r1"));
  }

  @Test
  void storeFaultsAsSpdkWouldShowThem() throws Exception {
    backing.failNext(Call.CREATE, 1, InMemoryLvolStore.Fault.REJECT);
    StoreRejectedException busy =
        assertThrows(StoreRejectedException.class, () -> store.createLvol("r1", MIB));
    assertEquals(-16, busy.code());
    assertEquals("Device or resource busy", busy.getMessage());

    try (JsonRpcClient quick = JsonRpcClient.builder(f.target().socketPath())
        .callTimeout(Duration.ofMillis(300)).build()) {
      SpdkLvolStore s = SpdkLvolStore.builder(quick).lvstoreName(JsonRpcTestTarget.LVS_NAME)
          .build();
      backing.failNext(Call.CREATE, 1, InMemoryLvolStore.Fault.TIMEOUT_AFTER_APPLY);
      StoreTimeoutException t =
          assertThrows(StoreTimeoutException.class, () -> s.createLvol("r2", MIB));
      assertFalse(t.outcomeKnown());
      assertTrue(backing.contains("r2")); // applied, answer lost

      backing.failNext(Call.DELETE, 1, InMemoryLvolStore.Fault.UNAVAILABLE);
      StoreUnavailableException u =
          assertThrows(StoreUnavailableException.class, () -> s.deleteLvol("r2"));
      assertFalse(u.outcomeKnown());
      assertEquals(List.of("r2"), names(s.listLvols().lvols())); // reconnected
    }
  }

  @Test
  void timeoutsAndDeadConnectionsAreTyped() throws Exception {
    try (JsonRpcClient quick = JsonRpcClient.builder(f.target().socketPath())
        .callTimeout(Duration.ofMillis(200)).build()) {
      SpdkLvolStore s = SpdkLvolStore.builder(quick).lvstoreName(JsonRpcTestTarget.LVS_NAME)
          .build();
      f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(500)));
      assertThrows(StoreTimeoutException.class, s::listLvols);
      f.target().inject("bdev_lvol_delete", Fault.of(Action.DROP));
      store.createLvol("r1", MIB);
      assertThrows(StoreTimeoutException.class, () -> s.deleteLvol("r1"));
      assertFalse(backing.contains("r1"));
      f.target().inject("bdev_get_bdevs", Fault.of(Action.CLOSE));
      assertThrows(StoreUnavailableException.class, s::listLvols);
    }
    f.target().close();
    StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
        () -> store.createLvol("r1", MIB));
    assertInstanceOf(JsonRpcException.class, e.getCause());
  }

  @Test
  void protocolErrorsAreAProtocolExceptionWithATypedCause() throws Exception {
    f.target().inject("bdev_get_bdevs", Fault.of(Action.GARBAGE));
    StoreProtocolException e = assertThrows(StoreProtocolException.class, store::listLvols);
    assertFalse(e.outcomeKnown());
    JsonRpcException cause = assertInstanceOf(JsonRpcException.class, e.getCause());
    assertEquals(JsonRpcException.Kind.PROTOCOL, cause.kind());
    assertEquals(List.of(), store.listLvols().lvols());
  }

  @Test
  void lvolNamesAreSentAsTheAlias() throws Exception {
    // a name that looks like a UUID must still be taken as an lvol name
    String tricky = "1b38702c-7f0c-411e-a962-92c6a5a8a602";
    store.createLvol(tricky, MIB);
    store.createLvol("other", MIB);
    store.deleteLvol(tricky);
    assertEquals(List.of("other"), names(store.listLvols().lvols()));
  }

  @Test
  void concurrentStoreCallsFromSeveralThreads() throws Exception {
    int threads = 6;
    int rounds = 40;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String prefix = "t" + t + "-";
        results.add(pool.submit(() -> {
          int conflicts = 0;
          for (int i = 0; i < rounds; i++) {
            String name = prefix + i;
            Lvol lvol = store.createLvol(name, MIB);
            assertTrue(names(store.listLvols().lvols()).contains(name));
            // everyone also races for one shared name: exactly one create wins at a time
            try {
              store.createLvol("shared", MIB);
              store.deleteLvol("shared");
            } catch (LvolAlreadyExistsException | LvolNotFoundException e) {
              conflicts++;
            }
            if (i % 2 == 0) {
              store.deleteLvol(lvol.name());
            }
          }
          return conflicts;
        }));
      }
      for (java.util.concurrent.Future<Integer> r : results) {
        r.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> left = names(store.listLvols().lvols());
    assertEquals(threads * rounds / 2, left.size());
    assertFalse(left.contains("shared"));
    assertEquals(left, names(backing.lvols()));
    assertEquals(backingAsListed(), store.listLvols().lvols());
    assertEquals(1, f.target().connectionsAccepted());
  }

  @Test
  void builderChecksItsArguments() {
    JsonRpcClient c = f.client();
    assertThrows(IllegalArgumentException.class, () -> SpdkLvolStore.builder(c).build());
    assertThrows(IllegalArgumentException.class,
        () -> SpdkLvolStore.builder(c).lvstoreName("a").lvstoreUuid(JsonRpcTestTarget.LVS_UUID)
            .build());
    assertThrows(IllegalArgumentException.class,
        () -> SpdkLvolStore.builder(c).lvstoreName("a/b").build());
    assertThrows(IllegalArgumentException.class,
        () -> SpdkLvolStore.builder(c).lvstoreUuid("not-a-uuid").build());
    assertThrows(IllegalArgumentException.class, () -> store.createLvol("x", 0));
  }
}
