package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Bad-input fuzz target: whatever bytes the server sends back, every store call ends in a value
 * or a {@link StoreException}, never an unchecked exception, and the reader's buffer stays within
 * the message limit.
 *
 * <p>Each input is served, as the complete byte stream of a connection, in answer to the first
 * request (id 1) of each of the four store calls; then the connection ends. The lvol store is
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

  @FuzzTest(maxDuration = "30s")
  void hostileResponses(byte[] data) throws Exception {
    checkFramerIsChunkInvariant(data);
    boolean byName = data.length % 2 == 0; // lvol store named by name or by UUID
    for (int op = 0; op < 4; op++) {
      SpdkLvolStore store = new SpdkLvolStore(servedBy(data, op == 3), CODEC,
          byName ? JsonRpcTestTarget.LVS_NAME : null, byName ? null : JsonRpcTestTarget.LVS_UUID);
      try {
        switch (op) {
          case 0 -> {
            for (Lvol lvol : store.listLvols().lvols()) {
              assertTrue(lvol.sizeBytes() >= 0 && !lvol.name().contains("/"), lvol::toString);
            }
          }
          case 1 -> assertEquals("r1", store.createLvol("r1", 5_000_000).name());
          case 2 -> store.deleteLvol("r1");
          default -> store.lvstore();
        }
      } catch (StoreException expected) {
        // a typed failure is the right answer to a bad response
      }
    }
  }

  /**
   * An {@link RpcCaller} that answers every call with {@code data}, through a fresh {@link
   * ResponseDispatcher}, as the whole content of a connection. The lvol store lookup that create
   * and delete make first gets a good answer unless {@code fuzzLvstores}.
   */
  static RpcCaller servedBy(byte[] data, boolean fuzzLvstores) {
    return (method, params) -> {
      CODEC.writeRequest(1, method, params); // the request must encode
      byte[] answer =
          method.equals("bdev_lvol_get_lvstores") && !fuzzLvstores ? LVSTORES_ANSWER : data;
      return Scripted.serve(CODEC, LIMITS, answer, method, 1);
    };
  }

  /** Framing a stream whole or byte by byte gives the same frames and the same verdict. */
  private static void checkFramerIsChunkInvariant(byte[] data) {
    List<byte[]> whole = new ArrayList<>();
    List<byte[]> bytewise = new ArrayList<>();
    String wholeError = frame(data, data.length, whole);
    String bytewiseError = frame(data, 1, bytewise);
    assertEquals(wholeError, bytewiseError);
    assertEquals(whole.size(), bytewise.size());
    for (int i = 0; i < whole.size(); i++) {
      assertArrayEquals(whole.get(i), bytewise.get(i));
      assertTrue(whole.get(i).length <= LIMITS.maxMessageBytes());
    }
  }

  private static String frame(byte[] data, int chunk, List<byte[]> out) {
    JsonFramer f = new JsonFramer(LIMITS.maxMessageBytes(), LIMITS.maxNestingDepth());
    try {
      for (int i = 0; i < data.length; i += Math.max(1, chunk)) {
        f.feed(data, i, Math.min(Math.max(1, chunk), data.length - i), out::add);
      }
      return null;
    } catch (JsonFramer.FramingException e) {
      return e.getMessage();
    }
  }

}
