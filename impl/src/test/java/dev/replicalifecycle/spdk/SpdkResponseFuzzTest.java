package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Bad-input fuzz target: whatever bytes the server sends back, every store call ends in a value
 * or a {@link StoreException}, never an unchecked exception, and the reader's buffer stays within
 * the message limit.
 *
 * <p>Each input is served, as the complete byte stream of a connection, in answer to the first
 * request (id 1) of each SPDK method a store call uses, one method at a time (the others get good
 * answers): {@code bdev_get_bdevs}, {@code bdev_lvol_get_lvstores} and {@code
 * bdev_wait_for_examine} of a listing, {@code bdev_lvol_create}, {@code bdev_lvol_delete}, and
 * {@code bdev_lvol_get_lvstores} of {@code lvstore()}; then the connection ends. A listing that
 * succeeds is checked: only lvols of the configured lvol store, sizes not negative, names
 * without {@code /} and unique, never covered by a fresh store's first listing. The lvol store is
 * named by name for inputs of even length, by UUID for odd ones. The path is the
 * production one from the bytes up: framing, Jackson under its limits, id matching, envelope and
 * error-object checks, result decoding and error mapping. Only the socket is left out (so that
 * the fuzzer runs thousands of inputs a second); the socket path is covered by {@link
 * HostileResponsesTest}.
 *
 * <p>Seeds (in {@code SpdkResponseFuzzTestInputs/hostileResponses/}) are the real and synthetic
 * SPDK responses of {@code spdk-samples/} plus hand-written hostile ones; in a plain {@code mvn
 * verify} they are replayed as regression tests, and the {@code fuzz-spdk} surefire execution
 * fuzzes for 30 s.
 */
class SpdkResponseFuzzTest {

  /** Small limits, so that inputs of libFuzzer's usual length can exceed them. */
  static final Limits LIMITS = new Limits(3000, 16, 1024, 32, 256, 16);

  private static final JsonCodec CODEC = new JsonCodec(LIMITS);

  private static final byte[] LVSTORES_ANSWER =
      ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"uuid\":\"" + JsonRpcTestTarget.LVS_UUID
              + "\",\"base_bdev\":\"aio-test-disk\",\"free_clusters\":31,\"cluster_size\":4194304,"
              + "\"total_data_clusters\":31,\"block_size\":4096,\"name\":\""
              + JsonRpcTestTarget.LVS_NAME + "\"}]}")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] EXAMINED =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":true}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_BDEVS =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}".getBytes(StandardCharsets.UTF_8);

  private static final String LIST = "bdev_get_bdevs";
  private static final String LVSTORES = "bdev_lvol_get_lvstores";
  private static final String WAIT = "bdev_wait_for_examine";
  private static final String CREATE = "bdev_lvol_create";
  private static final String DELETE = "bdev_lvol_delete";

  @FuzzTest(maxDuration = "30s")
  void hostileResponses(byte[] data) throws Exception {
    checkFramerIsChunkInvariant(data);
    boolean byName = data.length % 2 == 0; // lvol store named by name or by UUID
    String[] fuzzed = {LIST, LVSTORES, WAIT, CREATE, DELETE, "lvstore()"};
    for (String method : fuzzed) {
      SpdkLvolStore store = new SpdkLvolStore(servedBy(data, method.equals("lvstore()")
              ? LVSTORES : method), CODEC,
          byName ? JsonRpcTestTarget.LVS_NAME : null, byName ? null : JsonRpcTestTarget.LVS_UUID);
      try {
        switch (method) {
          case LIST, LVSTORES, WAIT -> {
            LvolListing first = store.listLvols();
            checkListing(first);
            assertFalse(first.missingLvstores().isEmpty(), "a first listing covered");
            LvolListing second = store.listLvols(); // the same answers again: now covered
            checkListing(second);
            assertEquals(first.lvols(), second.lvols());
            assertEquals(first.unreadable(), second.unreadable());
            // covered now, unless SPDK does not list the lvol store at all
            if (!second.missingLvstores().isEmpty()) {
              assertEquals(first.missingLvstores(), second.missingLvstores());
              assertTrue(second.lvols().isEmpty() && second.unreadable().isEmpty());
            }
          }
          case CREATE -> {
            Lvol lvol = store.createLvol("r1", 5_000_000);
            assertEquals("r1", lvol.name());
            assertEquals(JsonRpcTestTarget.LVS_UUID, lvol.lvstore());
          }
          case DELETE -> store.deleteLvol("r1");
          default -> store.lvstore();
        }
      } catch (StoreException expected) {
        // a typed failure is the right answer to a bad response
      }
    }
  }

  /** What every listing must be, whatever SPDK sent. */
  private static void checkListing(LvolListing listing) {
    Set<String> names = new HashSet<>();
    for (Lvol lvol : listing.lvols()) {
      assertTrue(lvol.sizeBytes() >= 0 && !lvol.name().contains("/") && !lvol.name().isEmpty(),
          lvol::toString);
      assertEquals(JsonRpcTestTarget.LVS_UUID, lvol.lvstore(), lvol::toString);
      assertTrue(names.add(lvol.name()), () -> "listed twice: " + lvol);
    }
    for (LvolListing.Unreadable u : listing.unreadable()) {
      assertTrue(u.lvstore() == null || u.lvstore().equals(JsonRpcTestTarget.LVS_UUID),
          u::toString);
      assertTrue(u.names().stream().noneMatch(n -> n.contains("/") || names.contains(n)),
          u::toString);
    }
    assertTrue(listing.missingLvstores().size() <= 1, listing::toString);
  }

  /**
   * An {@link RpcCaller} that answers calls of {@code fuzzed} with {@code data}, through a fresh
   * {@link ResponseDispatcher}, as the whole content of a connection; every other method gets a
   * good answer (examine done, the test lvol store, no bdevs).
   */
  static RpcCaller servedBy(byte[] data, String fuzzed) {
    return (method, params) -> {
      CODEC.writeRequest(1, method, params); // the request must encode
      byte[] answer = method.equals(fuzzed) ? data
          : switch (method) {
            case LVSTORES -> LVSTORES_ANSWER;
            case WAIT -> EXAMINED;
            case LIST -> NO_BDEVS;
            default -> data;
          };
      return Scripted.serve(CODEC, LIMITS, answer, method, 1);
    };
  }

  /** Reading a stream whole or byte by byte gives the same messages and the same verdict. */
  private static void checkFramerIsChunkInvariant(byte[] data) {
    List<JsonNode> whole = new ArrayList<>();
    List<JsonNode> bytewise = new ArrayList<>();
    boolean wholeBroken = read(data, data.length, whole);
    boolean bytewiseBroken = read(data, 1, bytewise);
    assertEquals(wholeBroken, bytewiseBroken);
    assertEquals(whole, bytewise);
  }

  /** Reads {@code data} in chunks; whether the stream broke a rule. */
  private static boolean read(byte[] data, int chunk, List<JsonNode> out) {
    JsonMessageReader r = new JsonMessageReader(CODEC, LIMITS);
    try {
      for (int i = 0; i < data.length; i += Math.max(1, chunk)) {
        r.feed(data, i, Math.min(Math.max(1, chunk), data.length - i), out::add);
        assertTrue(r.bufferedBytes() <= LIMITS.maxMessageBytes());
      }
      return false;
    } catch (JsonMessageReader.Violation e) {
      return true;
    } catch (JsonRpcException e) {
      throw new AssertionError("the sink does not throw", e);
    }
  }
}
