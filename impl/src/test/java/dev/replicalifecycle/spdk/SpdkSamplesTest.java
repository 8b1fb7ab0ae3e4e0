package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicalifecycle.registry.ReplicaNames;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolBusyException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreRejectedException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Parses every file of {@code spdk-samples/} (real and synthetic SPDK payloads, see its
 * PROVENANCE.md) through the production code: requests the store sends are compared with the
 * sample requests, responses go through the dispatcher, the store's decoding and its error
 * mapping. A sample file without a check here fails {@link #everySampleIsChecked()}.
 */
class SpdkSamplesTest {

  static final String TEST_LVS = JsonRpcTestTarget.LVS_NAME;
  static final String TEST_LVS_UUID = JsonRpcTestTarget.LVS_UUID;
  static final String OTHER_LVS_UUID = JsonRpcTestTarget.FOREIGN_LVS_UUID;
  /** lvs0 of the v26.05 capture. */
  static final String LVS0_UUID = "7f72c802-3340-4fec-b386-ca5f20a56702";
  static final byte[] EXAMINED =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":true}\n".getBytes(StandardCharsets.UTF_8);
  static final byte[] NO_BDEVS =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}\n".getBytes(StandardCharsets.UTF_8);

  private static final Map<String, Check> CHECKS = new TreeMap<>();

  @FunctionalInterface
  interface Check {
    void run(byte[] bytes) throws Exception;
  }

  static {
    // ---- real, from spdk/spdk doc/jsonrpc.md and spdk issue #1361 ----
    CHECKS.put("bdev_get_bdevs.request.json", b -> {
      JsonNode req = tree(b);
      assertEquals("bdev_get_bdevs", req.get("method").textValue());
      Messages.BdevQuery q = codec().treeToValue(req.get("params"), Messages.BdevQuery.class);
      assertEquals("Malloc0", q.name());
    });
    CHECKS.put("bdev_get_bdevs.response.malloc.json", b -> {
      Scripted rpc = listingRpc(b, TEST_LVS, TEST_LVS_UUID);
      // not an lvol: nothing listed, nothing unreadable
      assertEquals(LvolListing.complete(List.of()),
          covered(storeByName(TEST_LVS, rpc), TEST_LVS_UUID));
      assertEquals(1, resultOf(b, "bdev_get_bdevs").size());
    });
    CHECKS.put("bdev_get_bdevs.response.lvol.json", b -> {
      String lvs1 = "2c7e4671-3058-4cc0-9f9b-6373c33a0a66";
      String lvs2 = "0f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b";
      Lvol expected = new Lvol("lvol_test3", "38289294-b1d9-4b20-b812-4217876d5bf6",
          3072L * 4096, LvolKind.HEAD, lvs1);
      Scripted rpc = listingRpc(b, "lvs_test1", lvs1, "lvs_test2", lvs2);
      assertEquals(LvolListing.complete(List.of(expected)),
          covered(storeByName("lvs_test1", rpc), lvs1));
      assertEquals(LvolListing.complete(List.of(expected)), covered(storeByUuid(lvs1, rpc), lvs1));
      assertEquals(LvolListing.complete(List.of()), covered(storeByName("lvs_test2", rpc), lvs2));
      // an lvol store SPDK does not list: missing (by UUID, or by the name while never seen)
      SpdkLvolStore absent = storeByUuid(TEST_LVS_UUID, rpc);
      for (int i = 0; i < 2; i++) {
        assertEquals(new LvolListing(List.of(), Set.of(TEST_LVS_UUID), List.of()),
            absent.listLvols());
      }
      assertEquals(new LvolListing(List.of(), Set.of("lvs_test3"), List.of()),
          storeByName("lvs_test3", rpc).listLvols());
      Messages.Bdev bdev = codec().treeToValue(resultOf(b, "bdev_get_bdevs").get(0),
          Messages.Bdev.class);
      assertEquals(Boolean.FALSE, bdev.driverSpecific().lvol().thinProvision());
      assertEquals("aio_bdev0", bdev.driverSpecific().lvol().baseBdev());
    });
    CHECKS.put("bdev_lvol_create.request.json", b -> {
      Scripted rpc = new Scripted()
          .answer("bdev_lvol_get_lvstores", lvstoresAnswer("LVS0", "a9959197-b5e2-4f2d-8095-251ffb6985a5", 1 << 20))
          .answer("bdev_lvol_create", "{\"jsonrpc\":\"2.0\",\"id\":1,"
              + "\"result\":\"1b38702c-7f0c-411e-a962-92c6a5a8a602\"}");
      Lvol lvol = new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).createLvol("LVOL0", 1 << 20);
      assertSameRequest(tree(b), rpc.sent().get(1).request());
      assertEquals("a9959197-b5e2-4f2d-8095-251ffb6985a5", lvol.lvstore());
    });
    CHECKS.put("bdev_lvol_create.response.json", b -> {
      Scripted rpc = new Scripted()
          .answer("bdev_lvol_get_lvstores", lvstoresAnswer("LVS0", "a9959197-b5e2-4f2d-8095-251ffb6985a5", 4 << 20))
          .answer("bdev_lvol_create", 1, b);
      Lvol lvol = new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).createLvol("LVOL0", 1);
      // 1 byte -> 1 MiB -> one 4 MiB cluster
      assertEquals(new Lvol("LVOL0", "1b38702c-7f0c-411e-a962-92c6a5a8a602", 4 << 20,
          LvolKind.HEAD, "a9959197-b5e2-4f2d-8095-251ffb6985a5"), lvol);
    });
    CHECKS.put("bdev_lvol_delete.request.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_lvol_delete",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":true}");
      new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).deleteLvol("LVOL0");
      assertEquals(1, rpc.sent().size()); // a delete that succeeds is one request
      JsonNode ours = rpc.sent().get(0).request();
      JsonNode sample = tree(b);
      // The sample names the lvol by UUID; the store names it by its alias (both accepted).
      assertEquals(sample.get("method"), ours.get("method"));
      assertEquals(fieldNames(sample.get("params")), fieldNames(ours.get("params")));
      assertEquals("LVS0/LVOL0", ours.get("params").get("name").textValue());
    });
    CHECKS.put("bdev_lvol_delete.response.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_lvol_delete", 1, b);
      new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).deleteLvol("LVOL0");
    });
    CHECKS.put("bdev_lvol_get_lvstores.request.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_lvol_get_lvstores",
          new String(lvstoresAnswer("LVS0", "a9959197-b5e2-4f2d-8095-251ffb6985a5", 1 << 22),
              StandardCharsets.UTF_8));
      new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).lvstore();
      assertSameRequest(tree(b), rpc.sent().get(0).request());
    });
    CHECKS.put("bdev_lvol_get_lvstores.response.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_lvol_get_lvstores", 1, b);
      assertEquals(new SpdkLvolStore.LvstoreInfo("LVS0", "a9959197-b5e2-4f2d-8095-251ffb6985a5",
              "Malloc0", 4194304, 4096, 31, 31),
          new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).lvstore());
      Scripted byUuid = new Scripted().answer("bdev_lvol_get_lvstores", 1, b);
      assertEquals("LVS0", new SpdkLvolStore(byUuid, byUuid.codec(), null,
          "a9959197-b5e2-4f2d-8095-251ffb6985a5").lvstore().name());
      // as the lvol store part of a listing
      Scripted listing = new Scripted().answer("bdev_wait_for_examine", EXAMINED)
          .answer("bdev_lvol_get_lvstores", 1, b).answer("bdev_get_bdevs", NO_BDEVS);
      assertEquals(LvolListing.complete(List.of()), covered(
          new SpdkLvolStore(listing, listing.codec(), "LVS0", null),
          "a9959197-b5e2-4f2d-8095-251ffb6985a5"));
    });
    // ---- real, from Longhorn issues: fragments, not whole messages ----
    CHECKS.put("bdev_get_bdevs.response.lvol-longhorn-fragment.txt", b -> {
      String text = new String(b, StandardCharsets.UTF_8);
      String object = objectAfter(text, "\"driver_specific\":");
      Messages.DriverSpecific ds = codec().treeToValue(tree(object), Messages.DriverSpecific.class);
      Messages.LvolInfo lvol = ds.lvol();
      assertEquals("1e729cce-7c53-47d8-98f2-c29071394dde", lvol.lvolStoreUuid());
      assertEquals("vol-r-c042959e-snap-snap2", lvol.baseSnapshot());
      assertEquals(Boolean.TRUE, lvol.isClone());
      assertEquals(Boolean.TRUE, lvol.thinProvision());
      assertEquals(0L, lvol.numAllocatedClusters());
      // a clone (of a snapshot) that is no snapshot is a head
      assertEquals(LvolKind.HEAD, SpdkLvolStore.classify("vol-r-c042959e", lvol));
      // the second, cut-off entry is a snapshot by its alias
      Matcher m = Pattern.compile("\"(disk-2/[^\"]+)\"").matcher(text);
      assertTrue(m.find());
      String lvolName = m.group(1).substring("disk-2/".length());
      assertEquals(LvolKind.SNAPSHOT, LvolKind.of(lvolName));
      assertEquals("vol-r-c042959e", LvolKind.of(lvolName).replicaName(lvolName));
    });
    CHECKS.put("jsonrpc-errors.real-longhorn-logs.txt", b -> {
      String text = new String(b, StandardCharsets.UTF_8).lines()
          .filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
      List<Messages.ErrorObject> errors = new ArrayList<>();
      int from = 0;
      while ((from = text.indexOf("{\"code\"", from)) >= 0) {
        String object = objectAfter(text.substring(from), "");
        errors.add(codec().treeToValue(tree(object), Messages.ErrorObject.class));
        from += object.length();
      }
      assertEquals(List.of(-17, -32603, -32602, -22),
          errors.stream().map(Messages.ErrorObject::code).collect(Collectors.toList()));
      // each one, as the answer to a store call, and what it becomes
      assertInstanceOf(LvolAlreadyExistsException.class,
          failure("bdev_lvol_create", errorAnswer(errors.get(0))));
      // -32603 "Device or resource busy": a delete of an lvol being deleted; busy, nothing applied
      LvolBusyException busyDelete = assertInstanceOf(LvolBusyException.class,
          failure("bdev_lvol_delete", errorAnswer(errors.get(1))));
      assertEquals(-32603, busyDelete.code());
      assertTrue(busyDelete.outcomeKnown());
      assertTrue(busyDelete.getMessage().startsWith("Device or resource busy"));
      // the same answer to a create is only a rejection
      StoreRejectedException busyCreate32603 = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_create", errorAnswer(errors.get(1))));
      assertEquals(-32603, busyCreate32603.code());
      StoreRejectedException busyCreate = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_create", errorAnswer(errors.get(2))));
      assertEquals(-32602, busyCreate.code());
      // -32602 with the EBUSY text is not "being deleted"
      assertEquals(-32602, assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_delete", errorAnswer(errors.get(2)))).code());
      StoreRejectedException einval = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_create", errorAnswer(errors.get(3))));
      assertEquals(-22, einval.code());
      assertEquals(errors.get(3).message(), einval.getMessage());
      assertTrue(text.contains("timeout 1m0s waiting")); // why the default call timeout is 60 s
    });
    // ---- synthetic (constructed from SPDK/Longhorn source, see PROVENANCE.md) ----
    CHECKS.put("synthetic/bdev_get_bdevs.error.enodev.json", b -> {
      StoreRejectedException e = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_get_bdevs", b));
      assertEquals(-19, e.code());
      assertEquals("No such device", e.getMessage());
    });
    CHECKS.put("synthetic/bdev_get_bdevs.request.all.json", b -> {
      Scripted rpc = listingRpc(NO_BDEVS, TEST_LVS, TEST_LVS_UUID);
      storeByName(TEST_LVS, rpc).listLvols();
      // the listing: wait for examine, the lvol stores, the bdevs; none with params
      assertEquals(List.of("bdev_wait_for_examine", "bdev_lvol_get_lvstores", "bdev_get_bdevs"),
          rpc.sent().stream().map(Scripted.Sent::method).collect(Collectors.toList()));
      assertSameRequest(tree(b), rpc.sent().get(2).request());
      for (Scripted.Sent sent : rpc.sent()) {
        assertFalse(sent.request().has("params"), sent::toString);
      }
    });
    CHECKS.put("synthetic/bdev_get_bdevs.request.by-alias.json", b -> {
      Messages.BdevQuery q = codec().treeToValue(tree(b).get("params"), Messages.BdevQuery.class);
      assertEquals("test-disk/test-vol-7-replica-2", q.name());
    });
    CHECKS.put("synthetic/bdev_get_bdevs.response.longhorn-before-create.json", b -> {
      Scripted rpc = listingRpc(b, TEST_LVS, TEST_LVS_UUID);
      assertEquals(List.of("test-vol-7-replica-1"),
          names(covered(storeByName(TEST_LVS, rpc), TEST_LVS_UUID)));
      assertEquals(List.of("test-vol-7-replica-1"),
          names(covered(storeByUuid(TEST_LVS_UUID, rpc), TEST_LVS_UUID)));
    });
    CHECKS.put("synthetic/bdev_get_bdevs.response.longhorn-after-create.json", b -> {
      LvolListing listing = covered(storeByName(TEST_LVS, listingRpc(b, TEST_LVS, TEST_LVS_UUID)),
          TEST_LVS_UUID);
      assertEquals(LvolListing.complete(List.of(
          new Lvol("test-vol-7-replica-1", "1f2e3d4c-5b6a-4789-8abc-def012345678",
              128000L * 4096, LvolKind.HEAD, TEST_LVS_UUID),
          new Lvol("test-vol-7-replica-2", "9a8b7c6d-5e4f-4321-8765-43210fedcba9",
              128000L * 4096, LvolKind.HEAD, TEST_LVS_UUID))), listing);
    });
    CHECKS.put("synthetic/bdev_get_bdevs.response.longhorn-snapshot-chain.json", b -> {
      List<Lvol> lvols = covered(storeByName(TEST_LVS, listingRpc(b, TEST_LVS, TEST_LVS_UUID)),
          TEST_LVS_UUID).lvols();
      assertEquals(2, lvols.size());
      assertEquals(LvolKind.HEAD, lvols.get(0).kind());
      assertEquals("test-vol-0-replica-1", lvols.get(0).name());
      assertEquals(LvolKind.SNAPSHOT, lvols.get(1).kind());
      assertEquals("test-vol-0-replica-1", lvols.get(1).replicaName());
      Messages.Bdev snap = codec().treeToValue(resultOf(b, "bdev_get_bdevs").get(0),
          Messages.Bdev.class);
      assertEquals(List.of("test-vol-0-replica-1"), snap.driverSpecific().lvol().clones());
    });
    CHECKS.put("synthetic/bdev_lvol_create.error.eexist.json", b -> {
      LvolAlreadyExistsException e = assertInstanceOf(LvolAlreadyExistsException.class,
          failure("bdev_lvol_create", b));
      assertEquals(-17, e.code());
      assertTrue(e.getMessage().startsWith("File exists"), e.getMessage());
    });
    CHECKS.put("synthetic/bdev_lvol_create.error.enodev-no-lvstore.json", b -> {
      // -19 on create means "no such lvol store", not "no such lvol"
      StoreRejectedException e = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_create", b));
      assertEquals(-19, e.code());
    });
    CHECKS.put("synthetic/bdev_lvol_create.request.longhorn-replica-head.json", b -> {
      Scripted rpc = new Scripted()
          .answer("bdev_lvol_get_lvstores", lvstoresAnswer(TEST_LVS, TEST_LVS_UUID, 1 << 20))
          .answer("bdev_lvol_create", "{\"jsonrpc\":\"2.0\",\"id\":1,"
              + "\"result\":\"9a8b7c6d-5e4f-4321-8765-43210fedcba9\"}");
      Lvol lvol = new SpdkLvolStore(rpc, rpc.codec(), null, TEST_LVS_UUID)
          .createLvol("test-vol-7-replica-2", 500L * (1 << 20) - 100);
      assertSameRequest(tree(b), rpc.sent().get(1).request());
      assertEquals(500L << 20, lvol.sizeBytes());
      assertEquals(TEST_LVS_UUID, lvol.lvstore());
    });
    CHECKS.put("synthetic/bdev_lvol_delete.error.enodev.json", b -> {
      // -19 with the lvol store listed under the name the delete used: no such lvol
      LvolNotFoundException e = assertInstanceOf(LvolNotFoundException.class,
          failure("bdev_lvol_delete", b));
      assertEquals(-19, e.code());
      // -19 while the lvol store is not listed (not loaded yet), or listed under another name
      // (renamed): no such lvol store, which proves nothing about the lvol
      for (byte[] lvstores : List.of(lvstoresListing(), lvstoresListing("disk-2", OTHER_LVS_UUID),
          lvstoresListing("renamed", TEST_LVS_UUID))) {
        StoreRejectedException r = assertInstanceOf(StoreRejectedException.class,
            failure("bdev_lvol_delete", b, lvstores));
        assertEquals(-19, r.code());
        assertEquals("No such device", r.getMessage());
      }
    });
    CHECKS.put("synthetic/bdev_lvol_get_lvstores.error.enodev.json", b -> {
      StoreRejectedException e = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_get_lvstores", b));
      assertEquals(-19, e.code());
    });
    // ---- real, captured from spdk_tgt v26.05 (see PROVENANCE.md) ----
    CHECKS.put("v26.05/bdev_wait_for_examine.response.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_wait_for_examine", 1, b)
          .answer("bdev_lvol_get_lvstores", lvstoresListing(TEST_LVS, TEST_LVS_UUID))
          .answer("bdev_get_bdevs", NO_BDEVS);
      assertEquals(LvolListing.complete(List.of()),
          covered(storeByName(TEST_LVS, rpc), TEST_LVS_UUID));
      assertEquals(Boolean.TRUE, resultOf(b, "bdev_wait_for_examine").booleanValue());
    });
    CHECKS.put("v26.05/bdev_wait_for_examine.error.params.json", b -> {
      // any error but -32601 (no such method: an older SPDK) fails the listing
      StoreRejectedException e = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_wait_for_examine", b));
      assertEquals(-32602, e.code());
      assertEquals("bdev_wait_for_examine requires no parameters", e.getMessage());
    });
    CHECKS.put("v26.05/bdev_lvol_get_lvstores.response.all.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_lvol_get_lvstores", 1, b);
      assertEquals(new SpdkLvolStore.LvstoreInfo("lvs1", "21169622-b9c3-484c-abbf-57b0290c0ee1",
              "Malloc1", 1 << 20, 4096, 62, 62),
          new SpdkLvolStore(rpc, rpc.codec(), "lvs1", null).lvstore());
      Scripted listing = new Scripted().answer("bdev_wait_for_examine", EXAMINED)
          .answer("bdev_lvol_get_lvstores", 1, b).answer("bdev_get_bdevs", NO_BDEVS);
      assertEquals(LvolListing.complete(List.of()), covered(
          new SpdkLvolStore(listing, listing.codec(), "lvs0", null), LVS0_UUID));
      assertEquals(LvolListing.complete(List.of()), covered(
          new SpdkLvolStore(listing, listing.codec(), null, LVS0_UUID.toUpperCase()), LVS0_UUID));
    });
    CHECKS.put("v26.05/bdev_get_bdevs.response.snapshots.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_wait_for_examine", EXAMINED)
          .answer("bdev_lvol_get_lvstores", Files.readAllBytes(
              samplesDir().resolve("v26.05/bdev_lvol_get_lvstores.response.all.json")))
          .answer("bdev_get_bdevs", 1, b);
      // the head (a clone of its snapshot), its snapshot, and a snapshot named like a replica:
      // a backing image, never a replica's head
      assertEquals(LvolListing.complete(List.of(
              new Lvol("vol-r-0a1b2c3d", "ae75b5c3-f7b6-4e00-9df9-d11dff9b6ab1", 8L << 20,
                  LvolKind.HEAD, LVS0_UUID, "vol-r-0a1b2c3d-snap-s1"),
              new Lvol("vol-r-0a1b2c3d-snap-s1", "25685fd0-8a2c-4d22-be45-9ac0fb61bfcd", 8L << 20,
                  LvolKind.SNAPSHOT, LVS0_UUID),
              new Lvol("vol-r-99aa88bb", "04103dd3-cceb-4a96-86df-39c43152c4bb", 4L << 20,
                  LvolKind.OTHER, LVS0_UUID))),
          covered(new SpdkLvolStore(rpc, rpc.codec(), "lvs0", null), LVS0_UUID));
      assertEquals(LvolListing.complete(List.of()), covered(
          new SpdkLvolStore(rpc, rpc.codec(), "lvs1", null),
          "21169622-b9c3-484c-abbf-57b0290c0ee1"));
      assertTrue(ReplicaNames.isValid("vol-r-99aa88bb"));
    });
    CHECKS.put("v26.05/bdev_lvol_delete.error.busy.json", b -> {
      LvolBusyException e = assertInstanceOf(LvolBusyException.class,
          failure("bdev_lvol_delete", b));
      assertEquals(-32603, e.code());
      assertTrue(e.outcomeKnown());
    });
  }

  @Test
  void everySampleIsChecked() throws Exception {
    assertEquals(CHECKS.keySet(), new TreeSet<>(sampleFiles()));
  }

  @Test
  void everySampleParses() throws Exception {
    for (String file : sampleFiles()) {
      try {
        CHECKS.get(file).run(Files.readAllBytes(samplesDir().resolve(file)));
      } catch (Exception | AssertionError e) {
        throw new AssertionError(file + ": " + e, e);
      }
    }
  }

  @Test
  void targetAnswersHaveTheSamplesFieldSets() throws Exception {
    // what the test double sends must carry every field the samples have (and may have more)
    JsonNode sample = resultOf(Files.readAllBytes(samplesDir()
        .resolve("synthetic/bdev_get_bdevs.response.longhorn-after-create.json")), "x");
    JsonNode lvsSample = resultOf(Files.readAllBytes(samplesDir()
        .resolve("bdev_lvol_get_lvstores.response.json")), "x").get(0);
    JsonNode lvs2605 = resultOf(Files.readAllBytes(samplesDir()
        .resolve("v26.05/bdev_lvol_get_lvstores.response.all.json")), "x").get(0);
    JsonNode snapshot2605 = resultOf(Files.readAllBytes(samplesDir()
        .resolve("v26.05/bdev_get_bdevs.response.snapshots.json")), "x").get(3);
    JsonNode waitError = tree(Files.readAllBytes(samplesDir()
        .resolve("v26.05/bdev_wait_for_examine.error.params.json"))).get("error");
    try (TargetFixture f = TargetFixture.start()) {
      f.target().store().putLvol("r1", 4 << 20);
      f.target().store().putLvol("img", 4 << 20, LvolKind.OTHER, "lvs0");
      JsonNode bdevs = f.client().call("bdev_get_bdevs", null);
      JsonNode base = bdevs.get(0);
      JsonNode image = bdevs.get(1);
      JsonNode lvol = bdevs.get(2);
      assertTrue(fieldNames(base).containsAll(fieldNames(sample.get(0))));
      assertTrue(fieldNames(lvol).containsAll(fieldNames(sample.get(1))));
      assertTrue(fieldNames(lvol.get("driver_specific").get("lvol"))
          .containsAll(fieldNames(sample.get(1).get("driver_specific").get("lvol"))));
      // a backing image as v26.05 shows a snapshot without clones
      assertEquals(List.of("test-disk/img"), List.of(image.get("aliases").get(0).textValue()));
      JsonNode imageLvol = image.get("driver_specific").get("lvol");
      assertTrue(fieldNames(imageLvol)
          .containsAll(fieldNames(snapshot2605.get("driver_specific").get("lvol"))));
      assertEquals(snapshot2605.at("/driver_specific/lvol/snapshot"), imageLvol.get("snapshot"));
      assertFalse(imageLvol.has("clones"));
      // the lvol stores: v26.05's fields in its order
      JsonNode lvs = f.client().call("bdev_lvol_get_lvstores", null).get(0);
      assertTrue(fieldNames(lvs).containsAll(fieldNames(lvsSample)));
      List<String> order = new ArrayList<>();
      lvs.fieldNames().forEachRemaining(order::add);
      List<String> order2605 = new ArrayList<>();
      lvs2605.fieldNames().forEachRemaining(order2605::add);
      assertEquals(order2605, order);
      // bdev_wait_for_examine: true, and v26.05's error for any params
      assertEquals(Boolean.TRUE, f.client().call("bdev_wait_for_examine", null).booleanValue());
      JsonRpcException e = assertThrows(JsonRpcException.class,
          () -> f.client().call("bdev_wait_for_examine", Map.of()));
      assertEquals(waitError.get("code").intValue(), e.code());
      assertEquals(waitError.get("message").textValue(), e.serverMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------

  static Path samplesDir() throws URISyntaxException {
    return Path.of(SpdkSamplesTest.class.getResource("/spdk-samples").toURI());
  }

  static List<String> sampleFiles() throws IOException, URISyntaxException {
    Path dir = samplesDir();
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .filter(n -> !n.equals("PROVENANCE.md"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static JsonCodec codec() {
    return new JsonCodec(Limits.DEFAULT);
  }

  private static JsonNode tree(byte[] b) throws IOException {
    return codec().readTree(b);
  }

  private static JsonNode tree(String s) throws IOException {
    return tree(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The result of a sample response, through the dispatcher, whatever its id. */
  private static JsonNode resultOf(byte[] response, String method) throws Exception {
    long id = tree(response).get("id").asLong();
    return Scripted.serve(codec(), Limits.DEFAULT, response, method, id);
  }

  /**
   * Scripted answers for listings: examine done, {@code bdev_lvol_get_lvstores} listing the lvol
   * stores given as name, UUID pairs, and {@code bdev_get_bdevs} answered with {@code bdevs}.
   */
  static Scripted listingRpc(byte[] bdevs, String... lvstores) throws IOException {
    long id = tree(bdevs).get("id").asLong();
    return new Scripted().answer("bdev_wait_for_examine", EXAMINED)
        .answer("bdev_lvol_get_lvstores", lvstoresListing(lvstores))
        .answer("bdev_get_bdevs", id, bdevs);
  }

  private static SpdkLvolStore storeByName(String lvs, Scripted rpc) {
    return new SpdkLvolStore(rpc, rpc.codec(), lvs, null);
  }

  private static SpdkLvolStore storeByUuid(String uuid, Scripted rpc) {
    return new SpdkLvolStore(rpc, rpc.codec(), null, uuid);
  }

  /**
   * Lists twice with a fresh store: the first listing reads the same as the second but does not
   * cover the lvol store (reports it missing by {@code uuid}); the second does. Returns it.
   */
  static LvolListing covered(SpdkLvolStore store, String uuid) throws StoreException {
    LvolListing first = store.listLvols();
    assertEquals(Set.of(uuid), first.missingLvstores(), "first listing");
    LvolListing second = store.listLvols();
    assertEquals(Set.of(), second.missingLvstores(), "second listing");
    assertEquals(first.lvols(), second.lvols());
    assertEquals(first.unreadable(), second.unreadable());
    return second;
  }

  private static List<String> names(LvolListing listing) {
    return listing.lvols().stream().map(Lvol::name).collect(Collectors.toList());
  }

  /** What the store call that uses {@code method} throws when answered with {@code response}. */
  static StoreException failure(String method, byte[] response) throws IOException {
    return failure(method, response, lvstoresListing(TEST_LVS, TEST_LVS_UUID));
  }

  /** Same, with {@code lvstores} as the answer to {@code bdev_lvol_get_lvstores} without params. */
  static StoreException failure(String method, byte[] response, byte[] lvstores)
      throws IOException {
    long id = tree(response).get("id").asLong();
    Scripted rpc = new Scripted()
        .answer("bdev_lvol_get_lvstores", lvstores)
        .answer("bdev_wait_for_examine", EXAMINED)
        .answer("bdev_get_bdevs", NO_BDEVS)
        .answer(method, id, response);
    SpdkLvolStore store = new SpdkLvolStore(rpc, rpc.codec(), TEST_LVS, null);
    return assertThrows(StoreException.class, () -> {
      switch (method) {
        case "bdev_lvol_create" -> store.createLvol("r1", 1 << 20);
        case "bdev_lvol_delete" -> store.deleteLvol("r1");
        case "bdev_get_bdevs", "bdev_wait_for_examine" -> store.listLvols();
        case "bdev_lvol_get_lvstores" -> store.lvstore();
        default -> throw new AssertionError(method);
      }
    });
  }

  private static byte[] errorAnswer(Messages.ErrorObject e) {
    ObjectNode o = codec().mapper().createObjectNode();
    o.put("jsonrpc", "2.0");
    o.put("id", 1);
    o.putObject("error").put("code", e.code()).put("message", e.message());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A {@code bdev_lvol_get_lvstores} answer without params, as v26.05 sends it, listing the lvol
   * stores given as name, UUID pairs (4 MiB clusters).
   */
  static byte[] lvstoresListing(String... nameUuid) {
    StringBuilder out = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[");
    for (int i = 0; i < nameUuid.length; i += 2) {
      out.append(i == 0 ? "" : ",").append("{\"uuid\":\"").append(nameUuid[i + 1])
          .append("\",\"name\":\"").append(nameUuid[i])
          .append("\",\"base_bdev\":\"Malloc0\",\"total_data_clusters\":15,\"free_clusters\":15,"
              + "\"block_size\":4096,\"cluster_size\":4194304,\"max_growable_size\":137271181312}");
    }
    return out.append("]}\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] lvstoresAnswer(String name, String uuid, long clusterSize) {
    return ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"uuid\":\"" + uuid
        + "\",\"base_bdev\":\"Malloc0\",\"free_clusters\":31,\"cluster_size\":" + clusterSize
        + ",\"total_data_clusters\":31,\"block_size\":4096,\"name\":\"" + name + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Same request, but for the id (the samples use their own ids). */
  private static void assertSameRequest(JsonNode sample, JsonNode ours) {
    ObjectNode a = sample.deepCopy();
    ObjectNode b = ours.deepCopy();
    a.remove("id");
    b.remove("id");
    assertEquals(a, b);
  }

  private static TreeSet<String> fieldNames(JsonNode node) {
    TreeSet<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The JSON object that starts at the first <code>{</code> after {@code marker} in text. */
  private static String objectAfter(String text, String marker) throws Exception {
    int at = text.indexOf('{', text.indexOf(marker) + marker.length());
    byte[] rest = text.substring(at).getBytes(StandardCharsets.UTF_8);
    // up to the end of the first object, byte by byte
    Limits limits = new Limits(rest.length + 1, 64, rest.length + 1, 64, 1024, 16);
    JsonMessageReader reader = new JsonMessageReader(new JsonCodec(limits), limits);
    List<JsonNode> frames = new ArrayList<>();
    int i = 0;
    for (; i < rest.length && frames.isEmpty(); i++) {
      reader.feed(rest, i, 1, frames::add);
    }
    assertNotNull(frames.isEmpty() ? null : frames.get(0), "no complete object after " + marker);
    return new String(rest, 0, i, StandardCharsets.UTF_8);
  }
}
