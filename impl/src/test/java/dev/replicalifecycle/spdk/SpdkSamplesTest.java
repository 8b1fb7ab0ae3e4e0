package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolKind;
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
      assertEquals(List.of(), storeByName("Malloc0", b).listLvols().lvols()); // not an lvol
      assertEquals(1, resultOf(b, "bdev_get_bdevs").size());
    });
    CHECKS.put("bdev_get_bdevs.response.lvol.json", b -> {
      Lvol expected = new Lvol("lvol_test3", "38289294-b1d9-4b20-b812-4217876d5bf6",
          3072L * 4096, LvolKind.HEAD, "2c7e4671-3058-4cc0-9f9b-6373c33a0a66");
      assertEquals(List.of(expected), storeByName("lvs_test1", b).listLvols().lvols());
      assertEquals(List.of(expected),
          storeByUuid("2c7e4671-3058-4cc0-9f9b-6373c33a0a66", b).listLvols().lvols());
      assertEquals(List.of(), storeByName("lvs_test2", b).listLvols().lvols());
      assertEquals(List.of(),
          storeByUuid("6579330a-4748-472c-a249-adce070ec15e", b).listLvols().lvols());
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
      new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).createLvol("LVOL0", 1 << 20);
      assertSameRequest(tree(b), rpc.sent().get(1).request());
    });
    CHECKS.put("bdev_lvol_create.response.json", b -> {
      Scripted rpc = new Scripted()
          .answer("bdev_lvol_get_lvstores", lvstoresAnswer("LVS0", "a9959197-b5e2-4f2d-8095-251ffb6985a5", 4 << 20))
          .answer("bdev_lvol_create", 1, b);
      Lvol lvol = new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).createLvol("LVOL0", 1);
      assertEquals(new Lvol("LVOL0", "1b38702c-7f0c-411e-a962-92c6a5a8a602", 4 << 20,
          LvolKind.HEAD, lvol.lvstore()), lvol); // 1 byte -> 1 MiB -> one 4 MiB cluster
    });
    CHECKS.put("bdev_lvol_delete.request.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_lvol_delete",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":true}");
      new SpdkLvolStore(rpc, rpc.codec(), "LVS0", null).deleteLvol("LVOL0");
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
      StoreRejectedException busyDelete = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_delete", errorAnswer(errors.get(1))));
      assertEquals(-32603, busyDelete.code());
      assertEquals("Device or resource busy", busyDelete.getMessage());
      StoreRejectedException busyCreate = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_create", errorAnswer(errors.get(2))));
      assertEquals(-32602, busyCreate.code());
      StoreRejectedException einval = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_create", errorAnswer(errors.get(3))));
      assertEquals(-22, einval.code());
      assertEquals(errors.get(3).message(), einval.getMessage());
      assertTrue(text.contains("timeout 1m0s waiting")); // why the default call timeout is 60 s
    });
    // ---- synthetic (constructed from SPDK/Longhorn source, see PROVENANCE.md) ----
    CHECKS.put("synthetic/bdev_get_bdevs.error.enodev.json", b -> {
      StoreRejectedException e = assertThrows(StoreRejectedException.class,
          () -> storeByName("test-disk", b).listLvols().lvols());
      assertEquals(-19, e.code());
      assertEquals("No such device", e.getMessage());
    });
    CHECKS.put("synthetic/bdev_get_bdevs.request.all.json", b -> {
      Scripted rpc = new Scripted().answer("bdev_get_bdevs",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}");
      new SpdkLvolStore(rpc, rpc.codec(), "test-disk", null).listLvols().lvols();
      assertSameRequest(tree(b), rpc.sent().get(0).request());
      assertFalse(rpc.sent().get(0).request().has("params"));
    });
    CHECKS.put("synthetic/bdev_get_bdevs.request.by-alias.json", b -> {
      Messages.BdevQuery q = codec().treeToValue(tree(b).get("params"), Messages.BdevQuery.class);
      assertEquals("test-disk/test-vol-7-replica-2", q.name());
    });
    CHECKS.put("synthetic/bdev_get_bdevs.response.longhorn-before-create.json", b -> {
      assertEquals(List.of("test-vol-7-replica-1"), names(storeByName("test-disk", b)));
      assertEquals(List.of("test-vol-7-replica-1"),
          names(storeByUuid("6579330a-4748-472c-a249-adce070ec15e", b)));
    });
    CHECKS.put("synthetic/bdev_get_bdevs.response.longhorn-after-create.json", b -> {
      List<Lvol> lvols = storeByName("test-disk", b).listLvols().lvols();
      assertEquals(List.of(
          new Lvol("test-vol-7-replica-1", "1f2e3d4c-5b6a-4789-8abc-def012345678",
              128000L * 4096, LvolKind.HEAD, lvols.get(0).lvstore()),
          new Lvol("test-vol-7-replica-2", "9a8b7c6d-5e4f-4321-8765-43210fedcba9",
              128000L * 4096, LvolKind.HEAD, lvols.get(0).lvstore())), lvols);
    });
    CHECKS.put("synthetic/bdev_get_bdevs.response.longhorn-snapshot-chain.json", b -> {
      List<Lvol> lvols = storeByName("test-disk", b).listLvols().lvols();
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
          .answer("bdev_lvol_get_lvstores", lvstoresAnswer("test-disk", "6579330a-4748-472c-a249-adce070ec15e", 1 << 20))
          .answer("bdev_lvol_create", "{\"jsonrpc\":\"2.0\",\"id\":1,"
              + "\"result\":\"9a8b7c6d-5e4f-4321-8765-43210fedcba9\"}");
      Lvol lvol = new SpdkLvolStore(rpc, rpc.codec(), null, "6579330a-4748-472c-a249-adce070ec15e")
          .createLvol("test-vol-7-replica-2", 500L * (1 << 20) - 100);
      assertSameRequest(tree(b), rpc.sent().get(1).request());
      assertEquals(500L << 20, lvol.sizeBytes());
    });
    CHECKS.put("synthetic/bdev_lvol_delete.error.enodev.json", b -> {
      LvolNotFoundException e = assertInstanceOf(LvolNotFoundException.class,
          failure("bdev_lvol_delete", b));
      assertEquals(-19, e.code());
    });
    CHECKS.put("synthetic/bdev_lvol_get_lvstores.error.enodev.json", b -> {
      StoreRejectedException e = assertInstanceOf(StoreRejectedException.class,
          failure("bdev_lvol_get_lvstores", b));
      assertEquals(-19, e.code());
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
    try (TargetFixture f = TargetFixture.start()) {
      f.target().store().putLvol("r1", 4 << 20);
      JsonNode bdevs = f.client().call("bdev_get_bdevs", null);
      JsonNode base = bdevs.get(0);
      JsonNode lvol = bdevs.get(1);
      assertTrue(fieldNames(base).containsAll(fieldNames(sample.get(0))));
      assertTrue(fieldNames(lvol).containsAll(fieldNames(sample.get(1))));
      assertTrue(fieldNames(lvol.get("driver_specific").get("lvol"))
          .containsAll(fieldNames(sample.get(1).get("driver_specific").get("lvol"))));
      JsonNode lvs = f.client().call("bdev_lvol_get_lvstores", null).get(0);
      assertTrue(fieldNames(lvs).containsAll(fieldNames(lvsSample)));
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

  private static SpdkLvolStore storeByName(String lvs, byte[] listing) throws IOException {
    long id = tree(listing).get("id").asLong();
    Scripted rpc = new Scripted().answer("bdev_get_bdevs", id, listing);
    return new SpdkLvolStore(rpc, rpc.codec(), lvs, null);
  }

  private static SpdkLvolStore storeByUuid(String uuid, byte[] listing) throws IOException {
    long id = tree(listing).get("id").asLong();
    Scripted rpc = new Scripted().answer("bdev_get_bdevs", id, listing);
    return new SpdkLvolStore(rpc, rpc.codec(), null, uuid);
  }

  private static List<String> names(SpdkLvolStore store) throws StoreException {
    return store.listLvols().lvols().stream().map(Lvol::name).collect(Collectors.toList());
  }

  /** What the store call that uses {@code method} throws when answered with {@code response}. */
  static StoreException failure(String method, byte[] response) throws IOException {
    long id = tree(response).get("id").asLong();
    Scripted rpc = new Scripted()
        .answer("bdev_lvol_get_lvstores", lvstoresAnswer("test-disk", "6579330a-4748-472c-a249-adce070ec15e", 1 << 20))
        .answer(method, id, response);
    SpdkLvolStore store = new SpdkLvolStore(rpc, rpc.codec(), "test-disk", null);
    return assertThrows(StoreException.class, () -> {
      switch (method) {
        case "bdev_lvol_create" -> store.createLvol("r1", 1 << 20);
        case "bdev_lvol_delete" -> store.deleteLvol("r1");
        case "bdev_get_bdevs" -> store.listLvols().lvols();
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
    JsonFramer framer = new JsonFramer(rest.length, 64);
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < rest.length && frames.isEmpty(); i++) {
      framer.feed(rest, i, 1, frames::add);
    }
    assertNotNull(frames.isEmpty() ? null : frames.get(0), "no complete object after " + marker);
    return new String(frames.get(0), StandardCharsets.UTF_8);
  }
}
