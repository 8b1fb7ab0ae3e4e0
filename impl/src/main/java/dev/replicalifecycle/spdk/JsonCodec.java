package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;

/**
 * The one Jackson configuration of this package: stream read limits from {@link Limits}, unknown
 * fields ignored, duplicate keys rejected, and no lenient coercion (a number is not a string, a
 * string is not a number, a float is not an integer), so that wrong types are errors.
 *
 * <p><b>Thread-safety:</b> immutable after construction; safe for concurrent use.
 */
final class JsonCodec {

  private final ObjectMapper mapper;
  private final JsonFactory streamFactory;

  JsonCodec(Limits limits) {
    JsonFactory factory = factory(limits, limits.maxMessageBytes());
    // A connection's parser reads many documents: Jackson counts maxDocumentLength over all of
    // them, so the stream parser has none and JsonMessageReader bounds each message itself.
    this.streamFactory = factory(limits, -1);
    JsonMapper m =
        JsonMapper.builder(factory)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    m.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    this.mapper = m;
  }

  private static JsonFactory factory(Limits limits, long maxDocumentLength) {
    return JsonFactory.builder()
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxDocumentLength(maxDocumentLength)
                .maxNestingDepth(limits.maxNestingDepth())
                .maxStringLength(limits.maxStringLength())
                .maxNumberLength(limits.maxNumberLength())
                .maxNameLength(limits.maxNameLength())
                .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  /**
   * A non-blocking parser for the byte stream of one connection, under the same limits but for
   * the document length (see {@link JsonMessageReader}).
   */
  JsonParser newStreamParser() {
    try {
      return streamFactory.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a non-blocking parser", e);
    }
  }

  /** Parses one frame into a tree, under the stream read limits. */
  JsonNode readTree(byte[] frame) throws IOException {
    JsonNode node = mapper.readTree(frame);
    if (node == null || node.isMissingNode()) {
      throw new IOException("empty message");
    }
    return node;
  }

  /** Maps a tree to a record; wrong types are {@link IOException}s. */
  <T> T treeToValue(JsonNode node, Class<T> type) throws IOException {
    try {
      return mapper.treeToValue(node, type);
    } catch (IllegalArgumentException e) {
      throw new IOException("cannot map to " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Encodes a request envelope. */
  byte[] writeRequest(long id, String method, Object params) {
    try {
      return mapper.writeValueAsBytes(new Messages.Request("2.0", id, method, params));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("params of " + method + " cannot be encoded", e);
    }
  }

  /** Encodes any value (for the test target and tests). */
  byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be encoded", e);
    }
  }

  /** The mapper, for building trees ({@code createObjectNode}) in this package. */
  ObjectMapper mapper() {
    return mapper;
  }
}
