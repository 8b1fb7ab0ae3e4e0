package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFramerTest {

  private static List<String> frames(String stream, int chunk, int max, int depth)
      throws JsonFramer.FramingException {
    byte[] b = stream.getBytes(StandardCharsets.UTF_8);
    JsonFramer f = new JsonFramer(max, depth);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < b.length; i += chunk) {
      f.feed(b, i, Math.min(chunk, b.length - i),
          fr -> out.add(new String(fr, StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void splitsConcatenatedObjectsWhateverTheChunking() throws Exception {
    String a = "{\"id\":1,\"result\":{\"x\":[1,{\"y\":\"}\"}]}}";
    String b = "{\"id\":2,\"result\":\"a \\\"quoted\\\" {brace\\\\\"}";
    String c = "{\"id\":3,\"result\":\"ünïcødé ✓\"}";
    String stream = a + b + "\n  \r\t" + c;
    for (int chunk : new int[] {1, 2, 3, 7, 1000}) {
      assertEquals(List.of(a, b, c), frames(stream, chunk, 1000, 8), "chunk " + chunk);
    }
  }

  @Test
  void rejectsGarbageBetweenMessages() {
    for (String bad : new String[] {"x", "[1]", "1", "\"s\"", "{}]", "\u0000", "null"}) {
      assertThrows(JsonFramer.FramingException.class, () -> frames(bad, 1, 100, 8), bad);
    }
  }

  @Test
  void boundsMessageSizeAndDepth() throws Exception {
    String big = "{\"s\":\"" + "a".repeat(200) + "\"}";
    JsonFramer.FramingException e =
        assertThrows(JsonFramer.FramingException.class, () -> frames(big, 13, 100, 8));
    assertTrue(e.getMessage().contains("longer than 100"), e.getMessage());
    assertEquals(1, frames(big, 13, big.length(), 8).size());

    String deep = "{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}";
    assertThrows(JsonFramer.FramingException.class, () -> frames(deep, 5, 1000, 20));
    assertEquals(1, frames(deep, 5, 1000, 21).size());
  }

  @Test
  void bufferNeverExceedsTheLimitAndShrinksAfterABigMessage() throws Exception {
    JsonFramer f = new JsonFramer(10_000, 8);
    byte[] head = "{\"s\":\"".getBytes(StandardCharsets.UTF_8);
    f.feed(head, 0, head.length, fr -> { });
    byte[] a = "a".repeat(100).getBytes(StandardCharsets.UTF_8);
    assertThrows(JsonFramer.FramingException.class, () -> {
      for (int i = 0; i < 1000; i++) {
        f.feed(a, 0, a.length, fr -> { });
        assertTrue(f.capacity() <= 10_000);
      }
    });
    assertThrows(JsonFramer.FramingException.class, () -> f.feed(a, 0, 1, fr -> { }));

    JsonFramer g = new JsonFramer(100_000, 8);
    byte[] msg = ("{\"s\":\"" + "b".repeat(50_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    List<byte[]> out = new ArrayList<>();
    g.feed(msg, 0, msg.length, out::add);
    assertEquals(1, out.size());
    assertEquals(0, g.capacity());
    assertTrue(!g.midFrame());
  }

  @Test
  void reportsAStreamCutMidMessage() throws Exception {
    JsonFramer f = new JsonFramer(100, 8);
    byte[] b = "{\"id\":1,".getBytes(StandardCharsets.UTF_8);
    f.feed(b, 0, b.length, fr -> { });
    assertTrue(f.midFrame());
    assertEquals(b.length, f.buffered());
  }
}
