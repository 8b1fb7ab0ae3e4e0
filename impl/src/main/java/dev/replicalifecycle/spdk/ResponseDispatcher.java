package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The response side of one connection: cuts the incoming bytes into messages, checks each one
 * and completes the pending call with its id. It has no I/O of its own, so that tests and the
 * fuzz target can drive it byte by byte.
 *
 * <p>Rules, in order, for each message:
 *
 * <ol>
 *   <li>framing and JSON syntax, within {@link Limits}; else a connection-level violation;
 *   <li>an integral {@code id} that belongs to a pending call; else, if the id belongs to a call
 *       that timed out, the message is dropped quietly; else (no id, {@code null}, unknown,
 *       duplicate) a connection-level violation: the response cannot be given to anybody;
 *   <li>{@code "jsonrpc":"2.0"}, exactly one of {@code result} and {@code error}, and a
 *       well-formed error object; else that call (and only that one) fails with {@link
 *       JsonRpcException.Kind#PROTOCOL}.
 * </ol>
 *
 * A connection-level violation is thrown from {@link #onBytes}; the owner then closes the
 * connection and calls {@link #failAll}.
 *
 * <p><b>Thread-safety:</b> {@link #onBytes} is called by one reader thread; {@link #register},
 * {@link #abandon} and {@link #failAll} may be called by any thread concurrently with it.
 */
final class ResponseDispatcher {

  private final JsonCodec codec;
  private final JsonFramer framer;
  private final int maxAbandoned;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final LinkedHashSet<Long> abandoned = new LinkedHashSet<>(); // guarded by itself
  private volatile JsonRpcException closedWith;

  /** A call waiting for its answer. */
  record Pending(String method, CompletableFuture<JsonNode> future) {}

  ResponseDispatcher(JsonCodec codec, Limits limits) {
    this.codec = codec;
    this.framer = new JsonFramer(limits.maxMessageBytes(), limits.maxNestingDepth());
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
    List<byte[]> frames = new ArrayList<>(2);
    try {
      framer.feed(data, off, len, frames::add);
    } catch (JsonFramer.FramingException e) {
      // Deliver what was complete before the bad bytes, then report.
      for (byte[] frame : frames) {
        onFrame(frame);
      }
      throw JsonRpcException.protocol("bad framing: " + e.getMessage(), null);
    }
    for (byte[] frame : frames) {
      onFrame(frame);
    }
  }

  /** Whether the stream ended in the middle of a message. */
  boolean midMessage() {
    return framer.midFrame();
  }

  /** Fails every pending call and every later {@link #register} with {@code cause}. */
  void failAll(JsonRpcException cause) {
    if (closedWith == null) {
      closedWith = cause;
    }
    for (Long id : List.copyOf(pending.keySet())) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.future().completeExceptionally(cause);
      }
    }
  }

  /** Calls waiting for an answer. */
  int pendingCount() {
    return pending.size();
  }

  /** Bytes buffered for an incomplete message, for tests of the memory bound. */
  int bufferedBytes() {
    return framer.buffered();
  }

  private void onFrame(byte[] frame) throws JsonRpcException {
    JsonNode tree;
    try {
      tree = codec.readTree(frame);
    } catch (IOException e) {
      throw JsonRpcException.protocol("malformed message: " + e.getMessage(), e);
    }
    JsonNode idNode = tree.get("id");
    if (idNode == null || !idNode.isIntegralNumber() || !idNode.canConvertToLong()) {
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

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
