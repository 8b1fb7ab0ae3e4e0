package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stream reader: the same messages and verdict however the bytes are cut. */
class JsonMessageReaderTest {

  private static final Limits LIMITS = new Limits(200, 8, 100, 20, 50, 16);
  private static final JsonCodec CODEC = new JsonCodec(LIMITS);

  /** Reads {@code text} cut at {@code cuts}; the messages, then "!" if the stream broke. */
  private static List<String> read(String text, int... cuts) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    JsonMessageReader r = new JsonMessageReader(CODEC, LIMITS);
    List<String> out = new ArrayList<>();
    int from = 0;
    try {
      for (int i = 0; i <= cuts.length; i++) {
        int to = i < cuts.length ? cuts[i] : b.length;
        r.feed(b, from, to - from, m -> out.add(m.toString()));
        assertTrue(r.bufferedBytes() <= LIMITS.maxMessageBytes());
        from = to;
      }
    } catch (JsonMessageReader.Violation e) {
      out.add("!");
    } catch (JsonRpcException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /**
   * Each input cut in two at every place, and byte by byte, reads as it does whole. Among them
   * the inputs Jackson's non-blocking parser accepts when a '}' comes in a later chunk than the
   * ':' or ',' before it (found by SpdkResponseFuzzTest, seed crash-3075...).
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"id\":}", "{\"a\":1,}", "{\"a\":{\"b\":}}", "{\"a\":{},}", "{\"a\":1 , }",
      "{\"a\":[1,]}", "{,}", "{\"a\" }", "{\"a\":1}}", "{\"a\":1}{\"b\":2}",
      "{\"a\":1}\n  {\"b\":[1, 2 ,{ }]}\n", "{\"a\":\"x,:}\"}", "{\"a\":1} , {\"b\":2}",
      "{\"a\":1,\"a\":2}", "[1]", "7", "{\"a\":tru}", "\u0000{}"})
  void cuttingTheStreamChangesNothing(String text) {
    List<String> whole = read(text);
    int n = text.getBytes(StandardCharsets.UTF_8).length;
    for (int cut = 0; cut <= n; cut++) {
      assertEquals(whole, read(text, cut), "cut at " + cut);
    }
    int[] every = new int[Math.max(0, n - 1)];
    for (int i = 0; i < every.length; i++) {
      every[i] = i + 1;
    }
    assertEquals(whole, read(text, every), "byte by byte");
  }

  @Test
  void messagesBackToBackAndBrokenOnes() {
    assertEquals(List.of("{\"a\":1}", "{\"b\":[1,2,{}]}"),
        read("{\"a\":1}\n  {\"b\":[1, 2 ,{ }]}\n"));
    assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), read("{\"a\":1}{\"b\":2}"));
    assertEquals(List.of("!"), read("{\"id\":}"));
    assertEquals(List.of("!"), read("{\"a\":1,}", 7));
    assertEquals(List.of("!"), read("[1]"));
    assertEquals(List.of("{\"a\":1}", "!"), read("{\"a\":1}7 "));
    assertEquals(List.of("!"), read("{\"a\":1,\"a\":2}"));
  }

  @Test
  void limitsAreMessageByMessage() {
    String msg = "{\"a\":\"" + "x".repeat(90) + "\"}\n"; // ~100 bytes
    // many messages under the limit: the limit is per message, not per stream
    assertEquals(20, read(msg.repeat(20)).size());
    assertEquals(List.of("!"), read("{\"a\":[" + "1,".repeat(150) + "1]}"));
    assertEquals(List.of("!"), read("{\"a\":[" + "1,".repeat(150) + "1]}", 50, 100, 150));
    assertEquals(List.of("!"), read("{\"a\":" + "[".repeat(9) + "]".repeat(9) + "}"));
    assertEquals(List.of("!"), read("{\"a\":\"" + "x".repeat(101) + "\"}"));
    assertEquals(List.of("!"), read("{\"" + "k".repeat(51) + "\":1}"));
    assertEquals(List.of("!"), read("{\"a\":" + "9".repeat(21) + "}"));
    assertEquals(1, read("{\"a\":\"" + "x".repeat(100) + "\",\"" + "k".repeat(50) + "\":"
        + "9".repeat(20) + "}").size());
    // a comma followed by endless whitespace is held back, and counted
    assertEquals(List.of("!"), read("{\"a\":1," + " ".repeat(300), 8, 100, 200));
  }

  @Test
  void midMessageIsTrueOnlyInsideAMessage() throws Exception {
    JsonMessageReader r = new JsonMessageReader(CODEC, LIMITS);
    byte[] b = "{\"a\":1}\n{\"b\":".getBytes(StandardCharsets.UTF_8);
    List<JsonNode> out = new ArrayList<>();
    r.feed(b, 0, 8, out::add);
    assertFalse(r.midMessage());
    r.feed(b, 8, b.length - 8, out::add);
    assertTrue(r.midMessage());
    assertEquals(1, out.size());
    r.feed(new byte[] {'1', '}'}, 0, 2, out::add);
    assertFalse(r.midMessage());
    assertEquals(2, out.size());
    // after a violation, nothing more is read
    JsonMessageReader broken = new JsonMessageReader(CODEC, LIMITS);
    byte[] bad = "]{}".getBytes(StandardCharsets.UTF_8);
    assertThrows(JsonMessageReader.Violation.class, () -> broken.feed(bad, 0, 1, out::add));
    assertThrows(JsonMessageReader.Violation.class, () -> broken.feed(bad, 1, 2, out::add));
    assertEquals(2, out.size());
  }
}
