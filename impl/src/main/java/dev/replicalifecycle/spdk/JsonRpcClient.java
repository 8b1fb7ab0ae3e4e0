package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JSON-RPC 2.0 client for {@code spdk_tgt} over a Unix domain socket.
 *
 * <p>One connection carries every call: requests are numbered from 1 by a counter that never
 * repeats for the life of the client, a reader thread matches each response to its call by id,
 * and callers wait on their own call only. A response whose id matches no pending call (unknown,
 * duplicate, or missing) is never handed to anybody: the connection is dropped and the calls
 * pending on it fail with {@link JsonRpcException.Kind#PROTOCOL}. A late answer to a call that
 * timed out is dropped quietly.
 *
 * <p>The connection is made on the first call. When it breaks (server closed it, I/O error,
 * protocol violation), every call pending on it fails at once with {@link
 * JsonRpcException.Kind#UNAVAILABLE} or {@link JsonRpcException.Kind#PROTOCOL}, and the next call
 * connects again. Protocol violations that drop the connection: bytes that are not JSON, a
 * message that is not an object, over a limit, or with a line feed inside it (SPDK ends each
 * answer with one, so the answer was cut off); an answer with {@code "id":null} (SPDK could not
 * read one of our requests, and which one is unknown); an unknown or duplicate id; and an answer
 * that began and stopped: when a call times out while a message has been incomplete for half its
 * timeout (at most 1 s) with no byte coming, the connection is dropped, so that a cut-off answer
 * does not swallow the answers of later calls. There is no automatic retry of a call: after a timeout or a broken connection
 * the outcome is unknown, and only the caller can decide whether repeating is safe.
 *
 * <p>Input is bounded (see {@link Builder}): the stream is parsed as it arrives by Jackson's
 * non-blocking parser, which enforces nesting depth, string, number and key lengths (stream read
 * constraints) and rejects duplicate keys; message size is checked as the bytes come. Unknown
 * fields are ignored.
 *
 * <p><b>Thread-safety:</b> safe for concurrent use by any number of threads; calls from
 * different threads are multiplexed over the one connection, and one slow call does not delay the
 * answers to others. Requests are written by a writer thread of the connection, never by the
 * caller, so interrupting a caller ends its own wait only (as {@link
 * JsonRpcException.Kind#TIMEOUT}) and leaves the connection alone. Writing a request
 * happens-before the call's result is returned. {@link
 * #close()} fails every pending call and makes later calls fail with UNAVAILABLE.
 */
public final class JsonRpcClient implements AutoCloseable {

  private static final AtomicInteger CLIENTS = new AtomicInteger();
  private static final long MAX_STALL_MILLIS = 1000;

  private final Path socketPath;
  private final Duration callTimeout;
  private final Limits limits;
  private final JsonCodec codec;
  private final AtomicLong nextId = new AtomicLong(1);
  private final String threadName;
  private final Object connectLock = new Object();
  private Connection connection; // guarded by connectLock
  private volatile boolean closed;
  private final AtomicLong connects = new AtomicLong();

  private JsonRpcClient(Builder b) {
    this.socketPath = b.socketPath;
    this.callTimeout = b.callTimeout;
    this.limits =
        new Limits(
            b.maxMessageBytes,
            b.maxNestingDepth,
            b.maxStringLength,
            b.maxNumberLength,
            b.maxNameLength,
            Limits.DEFAULT.maxAbandonedIds());
    this.codec = new JsonCodec(limits);
    this.threadName = "spdk-jsonrpc-" + CLIENTS.incrementAndGet();
  }

  /** A builder for a client of the {@code spdk_tgt} socket at {@code socketPath}. */
  public static Builder builder(Path socketPath) {
    return new Builder(socketPath);
  }

  /**
   * Calls {@code method} with the default timeout.
   *
   * @see #call(String, Object, Duration)
   */
  public JsonNode call(String method, Object params) throws JsonRpcException {
    return call(method, params, callTimeout);
  }

  /**
   * Calls {@code method} and waits for its answer.
   *
   * @param method the JSON-RPC method, for example {@code "bdev_get_bdevs"}
   * @param params anything Jackson can encode (a record, a map, a tree), or {@code null} for no
   *     {@code params} member at all (SPDK treats an empty object differently from none for some
   *     methods)
   * @param timeout how long to wait in total: connecting, writing and waiting for the answer
   * @return the {@code result} member (a {@code NullNode} if it was JSON {@code null})
   * @throws JsonRpcException for an error answer ({@link JsonRpcException.Kind#ERROR_RESPONSE},
   *     code and message kept), a timeout, a broken or refused connection, or a protocol
   *     violation
   * @throws IllegalArgumentException if {@code params} cannot be encoded
   */
  public JsonNode call(String method, Object params, Duration timeout) throws JsonRpcException {
    Objects.requireNonNull(method, "method");
    requirePositive(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    if (Thread.currentThread().isInterrupted()) {
      throw JsonRpcException.timeout(method + ": interrupted before the call");
    }
    long id = nextId.getAndIncrement();
    byte[] request = codec.writeRequest(id, method, params);
    Connection conn = null;
    CompletableFuture<JsonNode> future = null;
    for (int attempt = 0; future == null; attempt++) {
      conn = connection();
      try {
        future = conn.send(id, method, request);
      } catch (Connection.NotSent e) {
        // The connection failed before our request was written: safe to try a fresh one once.
        if (attempt > 0) {
          throw e.reason.inCallerThread();
        }
      }
    }
    try {
      long wait = deadline - System.nanoTime();
      return future.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // An answer cut off on a connection that stays open would swallow every later answer:
      // drop the connection (this call and the others pending on it fail as PROTOCOL).
      conn.failIfStalled(stallNanos(timeout));
      if (conn.abandon(id)) {
        throw JsonRpcException.timeout(
            method + " (id " + id + "): no answer within " + timeout.toMillis() + " ms");
      }
      return joinCompleted(future); // completed meanwhile
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (conn.abandon(id)) {
        throw JsonRpcException.timeout(method + " (id " + id + "): interrupted while waiting");
      }
      return joinCompleted(future);
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  /**
   * How long a begun message may stay without a byte before a timed-out call declares it cut
   * off: half the call's timeout, at most {@value #MAX_STALL_MILLIS} ms. SPDK writes an answer
   * whole from its send buffer, so a healthy answer never pauses that long in the middle.
   */
  static long stallNanos(Duration timeout) {
    return Math.min(timeout.toNanos() / 2, TimeUnit.MILLISECONDS.toNanos(MAX_STALL_MILLIS));
  }

  /** The socket this client talks to. */
  public Path socketPath() {
    return socketPath;
  }

  /** The default per-call timeout. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /**
   * Closes the connection; pending and later calls fail with {@link
   * JsonRpcException.Kind#UNAVAILABLE}. Idempotent.
   */
  @Override
  public void close() {
    Connection c;
    synchronized (connectLock) {
      closed = true;
      c = connection;
      connection = null;
    }
    if (c != null) {
      c.fail(JsonRpcException.unavailable("client closed", null));
    }
  }

  /** How many connections were opened so far (for tests and monitoring). */
  long connectionsOpened() {
    return connects.get();
  }

  /** Calls pending on the current connection (for tests). */
  int pendingCount() {
    synchronized (connectLock) {
      return connection == null ? 0 : connection.pendingCount();
    }
  }

  Limits limits() {
    return limits;
  }

  JsonCodec codec() {
    return codec;
  }

  private Connection connection() throws JsonRpcException {
    synchronized (connectLock) {
      if (closed) {
        throw JsonRpcException.unavailable("client closed", null);
      }
      if (connection == null || connection.isFailed()) {
        connection = null;
        connection = Connection.open(socketPath, codec, limits, threadName);
        connects.incrementAndGet();
      }
      return connection;
    }
  }

  private static JsonNode joinCompleted(CompletableFuture<JsonNode> future)
      throws JsonRpcException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw unwrap(e);
    } catch (InterruptedException e) {
      // get() of a completed future does not block; keep the flag for the caller anyway.
      Thread.currentThread().interrupt();
      throw JsonRpcException.timeout("interrupted");
    }
  }

  private static JsonRpcException unwrap(ExecutionException e) {
    if (e.getCause() instanceof JsonRpcException j) {
      return j.inCallerThread();
    }
    return JsonRpcException.protocol("call failed: " + e.getCause(), e.getCause());
  }

  private static void requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be > 0: " + d);
    }
  }

  /**
   * Builds a {@link JsonRpcClient}. Defaults:
   *
   * <ul>
   *   <li>call timeout 60 s (what Longhorn's go-spdk-helper uses);
   *   <li>max message 64 MiB (a {@code bdev_get_bdevs} entry of an lvol is 0.6 to 1.2 KB, so
   *       50 000 bdevs or more);
   *   <li>max nesting depth 64 (SPDK's deepest answers nest about 6 levels);
   *   <li>max string 256 Ki chars, max number 64 chars, max object key 1024 chars.
   * </ul>
   *
   * <p>Not thread-safe; build once.
   */
  public static final class Builder {
    private final Path socketPath;
    private Duration callTimeout = Duration.ofSeconds(60);
    private int maxMessageBytes = Limits.DEFAULT.maxMessageBytes();
    private int maxNestingDepth = Limits.DEFAULT.maxNestingDepth();
    private int maxStringLength = Limits.DEFAULT.maxStringLength();
    private int maxNumberLength = Limits.DEFAULT.maxNumberLength();
    private int maxNameLength = Limits.DEFAULT.maxNameLength();

    private Builder(Path socketPath) {
      this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
    }

    /** Default timeout of a call (connect, write and answer). */
    public Builder callTimeout(Duration timeout) {
      requirePositive(timeout, "callTimeout");
      this.callTimeout = timeout;
      return this;
    }

    /** Largest response accepted, in bytes; a larger one drops the connection. */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      return this;
    }

    /** Deepest nesting of arrays and objects accepted in a response. */
    public Builder maxNestingDepth(int depth) {
      this.maxNestingDepth = depth;
      return this;
    }

    /** Longest string value accepted in a response, in chars. */
    public Builder maxStringLength(int chars) {
      this.maxStringLength = chars;
      return this;
    }

    /** Longest number literal accepted in a response, in chars. */
    public Builder maxNumberLength(int chars) {
      this.maxNumberLength = chars;
      return this;
    }

    /** Longest object key accepted in a response, in chars. */
    public Builder maxNameLength(int chars) {
      this.maxNameLength = chars;
      return this;
    }

    /**
     * Builds the client. Does not connect: the first call does.
     *
     * @throws IllegalArgumentException if a limit is not positive
     */
    public JsonRpcClient build() {
      return new JsonRpcClient(this);
    }
  }
}
