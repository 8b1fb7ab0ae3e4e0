package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Action;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Fault;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreProtocolException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile answers over a real socket.
 *
 * <p>A hostile answer as a whole (bad envelope, limits exceeded, a result of the wrong shape,
 * an unreadable entry of the configured lvol store in {@code bdev_lvol_get_lvstores}) gives a
 * {@link StoreUnavailableException} whose cause is a {@link JsonRpcException} of kind PROTOCOL
 * (UNAVAILABLE when the server just closed the connection early), nothing changes in the backing
 * store, and the next call works (the client reconnects if it had to drop the connection).
 *
 * <p>A strange entry in a {@code bdev_get_bdevs} answer (fields of unexpected types, no or
 * several aliases in the lvol store, listed twice) does not fail the listing: it is reported in
 * {@link LvolListing#unreadable()} with the lvol names it could be, and the other lvols are
 * listed.
 */
@Timeout(30)
class HostileResponsesTest {

  private static final String LVOL =
      "{\"name\":\"u1\",\"aliases\":[\"test-disk/a\"],\"product_name\":\"Logical Volume\","
          + "\"block_size\":4096,\"num_blocks\":1,\"uuid\":\"u1\","
          + "\"driver_specific\":{\"lvol\":{\"lvol_store_uuid\":\"" + JsonRpcTestTarget.LVS_UUID
          + "\"}}}";

  private static final String LVSTORE =
      "{\"uuid\":\"" + JsonRpcTestTarget.LVS_UUID + "\",\"name\":\"test-disk\","
          + "\"base_bdev\":\"aio-test-disk\",\"total_data_clusters\":31,\"free_clusters\":31,"
          + "\"block_size\":4096,\"cluster_size\":4194304}";

  private static TargetFixture f;
  /** The backing store's lvols, and as the store lists them. */
  private static List<Lvol> backingBefore;
  private static List<Lvol> before;

  @BeforeAll
  static void start() throws Exception {
    f = TargetFixture.start(b -> b.maxMessageBytes(1 << 20).maxStringLength(10_000));
    f.store().createLvol("keep", 1 << 20);
    backingBefore = f.target().store().lvols();
    before = f.store().listLvols().lvols();
    assertEquals(List.of("keep"), before.stream().map(Lvol::name).collect(Collectors.toList()));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  static Stream<Arguments> hostile() {
    String env = "{\"jsonrpc\":\"2.0\",\"id\":$ID,";
    return Stream.of(
        // envelope
        // cut off by the server: the connection broke, no protocol violation seen
        Arguments.of("truncated JSON, then closed", "list",
            Fault.rawThenClose(env + "\"result\":[{\"na")),
        Arguments.of("not JSON", "list", Fault.raw("HTTP/1.1 400 Bad Request\r\n\r\n")),
        Arguments.of("only whitespace, then closed", "list", Fault.rawThenClose(" \n ")),
        Arguments.of("syntax error in a frame", "list", Fault.raw(env + "\"result\":[1,]}")),
        Arguments.of("missing result and error", "list", Fault.raw(env + "\"x\":1}")),
        Arguments.of("both result and error", "delete",
            Fault.raw(env + "\"result\":true,\"error\":{\"code\":-19,\"message\":\"x\"}}")),
        Arguments.of("wrong jsonrpc version", "list", Fault.raw(
            "{\"jsonrpc\":\"1.0\",\"id\":$ID,\"result\":[]}")),
        Arguments.of("no jsonrpc member", "list", Fault.raw("{\"id\":$ID,\"result\":[]}")),
        Arguments.of("unknown id", "list", Fault.raw(
            "{\"jsonrpc\":\"2.0\",\"id\":987654321,\"result\":[]}")),
        Arguments.of("null id", "list", Fault.raw(
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}")),
        Arguments.of("string id", "list", Fault.raw(
            "{\"jsonrpc\":\"2.0\",\"id\":\"$ID\",\"result\":[]}")),
        Arguments.of("duplicate key", "list", Fault.raw(
            "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"id\":$ID,\"result\":[]}")),
        Arguments.of("error code as string", "create", Fault.raw(
            env + "\"error\":{\"code\":\"-17\",\"message\":\"File exists\"}}")),
        Arguments.of("error code float", "create", Fault.raw(
            env + "\"error\":{\"code\":-17.5,\"message\":\"File exists\"}}")),
        Arguments.of("error code beyond int", "create", Fault.raw(
            env + "\"error\":{\"code\":99999999999,\"message\":\"x\"}}")),
        Arguments.of("error message missing", "create", Fault.raw(
            env + "\"error\":{\"code\":-17}}")),
        Arguments.of("error is a string", "create", Fault.raw(env + "\"error\":\"boom\"}")),
        Arguments.of("deep nesting", "list", Fault.rawThenClose(
            env + "\"result\":" + "[".repeat(5000) + "]".repeat(5000) + "}")),
        Arguments.of("huge string", "list", Fault.raw(
            env + "\"result\":[\"" + "s".repeat(20_000) + "\"]}")),
        Arguments.of("huge message", "list", Fault.rawThenClose(
            env + "\"result\":[" + "1,".repeat(600_000) + "1]}")),
        Arguments.of("number too long", "list", Fault.raw(
            env + "\"result\":[" + "9".repeat(200) + "]}")),
        // results of the wrong shape
        Arguments.of("list result not an array", "list", Fault.raw(env + "\"result\":{}}")),
        Arguments.of("list result null", "list", Fault.raw(env + "\"result\":null}")),
        Arguments.of("list result an lvol, not a list", "list", Fault.raw(
            env + "\"result\":" + LVOL + "}")),
        // the other two calls of a listing
        Arguments.of("wait for examine: garbage", "list-wait", Fault.of(Action.GARBAGE)),
        Arguments.of("wait for examine: neither result nor error", "list-wait",
            Fault.raw(env + "\"x\":true}")),
        Arguments.of("listing's lvstores: result not an array", "list-lvstores",
            Fault.raw(env + "\"result\":{}}")),
        Arguments.of("listing's lvstores: entry not an object", "list-lvstores",
            Fault.raw(env + "\"result\":[1]}")),
        Arguments.of("listing's lvstores: ours without cluster_size", "list-lvstores", Fault.raw(
            env + "\"result\":[" + LVSTORE.replace(",\"cluster_size\":4194304", "") + "]}")),
        Arguments.of("listing's lvstores: ours with cluster_size as string", "list-lvstores",
            Fault.raw(env + "\"result\":[" + LVSTORE.replace("4194304", "\"4194304\"") + "]}")),
        Arguments.of("listing's lvstores: ours with uuid as number", "list-lvstores", Fault.raw(
            env + "\"result\":[" + LVSTORE.replace("\"" + JsonRpcTestTarget.LVS_UUID + "\"", "7")
                + "]}")),
        Arguments.of("listing's lvstores: ours twice, two UUIDs", "list-lvstores", Fault.raw(
            env + "\"result\":[" + LVSTORE + "," + LVSTORE.replace(JsonRpcTestTarget.LVS_UUID,
                JsonRpcTestTarget.FOREIGN_LVS_UUID) + "]}")),
        Arguments.of("create result not a UUID", "create", Fault.raw(env + "\"result\":42}")),
        Arguments.of("create result null", "create", Fault.raw(env + "\"result\":null}")),
        Arguments.of("delete result false", "delete", Fault.raw(env + "\"result\":false}")),
        Arguments.of("lvstores result empty", "lvstore", Fault.raw(env + "\"result\":[]}")),
        Arguments.of("lvstores cluster_size 0", "lvstore", Fault.raw(env
            + "\"result\":[{\"name\":\"test-disk\",\"uuid\":\"" + JsonRpcTestTarget.LVS_UUID
            + "\",\"cluster_size\":0,\"block_size\":4096}]}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void aHostileAnswerIsATypedErrorAndChangesNothing(String what, String op, Fault fault)
      throws Exception {
    String method = switch (op) {
      case "list" -> "bdev_get_bdevs";
      case "list-wait" -> "bdev_wait_for_examine";
      case "list-lvstores" -> "bdev_lvol_get_lvstores";
      case "create" -> "bdev_lvol_create";
      case "delete" -> "bdev_lvol_delete";
      default -> "bdev_lvol_get_lvstores";
    };
    f.store().lvstore(); // cached, so that create and delete make exactly one call
    f.target().inject(method, fault);
    StoreException e = assertThrows(StoreException.class, () -> {
      switch (op) {
        case "list", "list-wait", "list-lvstores" -> f.store().listLvols();
        case "create" -> f.store().createLvol("new", 1 << 20);
        case "delete" -> f.store().deleteLvol("keep");
        default -> f.store().lvstore();
      }
    });
    // cut off by a close: SPDK went away; anything else: SPDK answered something malformed
    boolean closed = what.endsWith("then closed");
    Class<? extends StoreException> type =
        closed ? StoreUnavailableException.class : StoreProtocolException.class;
    assertEquals(type, e.getClass(), what);
    assertFalse(e.outcomeKnown());
    JsonRpcException cause = assertInstanceOf(JsonRpcException.class, e.getCause());
    JsonRpcException.Kind expected = closed
        ? JsonRpcException.Kind.UNAVAILABLE
        : JsonRpcException.Kind.PROTOCOL;
    assertEquals(expected, cause.kind(), cause::getMessage);
    assertEquals(backingBefore, f.target().store().lvols());
    // the client recovers: the next call works (on the same or a new connection)
    List<Lvol> now = null;
    for (int i = 0; i < 3 && now == null; i++) {
      try {
        now = f.store().listLvols().lvols();
      } catch (StoreUnavailableException | StoreProtocolException again) {
        Thread.sleep(20);
      }
    }
    assertEquals(before, now);
    assertTrue(f.client().pendingCount() == 0);
  }

  /** Makes an lvol entry; returns it as the only entry (or entries) the target sends for it. */
  private interface Change {
    List<JsonNode> apply(ObjectNode entry);
  }

  private static Change put(String pointer, String field, JsonNode value) {
    return b -> {
      ((ObjectNode) b.at(pointer)).set(field, value);
      return List.of(b);
    };
  }

  private static final JsonNodeFactory N = JsonNodeFactory.instance;

  static Stream<Arguments> strangeEntries() {
    String lvs = JsonRpcTestTarget.LVS_UUID;
    return Stream.of(
        // name, change to the entry of lvol "a", expected unreadable: lvol store, names
        Arguments.of("num_blocks as string", put("", "num_blocks", N.textNode("1")), lvs,
            Set.of("a")),
        Arguments.of("num_blocks float", put("", "num_blocks", N.numberNode(1.5)), lvs,
            Set.of("a")),
        Arguments.of("num_blocks negative", put("", "num_blocks", N.numberNode(-1)), lvs,
            Set.of("a")),
        Arguments.of("size overflows", put("", "num_blocks", N.numberNode(Long.MAX_VALUE)), lvs,
            Set.of("a")),
        Arguments.of("block_size 0", put("", "block_size", N.numberNode(0)), lvs, Set.of("a")),
        Arguments.of("uuid a number", put("", "uuid", N.numberNode(7)), lvs, Set.of("a")),
        Arguments.of("no uuid and no name", (Change) b -> {
          b.remove("uuid");
          b.remove("name");
          return List.of(b);
        }, lvs, Set.of("a")),
        Arguments.of("snapshot a string", put("/driver_specific/lvol", "snapshot",
            N.textNode("yes")), lvs, Set.of("a")),
        Arguments.of("two aliases", put("", "aliases",
            N.arrayNode().add("test-disk/a").add("test-disk/b")), lvs, Set.of("a", "b")),
        Arguments.of("an alias as a number beside ours", put("", "aliases",
            N.arrayNode().add("test-disk/a").add(7)), lvs, Set.of("a")),
        Arguments.of("listed twice", (Change) b -> List.of(b, b.deepCopy()), lvs, Set.of("a")),
        // the lvol names it could be cannot be read: it could be any lvol of the lvol store
        Arguments.of("aliases not an array", put("", "aliases", N.textNode("test-disk/a")), lvs,
            Set.of()),
        Arguments.of("alias with two slashes", put("", "aliases",
            N.arrayNode().add("test-disk/a/b")), lvs, Set.of()),
        Arguments.of("null alias", put("", "aliases", N.arrayNode().addNull()), lvs, Set.of()),
        Arguments.of("no aliases", put("", "aliases", N.arrayNode()), lvs, Set.of()),
        // its lvol store cannot be read: it could be an lvol of any lvol store
        Arguments.of("lvol info not an object", put("/driver_specific", "lvol", N.numberNode(7)),
            null, Set.of("a")),
        Arguments.of("lvol_store_uuid a number", put("/driver_specific/lvol", "lvol_store_uuid",
            N.numberNode(7)), null, Set.of("a")),
        Arguments.of("driver_specific not an object", put("", "driver_specific",
            N.textNode("lvol")), null, Set.of("a")),
        Arguments.of("no product_name, no driver_specific", (Change) b -> {
          b.remove("product_name");
          b.remove("driver_specific");
          return List.of(b);
        }, null, Set.of("a")),
        Arguments.of("product_name a number", put("", "product_name", N.numberNode(7)), lvs,
            Set.of("a")),
        Arguments.of("entry not an object", (Change) b -> List.of(N.numberNode(1)), null,
            Set.of()),
        Arguments.of("entry null", (Change) b -> List.of(N.nullNode()), null, Set.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strangeEntries")
  void aStrangeEntryIsReportedAndTheRestIsListed(String what, Change change, String lvstore,
      Set<String> names) throws Exception {
    f.store().createLvol("a", 1 << 20);
    try {
      f.target().alterEntry("a", change::apply);
      LvolListing listing = f.store().listLvols();
      assertEquals(before, listing.lvols(), what); // "keep" still listed, "a" not
      assertEquals(1, listing.unreadable().size(), listing::toString);
      LvolListing.Unreadable u = listing.unreadable().get(0);
      assertEquals(lvstore, u.lvstore(), u::toString);
      assertEquals(names, u.names(), u::toString);
      assertFalse(u.reason().isEmpty());
      // absence is proven for no name it could be, and for every other name of a known store
      assertFalse(listing.certainAbout("a", JsonRpcTestTarget.LVS_UUID));
      assertEquals(!names.isEmpty(), listing.certainAbout("nope", JsonRpcTestTarget.LVS_UUID));
      assertEquals(lvstore != null || !names.isEmpty(),
          listing.certainAbout("nope", JsonRpcTestTarget.FOREIGN_LVS_UUID));
      // and it is the same entry when the lvol is looked up by name
      if (names.contains("a") && !what.equals("listed twice")) {
        StoreProtocolException e =
            assertThrows(StoreProtocolException.class, () -> f.store().findLvol("a"));
        assertEquals(JsonRpcException.Kind.PROTOCOL,
            assertInstanceOf(JsonRpcException.class, e.getCause()).kind());
      }
    } finally {
      f.target().clearAlterations();
      f.store().deleteLvol("a");
    }
  }

  static Stream<Arguments> foreignEntries() {
    return Stream.of(
        Arguments.of("in another lvol store, lvol_store_uuid a number", (Change) b -> {
          b.set("aliases", N.arrayNode().add("disk-2/a"));
          ((ObjectNode) b.at("/driver_specific/lvol")).put("lvol_store_uuid", 7);
          return List.of(b);
        }),
        Arguments.of("another kind of bdev with lvol fields", (Change) b ->
            List.of(b.put("product_name", "Malloc disk").put("num_blocks", "many"))),
        Arguments.of("in another lvol store, num_blocks as string", (Change) b -> {
          b.set("aliases", N.arrayNode().add("disk-2/a"));
          ((ObjectNode) b.at("/driver_specific/lvol"))
              .put("lvol_store_uuid", JsonRpcTestTarget.FOREIGN_LVS_UUID);
          return List.of(b.put("num_blocks", "many"));
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foreignEntries")
  void aStrangeEntryReadablyNotOursIsSkipped(String what, Change change) throws Exception {
    f.store().createLvol("a", 1 << 20);
    try {
      f.target().alterEntry("a", change::apply);
      LvolListing listing = f.store().listLvols();
      assertEquals(before, listing.lvols(), what);
      assertEquals(List.of(), listing.unreadable(), what);
    } finally {
      f.target().clearAlterations();
      f.store().deleteLvol("a");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foreignLvstores")
  void aStrangeEntryOfAnotherLvstoreDoesNotFailTheListing(String what, String other)
      throws Exception {
    String env = "{\"jsonrpc\":\"2.0\",\"id\":$ID,";
    f.store().listLvols();
    f.target().inject("bdev_lvol_get_lvstores",
        Fault.raw(env + "\"result\":[" + other + "," + LVSTORE + "]}"));
    LvolListing listing = f.store().listLvols();
    assertEquals(before, listing.lvols(), what);
    assertTrue(listing.isComplete(), listing::toString);
  }

  static Stream<Arguments> foreignLvstores() {
    String other = LVSTORE.replace(JsonRpcTestTarget.LVS_UUID, JsonRpcTestTarget.FOREIGN_LVS_UUID)
        .replace("test-disk", "disk-2");
    return Stream.of(
        Arguments.of("cluster_size as string", other.replace("4194304", "\"big\"")),
        Arguments.of("block_size missing", other.replace("\"block_size\":4096,", "")),
        Arguments.of("free_clusters negative float", other.replace("\"free_clusters\":31",
            "\"free_clusters\":-0.5")));
  }
}
