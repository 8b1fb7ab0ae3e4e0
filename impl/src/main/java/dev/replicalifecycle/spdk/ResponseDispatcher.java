package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The response side of one connection: reads the incoming bytes as messages ({@link
 * JsonMessageReader}), checks each one and completes the pending call with its id. It has no I/O
 * of its own, so that tests and the fuzz target can drive it byte by byte.
 *
 * <p>Rules, in order, for each message:
 *
 * <ol>
 *   <li>JSON syntax, one object per message, no line feed inside a message, within {@link
 *       Limits}; else a connection-level violation;
 *   <li>{@code "id":null} (or no id): SPDK sends this for a request whose envelope it could not
 *       read and for a failed notification. This client sends neither, so such an answer means
 *       one of the requests on this connection was not understood and will never be answered,
 *       and it cannot tell which: a connection-level violation, whose message carries SPDK's
 *       error code and text. It is never matched to a call;
 *   <li>an integral {@code id} that belongs to a pending call; else, if the id belongs to a call
 *       that timed out, the message is dropped quietly; else (unknown, duplicate, not an integer)
 *       a connection-level violation: the response cannot be given to anybody;
 *   <li>{@code "jsonrpc":"2.0"}, exactly one of {@code result} and {@code error}, and a
 *       well-formed error object; else the answer is not a JSON-RPC response: its call fails
 *       with {@link JsonRpcException.Kind#PROTOCOL}, and so does the connection (a
 *       connection-level violation: the server is not speaking JSON-RPC, so none of its other
 *       answers is trusted).
 * </ol>
 *
 * A connection-level violation is thrown from {@link #onBytes} as {@link
 * JsonRpcException.Kind#PROTOCOL}; the owner then closes the connection and calls {@link
 * #failAll}, so every call pending on it fails as a protocol error and the next call connects
 * again.
 *
 * <p><b>Thread-safety:</b> {@link #onBytes} is called by one reader thread; {@link #register},
 * {@link #abandon}, {@link #failAll}, {@link #midMessage} and {@link #stalledMidMessage} may be
 * called by any thread concurrently with it.
 */
final class ResponseDispatcher {

  private static final System.Logger LOG = System.getLogger(ResponseDispatcher.class.getName());

  private final JsonCodec codec;
  private final JsonMessageReader reader;
  private final int maxAbandoned;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final LinkedHashSet<Long> abandoned = new LinkedHashSet<>(); // guarded by itself
  private volatile JsonRpcException closedWith;
  private volatile long lastBytesNanos = System.nanoTime();

  /** A call waiting for its answer. */
  record Pending(String method, CompletableFuture<JsonNode> future) {}

  ResponseDispatcher(JsonCodec codec, Limits limits) {
    this.codec = codec;
    this.reader = new JsonMessageReader(codec, limits);
    this.maxAbandoned = limits.maxAbandonedIds();
  }

  /**
   * Registers a call before its request is written.
   *
   * @throws JsonRpcException of kind UNAVAILABLE if the dispatcher was already failed
   */
  CompletableFuture<JsonNode> register(long id, String method) throws JsonRpcException {
    CompletableFuture<JsonNode> future = new CompletableFuture<>();
    if (pending.putIfAbsent(id, new Pending(method, future)) != null) {
      throw new IllegalStateException("id already pending: " + id);
    }
    JsonRpcException closed = closedWith;
    if (closed != null) {
      // failAll may have drained the map before our put: fail ourselves.
      pending.remove(id);
      throw closed.inCallerThread();
    }
    return future;
  }

  /**
   * Gives up on a call (timeout or interrupt). A later answer with its id is dropped quietly.
   *
   * @return whether the call was still pending (false: it was completed or failed meanwhile)
   */
  boolean abandon(long id) {
    if (pending.remove(id) == null) {
      return false;
    }
    synchronized (abandoned) {
      abandoned.add(id);
      if (abandoned.size() > maxAbandoned) {
        Iterator<Long> oldest = abandoned.iterator();
        oldest.next();
        oldest.remove();
      }
    }
    return true;
  }

  /**
   * Consumes bytes from the connection.
   *
   * @throws JsonRpcException of kind PROTOCOL on a connection-level violation
   */
  void onBytes(byte[] data, int off, int len) throws JsonRpcException {
    lastBytesNanos = System.nanoTime();
    try {
      reader.feed(data, off, len, this::onMessage);
    } catch (JsonMessageReader.Violation e) {
      throw JsonRpcException.protocol("bad framing: " + e.getMessage(), e);
    }
  }

  /** Whether the stream ended in the middle of a message. */
  boolean midMessage() {
    return reader.midMessage();
  }

  /**
   * Whether a message has begun and no byte has come for {@code nanos}: SPDK writes an answer
   * whole, so that message was cut off and the rest will not come.
   */
  boolean stalledMidMessage(long nanos) {
    return reader.midMessage() && System.nanoTime() - lastBytesNanos >= nanos;
  }

  /**
   * Fails every pending call and every later {@link #register} with {@code cause}; after the
   * first call, with the first call's cause.
   */
  void failAll(JsonRpcException cause) {
    JsonRpcException first;
    synchronized (this) {
      if (closedWith == null) {
        closedWith = cause;
      }
      first = closedWith;
    }
    for (Long id : List.copyOf(pending.keySet())) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.future().completeExceptionally(first);
      }
    }
  }

  /** Calls waiting for an answer. */
  int pendingCount() {
    return pending.size();
  }

  /** Bytes read of an incomplete message, for tests of the memory bound. */
  long bufferedBytes() {
    return reader.bufferedBytes();
  }

  private void onMessage(JsonNode tree) throws JsonRpcException {
    JsonNode idNode = tree.get("id");
    if (idNode == null || idNode.isNull()) {
      String what = nullIdAnswer(tree);
      LOG.log(System.Logger.Level.WARNING, what);
      throw JsonRpcException.protocol(what, null);
    }
    if (!idNode.isIntegralNumber() || !idNode.canConvertToLong()) {
      throw JsonRpcException.protocol(
          "message without a usable id: " + (idNode == null ? "no id" : "id " + abbreviate(idNode)),
          null);
    }
    long id = idNode.longValue();
    Pending p = pending.remove(id);
    if (p == null) {
      synchronized (abandoned) {
        if (abandoned.remove(id)) {
          return; // late answer to a call that timed out
        }
      }
      throw JsonRpcException.protocol(
          "response id " + id + " matches no pending call (unknown or duplicate id)", null);
    }
    try {
      p.future().complete(outcome(p.method(), tree));
    } catch (JsonRpcException e) {
      p.future().completeExceptionally(e);
      if (e.kind() == JsonRpcException.Kind.PROTOCOL) {
        // not a JSON-RPC response: the server cannot be trusted with the other calls either
        throw JsonRpcException.protocol("connection dropped: " + e.getMessage(), e);
      }
    }
  }

  private JsonNode outcome(String method, JsonNode tree) throws JsonRpcException {
    Messages.Response r;
    try {
      r = codec.treeToValue(tree, Messages.Response.class);
    } catch (IOException e) {
      throw JsonRpcException.protocol(method + ": malformed response: " + e.getMessage(), e);
    }
    if (!"2.0".equals(r.jsonrpc())) {
      throw JsonRpcException.protocol(method + ": response without \"jsonrpc\":\"2.0\"", null);
    }
    if (r.result() != null && r.error() != null) {
      throw JsonRpcException.protocol(method + ": response has both result and error", null);
    }
    if (r.result() != null) {
      return r.result();
    }
    if (r.error() == null) {
      throw JsonRpcException.protocol(method + ": response has neither result nor error", null);
    }
    Messages.ErrorObject error;
    try {
      if (!r.error().isObject()) {
        throw new IOException("error is not an object");
      }
      error = codec.treeToValue(r.error(), Messages.ErrorObject.class);
    } catch (IOException e) {
      throw JsonRpcException.protocol(method + ": malformed error object: " + e.getMessage(), e);
    }
    if (error.code() == null || error.message() == null) {
      throw JsonRpcException.protocol(method + ": error object without code or message", null);
    }
    throw JsonRpcException.errorResponse(method, error.code(), error.message());
  }

  /** Describes an answer without an id, with SPDK's error code and text when it has them. */
  private static String nullIdAnswer(JsonNode tree) {
    JsonNode error = tree.get("error");
    String said =
        error != null && error.path("code").isInt() && error.path("message").isTextual()
            ? "error " + error.get("code").intValue() + ": " + error.get("message").textValue()
            : abbreviate(tree);
    return "an answer with "
        + (tree.has("id") ? "\"id\":null" : "no id")
        + " ("
        + said
        + "): the server could not read a request sent on this connection, which one is"
        + " unknown, and will not answer it; the connection is dropped";
  }

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
