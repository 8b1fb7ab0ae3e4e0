package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Reads the byte stream of one connection as a sequence of JSON objects, one per message, with
 * Jackson's non-blocking parser ({@code JsonFactory.createNonBlockingByteArrayParser}): bytes are
 * fed as they arrive, in chunks of any size, and each complete object is handed on as a tree.
 * The stream is parsed once: the tree of the message being read is built token by token (as
 * Jackson's own tree reader does by default: ints, longs and big integers by size, floats as
 * doubles) and handed on when its last token comes.
 *
 * <p>Rules (a break of any is a {@link Violation}, after which the reader refuses more input:
 * the stream cannot be resynchronised):
 *
 * <ul>
 *   <li>JSON syntax and duplicate keys (Jackson), the string, number and key lengths of {@link
 *       Limits} (Jackson's stream read constraints, and checked here per token);
 *   <li>every top-level value is an object;
 *   <li>nesting at most {@link Limits#maxNestingDepth()};
 *   <li>a message at most {@link Limits#maxMessageBytes()} bytes, counted from the end of the
 *       previous one, checked when it ends and after every chunk fed (so at most one chunk more
 *       is held).
 * </ul>
 *
 * <p>Whitespace between messages is skipped (SPDK ends each answer with one {@code \n}); no
 * delimiter is required. A message cut off on a connection that stays open is not visible here
 * (the next answer's bytes would be read as its continuation, usually a syntax error): {@link
 * ResponseDispatcher#stalledMidMessage} lets the client detect it by time.
 *
 * <p><b>Thread-safety:</b> not thread-safe; one reader thread per instance. {@link #midMessage()}
 * may be read from other threads (it is volatile).
 */
final class JsonMessageReader {

  /** Receives each complete message. */
  @FunctionalInterface
  interface Sink {
    void accept(JsonNode message) throws JsonRpcException;
  }

  /** The stream broke a rule; the connection cannot be trusted any more. */
  static final class Violation extends Exception {
    Violation(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final byte[] NOTHING = new byte[0];

  private final JsonParser parser;
  private final ByteArrayFeeder feeder;
  private final Limits limits;
  private final int maxMessageBytes;
  private final int maxDepth;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The containers of the message being read, innermost on top. */
  private final ArrayDeque<ContainerNode<?>> stack = new ArrayDeque<>();
  private String fieldName;
  private int depth;
  private long fed;
  private long messageStart;
  private volatile boolean open;
  private boolean failed;
  private byte[] held = NOTHING;

  JsonMessageReader(JsonCodec codec, Limits limits) {
    this.parser = codec.newStreamParser();
    this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    this.limits = limits;
    this.maxMessageBytes = limits.maxMessageBytes();
    this.maxDepth = limits.maxNestingDepth();
  }

  /**
   * Consumes {@code n} bytes of {@code data} from {@code off}, handing every message completed by
   * them to {@code sink} in order. The messages completed before a violation are handed on
   * before it is thrown. The array is not kept: it may be reused once this returns.
   *
   * @throws Violation if the stream broke a rule
   * @throws JsonRpcException what {@code sink} threw; the rest of the bytes are not read, so
   *     the reader must be discarded as after a violation
   */
  void feed(byte[] data, int off, int n, Sink sink) throws Violation, JsonRpcException {
    if (failed) {
      throw new Violation("the stream was already broken", null);
    }
    byte[] in = data;
    int from = off;
    int end = off + n;
    if (held.length > 0) {
      in = Arrays.copyOf(held, held.length + n);
      System.arraycopy(data, off, in, held.length, n);
      from = 0;
      end = in.length;
    }
    // Jackson's non-blocking parser (2.23) takes a '}' for a value or a key when it comes in a
    // later chunk than the ':' or ',' before it ({"id":} and {"a":1,} are accepted, fed byte by
    // byte, and rejected, fed whole). So a chunk never ends just after one of them: a trailing
    // ':' or ',' (and the whitespace after it) waits for the next byte that is not whitespace.
    int last = end - 1;
    while (last >= from && isWhitespace(in[last])) {
      last--;
    }
    int upTo = last >= from && (in[last] == ',' || in[last] == ':') ? last : end;
    held = upTo == end ? NOTHING : Arrays.copyOfRange(in, upTo, end);
    if (upTo > from) {
      feedChunk(in, from, upTo, sink);
    }
    if (fed + held.length - messageStart > maxMessageBytes) {
      throw fail("a message longer than " + maxMessageBytes + " bytes", null);
    }
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  /** Whether a message has begun and not ended (its bytes would be lost at end of stream). */
  boolean midMessage() {
    return open;
  }

  /** Bytes read of the message being read (0 between messages). */
  long bufferedBytes() {
    return depth > 0 ? fed + held.length - messageStart : 0;
  }

  private void feedChunk(byte[] data, int from, int to, Sink sink)
      throws Violation, JsonRpcException {
    try {
      feeder.feedInput(data, from, to);
      fed += to - from;
      JsonToken t;
      while ((t = parser.nextToken()) != JsonToken.NOT_AVAILABLE) {
        if (t == null) {
          throw fail("the parser ended the stream", null);
        }
        if (depth == 0 && t != JsonToken.START_OBJECT) {
          throw fail("a message that is not a JSON object (starts with " + t + ")", null);
        }
        checkLength(t);
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            if (++depth > maxDepth) {
              throw fail("a message nested deeper than " + maxDepth, null);
            }
            ContainerNode<?> node = t == JsonToken.START_OBJECT
                ? NODES.objectNode() : NODES.arrayNode();
            if (depth > 1) {
              add(node);
            }
            open = true;
            stack.push(node);
          }
          case END_OBJECT, END_ARRAY -> {
            JsonNode done = stack.pop();
            if (--depth == 0) {
              long end = parser.currentLocation().getByteOffset();
              if (end - messageStart > maxMessageBytes) {
                throw fail("a message longer than " + maxMessageBytes + " bytes", null);
              }
              messageStart = end;
              open = false;
              sink.accept(done);
            }
          }
          case FIELD_NAME -> fieldName = parser.currentName();
          case VALUE_STRING -> add(NODES.textNode(parser.getText()));
          case VALUE_NUMBER_INT -> add(switch (parser.getNumberType()) {
            case INT -> NODES.numberNode(parser.getIntValue());
            case LONG -> NODES.numberNode(parser.getLongValue());
            default -> NODES.numberNode(parser.getBigIntegerValue());
          });
          case VALUE_NUMBER_FLOAT -> add(NODES.numberNode(parser.getDoubleValue()));
          case VALUE_TRUE -> add(NODES.booleanNode(true));
          case VALUE_FALSE -> add(NODES.booleanNode(false));
          case VALUE_NULL -> add(NODES.nullNode());
          default -> throw fail("unexpected token " + t, null);
        }
      }
    } catch (JsonProcessingException e) {
      throw fail("malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw fail("malformed JSON: " + e.getMessage(), e);
    }
    if (fed - messageStart > maxMessageBytes) {
      throw fail("a message longer than " + maxMessageBytes + " bytes", null);
    }
  }

  /**
   * String, key and number lengths, checked here per token as well as by Jackson's stream read
   * constraints (which check some of them only when a value is turned into a {@code String}).
   */
  private void checkLength(JsonToken t) throws IOException, Violation {
    int limit;
    String what;
    switch (t) {
      case VALUE_STRING -> {
        limit = limits.maxStringLength();
        what = "a string";
      }
      case FIELD_NAME -> {
        limit = limits.maxNameLength();
        what = "a key";
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        limit = limits.maxNumberLength();
        what = "a number";
      }
      default -> {
        return;
      }
    }
    int length = parser.getTextLength();
    if (length > limit) {
      throw fail(what + " of " + length + " chars, longer than " + limit, null);
    }
  }

  /** Adds a value to the container being read, under the last key if it is an object. */
  private void add(JsonNode value) {
    ContainerNode<?> parent = stack.peek();
    if (parent instanceof ObjectNode o) {
      o.set(fieldName, value);
    } else {
      ((ArrayNode) parent).add(value);
    }
  }

  private Violation fail(String message, Throwable cause) {
    failed = true;
    stack.clear();
    try {
      parser.close();
    } catch (IOException ignored) {
      // nothing to release
    }
    return new Violation(message, cause);
  }
}
