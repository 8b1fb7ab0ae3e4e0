package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.spdk.JsonRpcTestTarget.Fault;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile answers over a real socket: each one gives a {@link StoreUnavailableException} whose
 * cause is a {@link JsonRpcException} of kind PROTOCOL (UNAVAILABLE when the server just closed
 * the connection early), nothing changes in the backing store, and the next call works (the
 * client reconnects if it had to drop the connection).
 */
@Timeout(30)
class HostileResponsesTest {

  private static final String LVOL =
      "{\"name\":\"u1\",\"aliases\":[\"test-disk/a\"],\"product_name\":\"Logical Volume\","
          + "\"block_size\":4096,\"num_blocks\":1,\"uuid\":\"u1\","
          + "\"driver_specific\":{\"lvol\":{\"lvol_store_uuid\":\"" + JsonRpcTestTarget.LVS_UUID
          + "\"}}}";

  private static TargetFixture f;
  private static List<Lvol> before;

  @BeforeAll
  static void start() throws Exception {
    f = TargetFixture.start(b -> b.maxMessageBytes(1 << 20).maxStringLength(10_000));
    f.store().createLvol("keep", 1 << 20);
    before = f.target().store().lvols();
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
        Arguments.of("list entry not an object", "list", Fault.raw(env + "\"result\":[1]}")),
        Arguments.of("num_blocks as string", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("\"num_blocks\":1", "\"num_blocks\":\"1\"") + "]}")),
        Arguments.of("num_blocks float", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("\"num_blocks\":1", "\"num_blocks\":1.5") + "]}")),
        Arguments.of("num_blocks negative", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("\"num_blocks\":1", "\"num_blocks\":-1") + "]}")),
        Arguments.of("size overflows", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("\"num_blocks\":1",
                "\"num_blocks\":9223372036854775807") + "]}")),
        Arguments.of("aliases not an array", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("[\"test-disk/a\"]", "\"test-disk/a\"") + "]}")),
        Arguments.of("two aliases", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("[\"test-disk/a\"]",
                "[\"test-disk/a\",\"test-disk/b\"]") + "]}")),
        Arguments.of("alias with two slashes", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("test-disk/a", "test-disk/a/b") + "]}")),
        Arguments.of("null alias", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replace("[\"test-disk/a\"]", "[null]") + "]}")),
        Arguments.of("lvol listed twice", "list", Fault.raw(
            env + "\"result\":[" + LVOL + "," + LVOL + "]}")),
        Arguments.of("lvol info not an object", "list", Fault.raw(
            env + "\"result\":[" + LVOL.replaceAll("\"lvol\":\\{[^}]*\\}", "\"lvol\":7") + "]}")),
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
      case "create" -> "bdev_lvol_create";
      case "delete" -> "bdev_lvol_delete";
      default -> "bdev_lvol_get_lvstores";
    };
    f.store().lvstore(); // cached, so that create and delete make exactly one call
    f.target().inject(method, fault);
    StoreException e = assertThrows(StoreException.class, () -> {
      switch (op) {
        case "list" -> f.store().listLvols().lvols();
        case "create" -> f.store().createLvol("new", 1 << 20);
        case "delete" -> f.store().deleteLvol("keep");
        default -> f.store().lvstore();
      }
    });
    StoreUnavailableException u = assertInstanceOf(StoreUnavailableException.class, e, what);
    JsonRpcException cause = assertInstanceOf(JsonRpcException.class, u.getCause());
    JsonRpcException.Kind expected = what.endsWith("then closed")
        ? JsonRpcException.Kind.UNAVAILABLE
        : JsonRpcException.Kind.PROTOCOL;
    assertEquals(expected, cause.kind(), cause::getMessage);
    assertEquals(before, f.target().store().lvols());
    // the client recovers: the next call works (on the same or a new connection)
    List<Lvol> now = null;
    for (int i = 0; i < 3 && now == null; i++) {
      try {
        now = f.store().listLvols().lvols();
      } catch (StoreUnavailableException again) {
        Thread.sleep(20);
      }
    }
    assertEquals(before, now);
    assertTrue(f.client().pendingCount() == 0);
  }
}
