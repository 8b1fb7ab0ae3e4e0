package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One Unix-socket connection with two daemon threads: a writer that takes requests from a queue
 * and writes them (several at once when they pile up), and a reader that hands the bytes it reads
 * to a {@link ResponseDispatcher}. Callers never touch the channel: a {@code SocketChannel} is
 * closed when a thread blocked in it is interrupted, and one interrupted caller must not break
 * the connection of all the others. Once failed (peer closed, I/O error, protocol violation,
 * client closed) a connection stays failed; the client opens a new one for the next call.
 *
 * <p><b>Thread-safety:</b> safe for concurrent use.
 */
final class Connection {

  private static final int READ_BUFFER_BYTES = 64 * 1024;
  private static final int MAX_BATCH = 64;
  /** Requests queued and not yet written; more means the server has stopped reading. */
  static final int MAX_QUEUED_REQUESTS = 4096;

  private final SocketChannel channel;
  private final ResponseDispatcher dispatcher;
  private final BlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>(MAX_QUEUED_REQUESTS);
  private final Path socketPath;
  private volatile boolean failed;
  private volatile Thread writer;

  private Connection(SocketChannel channel, ResponseDispatcher dispatcher, Path socketPath) {
    this.channel = channel;
    this.dispatcher = dispatcher;
    this.socketPath = socketPath;
  }

  /** Connects and starts the reader and writer threads. */
  static Connection open(Path socketPath, JsonCodec codec, Limits limits, String threadName)
      throws JsonRpcException {
    SocketChannel channel;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    } catch (IOException e) {
      throw JsonRpcException.unavailable("cannot open a Unix socket: " + e, e);
    }
    try {
      channel.connect(UnixDomainSocketAddress.of(socketPath));
    } catch (ClosedByInterruptException e) {
      Thread.currentThread().interrupt();
      throw JsonRpcException.timeout("interrupted while connecting to " + socketPath);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw JsonRpcException.unavailable("cannot connect to " + socketPath + ": " + e, e);
    }
    Connection c = new Connection(channel, new ResponseDispatcher(codec, limits), socketPath);
    Thread reader = new Thread(c::readLoop, threadName + "-reader");
    reader.setDaemon(true);
    Thread writer = new Thread(c::writeLoop, threadName + "-writer");
    writer.setDaemon(true);
    c.writer = writer;
    reader.start();
    writer.start();
    return c;
  }

  boolean isFailed() {
    return failed;
  }

  /**
   * Registers call {@code id} and queues its request for the writer thread.
   *
   * @throws NotSent if the connection had failed before the request was queued (safe to retry on
   *     a new connection)
   * @throws JsonRpcException UNAVAILABLE if {@value #MAX_QUEUED_REQUESTS} requests are already
   *     waiting to be written (the server is not reading); this one was not sent
   */
  CompletableFuture<JsonNode> send(long id, String method, byte[] request)
      throws NotSent, JsonRpcException {
    CompletableFuture<JsonNode> future;
    try {
      future = dispatcher.register(id, method);
    } catch (JsonRpcException e) {
      throw new NotSent(e);
    }
    if (!outbox.offer(request)) {
      dispatcher.abandon(id);
      throw JsonRpcException.unavailable(method + " (id " + id + "): " + MAX_QUEUED_REQUESTS
          + " requests already wait to be written to " + socketPath
          + "; the server is not reading", null);
    }
    return future;
  }

  /** Gives up on call {@code id}; see {@link ResponseDispatcher#abandon}. */
  boolean abandon(long id) {
    return dispatcher.abandon(id);
  }

  /**
   * Fails every pending call with {@code cause} (or with the cause of an earlier failure) and
   * closes the socket. Idempotent.
   */
  void fail(JsonRpcException cause) {
    failed = true;
    // Calls fail with this cause before the socket is closed: the reader, woken by the close,
    // fails them too (as "closed"), and the first cause wins.
    dispatcher.failAll(cause);
    closeQuietly(channel);
    Thread w = writer;
    if (w != null && w != Thread.currentThread()) {
      w.interrupt(); // wakes it from take(); the channel is closed already
    }
  }

  int pendingCount() {
    return dispatcher.pendingCount();
  }

  /**
   * Drops the connection if a message began on it and no byte has come for {@code nanos}: the
   * message was cut off, so the next answer would be read as its continuation. Every pending
   * call fails as a protocol error.
   *
   * @return whether the connection was dropped
   */
  boolean failIfStalled(long nanos) {
    if (failed || !dispatcher.stalledMidMessage(nanos)) {
      return false;
    }
    fail(
        JsonRpcException.protocol(
            "connection dropped: an answer from "
                + socketPath
                + " stopped after "
                + dispatcher.bufferedBytes()
                + " bytes and nothing more came for "
                + TimeUnit.NANOSECONDS.toMillis(nanos)
                + " ms: it was cut off",
            null));
    return true;
  }

  private void readLoop() {
    byte[] bytes = new byte[READ_BUFFER_BYTES];
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      while (true) {
        buf.clear();
        int n = channel.read(buf);
        if (n < 0) {
          fail(
              JsonRpcException.unavailable(
                  "connection to " + socketPath + " closed by the server"
                      + (dispatcher.midMessage() ? " in the middle of a response" : ""),
                  null));
          return;
        }
        dispatcher.onBytes(bytes, 0, n);
      }
    } catch (JsonRpcException e) {
      fail(JsonRpcException.protocol("connection dropped: " + e.getMessage(), e));
    } catch (ClosedChannelException e) {
      fail(JsonRpcException.unavailable("connection to " + socketPath + " closed", e));
    } catch (IOException e) {
      fail(JsonRpcException.unavailable("read from " + socketPath + " failed: " + e, e));
    } catch (RuntimeException | Error e) {
      // Never leave callers hanging on a dead reader; report as a protocol failure.
      fail(JsonRpcException.protocol("connection dropped: reader failed: " + e, e));
      if (e instanceof Error err && !(err instanceof StackOverflowError)) {
        throw err;
      }
    }
  }

  private void writeLoop() {
    ByteBuffer[] batch = new ByteBuffer[MAX_BATCH];
    List<byte[]> drained = new ArrayList<>(MAX_BATCH);
    try {
      while (!failed) {
        drained.clear();
        drained.add(outbox.take());
        outbox.drainTo(drained, MAX_BATCH - 1);
        int n = drained.size();
        for (int i = 0; i < n; i++) {
          batch[i] = ByteBuffer.wrap(drained.get(i));
        }
        long remaining = 0;
        for (int i = 0; i < n; i++) {
          remaining += batch[i].remaining();
        }
        while (remaining > 0) {
          remaining -= channel.write(batch, 0, n);
        }
        Arrays.fill(batch, 0, n, null);
      }
    } catch (InterruptedException | ClosedChannelException e) {
      // failed elsewhere; nothing to report
    } catch (IOException e) {
      fail(JsonRpcException.unavailable("write to " + socketPath + " failed: " + e, e));
    } catch (RuntimeException e) {
      fail(JsonRpcException.unavailable("connection dropped: writer failed: " + e, e));
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing more to do
    }
  }

  /** The request was not written: the connection had already failed. */
  static final class NotSent extends Exception {
    final JsonRpcException reason;

    NotSent(JsonRpcException reason) {
      super(reason.getMessage(), reason);
      this.reason = reason;
    }
  }
}
