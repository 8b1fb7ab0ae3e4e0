package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An {@link RpcCaller} for tests without a socket: each call's answer is a scripted byte stream
 * fed through a fresh {@link ResponseDispatcher} (the production path from bytes to result), as
 * the whole content of a connection. Records the requests it was asked to send.
 */
final class Scripted implements RpcCaller {

  /** One request as it would go on the wire (the {@code id} is always 1 here). */
  record Sent(String method, JsonNode request) {}

  private final JsonCodec codec;
  private final Limits limits;
  private final Map<String, byte[]> answers = new HashMap<>();
  private final Map<String, Long> ids = new HashMap<>();
  private final List<Sent> sent = new ArrayList<>();

  Scripted(Limits limits) {
    this.limits = limits;
    this.codec = new JsonCodec(limits);
  }

  Scripted() {
    this(Limits.DEFAULT);
  }

  JsonCodec codec() {
    return codec;
  }

  /** Answers {@code method} with {@code bytes}, as the answer to a request with id {@code id}. */
  Scripted answer(String method, long id, byte[] bytes) {
    answers.put(method, bytes);
    ids.put(method, id);
    return this;
  }

  Scripted answer(String method, byte[] bytes) {
    return answer(method, 1, bytes);
  }

  Scripted answer(String method, String text) {
    return answer(method, 1, text.getBytes(StandardCharsets.UTF_8));
  }

  List<Sent> sent() {
    return sent;
  }

  @Override
  public JsonNode call(String method, Object params) throws JsonRpcException {
    long id = ids.getOrDefault(method, 1L);
    try {
      sent.add(new Sent(method, codec.mapper().readTree(codec.writeRequest(id, method, params))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] answer = answers.get(method);
    if (answer == null) {
      throw JsonRpcException.unavailable("no scripted answer for " + method, null);
    }
    return serve(codec, limits, answer, method, id);
  }

  /** Feeds {@code answer} to a dispatcher with call {@code id} pending, then ends the stream. */
  static JsonNode serve(JsonCodec codec, Limits limits, byte[] answer, String method, long id)
      throws JsonRpcException {
    ResponseDispatcher d = new ResponseDispatcher(codec, limits);
    CompletableFuture<JsonNode> future = d.register(id, method);
    try {
      // two chunks, cut at a point that depends on the input
      int cut = answer.length == 0 ? 0 : (answer[0] & 0xff) % (answer.length + 1);
      d.onBytes(answer, 0, cut);
      check(d.bufferedBytes() <= limits.maxMessageBytes(), "buffer over the limit");
      d.onBytes(answer, cut, answer.length - cut);
      check(d.bufferedBytes() <= limits.maxMessageBytes(), "buffer over the limit");
      d.failAll(JsonRpcException.unavailable("closed by server", null));
    } catch (JsonRpcException e) {
      d.failAll(JsonRpcException.protocol("connection dropped: " + e.getMessage(), e));
    }
    check(future.isDone(), "call left pending after the connection ended");
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof JsonRpcException j) {
        throw j.inCallerThread();
      }
      throw new AssertionError("untyped failure", e.getCause());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }
}
