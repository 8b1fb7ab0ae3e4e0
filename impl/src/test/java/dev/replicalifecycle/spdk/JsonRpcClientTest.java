package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicalifecycle.spdk.JsonRpcException.Kind;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Action;
import dev.replicalifecycle.spdk.JsonRpcTestTarget.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JSON-RPC client against the test target over a real Unix socket. */
@Timeout(30)
class JsonRpcClientTest {

  private TargetFixture f;
  private ExecutorService pool;

  @BeforeEach
  void start() throws Exception {
    f = TargetFixture.start();
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void stop() throws Exception {
    pool.shutdownNow();
    f.close();
  }

  private JsonNode lvstores() throws JsonRpcException {
    return f.client().call("bdev_lvol_get_lvstores", null);
  }

  private static Kind kindOf(Callable<?> call) {
    return assertThrows(JsonRpcException.class, call::call).kind();
  }

  /** Calls until one succeeds (at most 3 tries), for the call right after a connection drop. */
  private JsonNode eventually(Callable<JsonNode> call) throws Exception {
    JsonRpcException last = null;
    for (int i = 0; i < 3; i++) {
      try {
        return call.call();
      } catch (JsonRpcException e) {
        last = e;
        Thread.sleep(50);
      }
    }
    throw last;
  }

  /** Waits until {@code n} calls are pending on the client's connection. */
  private void awaitPending(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (f.client().pendingCount() < n) {
      assertTrue(System.nanoTime() < deadline, "calls did not become pending");
      Thread.sleep(5);
    }
  }

  @Test
  void aSlowCallDoesNotHoldUpOthersOnTheSameConnection() throws Exception {
    f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(2500)));
    Future<JsonNode> slow = pool.submit(() -> f.client().call("bdev_get_bdevs", null));
    Thread.sleep(100);
    long t0 = System.nanoTime();
    JsonNode fast = lvstores();
    long fastMillis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(fastMillis < 2000, "fast call took " + fastMillis + " ms");
    assertEquals(2, fast.size());
    assertTrue(!slow.isDone());
    assertEquals(JsonRpcTestTarget.BASE_BDEV, slow.get().get(0).get("name").textValue());
    assertEquals(1, f.target().connectionsAccepted());
  }

  @Test
  void concurrentCallsEachGetTheirOwnAnswer() throws Exception {
    for (int i = 0; i < 16; i++) {
      f.target().store().putLvol("r" + i, 4 << 20);
    }
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        int ok = 0;
        for (int i = 0; i < 100; i++) {
          String name = JsonRpcTestTarget.LVS_NAME + "/r" + ((thread * 7 + i) % 16);
          JsonNode bdev = f.client().call("bdev_get_bdevs", Map.of("name", name)).get(0);
          assertEquals(name, bdev.get("aliases").get(0).textValue());
          ok++;
        }
        return ok;
      }));
    }
    for (Future<Integer> r : results) {
      assertEquals(100, r.get());
    }
    assertEquals(1, f.target().connectionsAccepted());
    assertEquals(0, f.client().pendingCount());
  }

  @Test
  void timeoutThenTheLateAnswerIsDroppedAndTheConnectionKept() throws Exception {
    f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(400)));
    JsonRpcException e = assertThrows(JsonRpcException.class,
        () -> f.client().call("bdev_get_bdevs", null, Duration.ofMillis(100)));
    assertEquals(Kind.TIMEOUT, e.kind());
    assertTrue(!e.outcomeKnown());
    Thread.sleep(600); // the late answer arrives and must be dropped quietly
    assertEquals(2, lvstores().size());
    assertEquals(1, f.target().connectionsAccepted());
    assertEquals(1, f.client().connectionsOpened());
  }

  @Test
  void reconnectsAfterTheServerDropsTheConnection() throws Exception {
    lvstores();
    f.target().dropConnections();
    assertEquals(2, eventually(this::lvstores).size());
    assertEquals(2, f.target().connectionsAccepted());
    assertEquals(2, f.client().connectionsOpened());
  }

  @Test
  void aConnectionClosedMidResponseFailsTheCallAsUnavailableThenReconnects() throws Exception {
    f.target().inject("bdev_lvol_get_lvstores", Fault.of(Action.TRUNCATE));
    JsonRpcException e = assertThrows(JsonRpcException.class, this::lvstores);
    assertEquals(Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("middle of a response"), e.getMessage());
    assertEquals(2, eventually(this::lvstores).size());
  }

  /**
   * An answer cut off on a connection that stays open: without the stall check, the next answer
   * is read as the continuation of the cut one and every later call times out. The cut call
   * fails as a protocol error, the connection is dropped, and the very next call works.
   */
  @Test
  void anAnswerCutOffOnAnOpenConnectionDropsItAndTheNextCallWorks() throws Exception {
    assertEquals(2, lvstores().size());
    f.target().inject("bdev_lvol_get_lvstores", Fault.of(Action.TRUNCATE_OPEN));
    JsonRpcException e = assertThrows(JsonRpcException.class,
        () -> f.client().call("bdev_lvol_get_lvstores", null, Duration.ofMillis(500)));
    assertEquals(Kind.PROTOCOL, e.kind(), e::getMessage);
    assertTrue(e.getMessage().contains("cut off"), e.getMessage());
    assertEquals(2, lvstores().size()); // no retry: the next call itself
    assertEquals(2, f.client().connectionsOpened());
    assertEquals(2, f.target().connectionsAccepted());
  }

  /**
   * {@code "id":null} (SPDK could not read a request's envelope): matched to no call; every
   * call pending on the connection fails as a protocol error naming SPDK's code and text, and
   * the next call connects again.
   */
  @Test
  void anIdNullAnswerFailsThePendingCallsAndIsMatchedToNone() throws Exception {
    JsonRpcException e = rawAnswerDropsTheConnection("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
        + "\"message\":\"Invalid request\"}}\n");
    assertTrue(e.getMessage().contains("\"id\":null (error -32600: Invalid request)"),
        e.getMessage());
  }

  /**
   * An answer with a pending id that is not a JSON-RPC response (here {@code "jsonrpc":"1.0"};
   * the other cases are in {@link HostileResponsesTest}) fails its call and drops the connection:
   * a call pending beside it fails too, as a protocol error, and the next call reconnects.
   */
  @Test
  void anAnswerThatIsNotJsonRpcDropsTheConnectionAndItsOtherCalls() throws Exception {
    JsonRpcException e =
        rawAnswerDropsTheConnection("{\"jsonrpc\":\"1.0\",\"id\":$ID,\"result\":[]}\n");
    assertTrue(e.getMessage().contains("jsonrpc"), e.getMessage());
  }

  /**
   * With a {@code bdev_get_bdevs} call held pending, {@code bdev_lvol_get_lvstores} is answered
   * with {@code raw}: that call and the pending one fail as protocol errors, and the next call
   * opens a second connection and works.
   *
   * @return the {@code bdev_lvol_get_lvstores} call's exception
   */
  private JsonRpcException rawAnswerDropsTheConnection(String raw) throws Exception {
    CountDownLatch applied = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    f.target().inject("bdev_get_bdevs", Fault.holdAnswer(applied, release));
    Future<JsonRpcException> held = pool.submit(() -> assertThrows(JsonRpcException.class,
        () -> f.client().call("bdev_get_bdevs", null)));
    assertTrue(applied.await(10, TimeUnit.SECONDS));
    f.target().inject("bdev_lvol_get_lvstores", Fault.raw(raw));
    JsonRpcException e = assertThrows(JsonRpcException.class, this::lvstores);
    assertEquals(Kind.PROTOCOL, e.kind(), e::getMessage);
    JsonRpcException other = held.get(10, TimeUnit.SECONDS);
    assertEquals(Kind.PROTOCOL, other.kind(), other::getMessage);
    release.countDown();
    assertEquals(2, lvstores().size());
    assertEquals(2, f.client().connectionsOpened());
    return e;
  }

  /** Pipelined answers in another order than the requests (SPDK does this) go to their calls. */
  @Test
  void answersOutOfOrderInOneReadGoToTheirCalls() throws Exception {
    JsonCodec codec = new JsonCodec(Limits.DEFAULT);
    ResponseDispatcher d = new ResponseDispatcher(codec, Limits.DEFAULT);
    var one = d.register(1, "a");
    var two = d.register(2, "b");
    var three = d.register(3, "c");
    byte[] bytes = ("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-17,"
        + "\"message\":\"File exists\"}}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"one\"}\n"
        + "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"two\"}\n")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      if (cut > 0) { // again, cut in two at every place, with fresh calls
        d = new ResponseDispatcher(codec, Limits.DEFAULT);
        one = d.register(1, "a");
        two = d.register(2, "b");
        three = d.register(3, "c");
      }
      d.onBytes(bytes, 0, cut);
      d.onBytes(bytes, cut, bytes.length - cut);
      assertEquals("one", one.get().textValue());
      assertEquals("two", two.get().textValue());
      var failed = three;
      JsonRpcException e = assertInstanceOf(JsonRpcException.class,
          assertThrows(java.util.concurrent.ExecutionException.class, failed::get).getCause());
      assertEquals(-17, e.code());
      assertEquals(0, d.pendingCount());
    }
  }

  @Test
  void everyPendingCallFailsWhenTheConnectionCloses() throws Exception {
    f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(4000)));
    f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(4000)));
    Future<Kind> a = pool.submit(() -> kindOf(() -> f.client().call("bdev_get_bdevs", null)));
    Future<Kind> b = pool.submit(() -> kindOf(() -> f.client().call("bdev_get_bdevs", null)));
    awaitPending(2);
    f.target().inject("bdev_lvol_get_lvstores", Fault.of(Action.CLOSE));
    long t0 = System.nanoTime();
    assertEquals(Kind.UNAVAILABLE, kindOf(this::lvstores));
    assertEquals(Kind.UNAVAILABLE, a.get());
    assertEquals(Kind.UNAVAILABLE, b.get());
    assertTrue((System.nanoTime() - t0) < 3_000_000_000L, "pending calls waited for the delay");
  }

  @Test
  void noServerIsUnavailable() throws Exception {
    Path nowhere = f.dir().resolve("nobody.sock");
    try (JsonRpcClient c = JsonRpcClient.builder(nowhere).build()) {
      assertEquals(Kind.UNAVAILABLE, kindOf(() -> c.call("bdev_get_bdevs", null)));
    }
    // a socket file with nobody listening (server gone, file left behind)
    Path stale = f.dir().resolve("stale.sock");
    try (var server = java.nio.channels.ServerSocketChannel.open(
        java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(stale));
    }
    assertTrue(Files.exists(stale));
    try (JsonRpcClient c = JsonRpcClient.builder(stale).build()) {
      assertEquals(Kind.UNAVAILABLE, kindOf(() -> c.call("bdev_get_bdevs", null)));
    }
  }

  @Test
  void anAnswerWithAWrongIdIsNeverDeliveredAndDropsTheConnection() throws Exception {
    f.target().store().putLvol("a", 4 << 20);
    f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(1000)));
    Future<Object> pending = pool.submit(() -> {
      try {
        return f.client().call("bdev_get_bdevs", null);
      } catch (JsonRpcException e) {
        return e.kind();
      }
    });
    awaitPending(1);
    f.target().inject("bdev_lvol_get_lvstores", Fault.of(Action.WRONG_ID));
    JsonRpcException e = assertThrows(JsonRpcException.class, this::lvstores);
    assertEquals(Kind.PROTOCOL, e.kind());
    assertTrue(e.getMessage().contains("matches no pending call"), e.getMessage());
    // the other caller did not get the stray answer: its call failed with the connection
    assertEquals(Kind.PROTOCOL, pending.get());
    assertEquals(2, eventually(this::lvstores).size());
  }

  @Test
  void aDuplicateAnswerIsDeliveredOnceThenTheConnectionIsDropped() throws Exception {
    f.target().inject("bdev_lvol_get_lvstores", Fault.of(Action.DUPLICATE));
    assertEquals(2, lvstores().size());
    assertEquals(2, eventually(this::lvstores).size());
    assertEquals(2, f.target().connectionsAccepted());
  }

  @Test
  void garbageIsAProtocolError() throws Exception {
    f.target().inject(null, Fault.of(Action.GARBAGE));
    assertEquals(Kind.PROTOCOL, kindOf(this::lvstores));
    assertEquals(2, eventually(this::lvstores).size());
  }

  @Test
  void anErrorAnswerKeepsCodeAndMessage() throws Exception {
    f.target().inject(null, Fault.error(-16, "Device or resource busy"));
    JsonRpcException e = assertThrows(JsonRpcException.class, this::lvstores);
    assertEquals(Kind.ERROR_RESPONSE, e.kind());
    assertEquals(-16, e.code());
    assertEquals("Device or resource busy", e.serverMessage());
    assertTrue(e.outcomeKnown());
    assertEquals(-32601, assertThrows(JsonRpcException.class,
        () -> f.client().call("no_such_method", null)).code());
    assertEquals(1, f.client().connectionsOpened());
  }

  @Test
  void unknownFieldsAreIgnored() throws Exception {
    f.target().inject(null, Fault.raw(
        "{\"jsonrpc\":\"2.0\",\"future\":{\"x\":[1,2]},\"id\":$ID,\"result\":7,\"more\":null}"));
    assertEquals(7, lvstores().intValue());
  }

  @Test
  void anOversizedAnswerIsCutOffWithinTheLimit() throws Exception {
    try (TargetFixture small = TargetFixture.start(b -> b.maxMessageBytes(64 * 1024))) {
      // 20 MB of string: the client must give up after 64 KiB, not buffer it all
      small.target().inject(null, Fault.rawThenClose(
          "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"" + "x".repeat(20_000_000) + "\"}"));
      JsonRpcException e = assertThrows(JsonRpcException.class,
          () -> small.client().call("bdev_get_bdevs", null));
      assertEquals(Kind.PROTOCOL, e.kind());
      assertTrue(e.getMessage().contains("longer than 65536"), e.getMessage());
    }
  }

  @Test
  void deepNestingIsRejected() throws Exception {
    f.target().inject(null, Fault.rawThenClose(
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":" + "[".repeat(10_000) + "]".repeat(10_000)
            + "}"));
    JsonRpcException e = assertThrows(JsonRpcException.class, this::lvstores);
    assertEquals(Kind.PROTOCOL, e.kind());
    // Jackson's stream read constraint, or the reader's own count: whichever sees it first
    assertTrue(e.getMessage().contains("nesting depth (65) exceeds the maximum allowed (64")
        || e.getMessage().contains("nested deeper than 64"), e.getMessage());
  }

  @Test
  void aStringOverTheLimitIsRejected() throws Exception {
    try (TargetFixture small = TargetFixture.start(b -> b.maxStringLength(1000))) {
      small.target().inject(null, Fault.raw(
          "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"" + "y".repeat(5000) + "\"}"));
      JsonRpcException e = assertThrows(JsonRpcException.class,
          () -> small.client().call("bdev_get_bdevs", null));
      assertEquals(Kind.PROTOCOL, e.kind());
      assertTrue(e.getMessage().contains("String value length"), e.getMessage());
    }
  }

  @Test
  void closingTheClientFailsPendingAndLaterCalls() throws Exception {
    f.target().inject(null, Fault.delay(Duration.ofMillis(3000)));
    CountDownLatch started = new CountDownLatch(1);
    Future<Kind> pending = pool.submit(() -> {
      started.countDown();
      return kindOf(this::lvstores);
    });
    started.await();
    awaitPending(1);
    f.client().close();
    assertEquals(Kind.UNAVAILABLE, pending.get(1, TimeUnit.SECONDS));
    JsonRpcException e = assertThrows(JsonRpcException.class, this::lvstores);
    assertEquals(Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("client closed"));
  }

  @Test
  void anInterruptedCallIsATimeoutAndKeepsTheFlag() throws Exception {
    f.target().inject(null, Fault.delay(Duration.ofMillis(2000)));
    Future<String> r = pool.submit(() -> {
      Thread.currentThread().interrupt();
      JsonRpcException e = assertThrows(JsonRpcException.class, this::lvstores);
      return e.kind() + " " + Thread.currentThread().isInterrupted();
    });
    assertEquals("TIMEOUT true", r.get());

    // interrupted while waiting: only that caller gives up, the connection stays
    lvstores();
    f.target().inject("bdev_get_bdevs", Fault.delay(Duration.ofMillis(1000)));
    CountDownLatch calling = new CountDownLatch(1);
    Thread[] caller = new Thread[1];
    Future<Kind> waiting = pool.submit(() -> {
      caller[0] = Thread.currentThread();
      calling.countDown();
      return kindOf(() -> f.client().call("bdev_get_bdevs", null));
    });
    calling.await();
    awaitPending(1);
    caller[0].interrupt();
    assertEquals(Kind.TIMEOUT, waiting.get());
    assertEquals(2, lvstores().size());
    assertEquals(1, f.target().connectionsAccepted());
  }

  @Test
  void builderRejectsBadSettings() {
    JsonRpcClient.Builder b = JsonRpcClient.builder(Path.of("/x"));
    assertThrows(IllegalArgumentException.class, () -> b.callTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> b.maxMessageBytes(0).build());
  }
}
