package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolBusyException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreTimeoutException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A protocol test double, <em>not SPDK</em>: a JSON-RPC 2.0 server on a Unix domain socket that
 * answers the five methods the store uses ({@code bdev_wait_for_examine}, {@code
 * bdev_lvol_get_lvstores}, {@code bdev_get_bdevs}, {@code bdev_lvol_create}, {@code
 * bdev_lvol_delete}) with SPDK-shaped payloads (field sets taken from {@code
 * src/test/resources/spdk-samples/} and from spdk_tgt v26.05), backed by an {@link
 * InMemoryLvolStore}.
 *
 * <p>It models one lvol store ({@link #LVS_NAME}, {@link #LVS_UUID}) on an AIO base bdev, plus a
 * second, foreign lvol store whose lvols the store under test must ignore. Like {@code spdk_tgt},
 * it writes concatenated JSON values with no delimiter, and answers requests out of order (each
 * request is handled on its own pool thread; slow ones do not hold up others).
 *
 * <p>As spdk_tgt v26.05 does (checked against it): {@code bdev_wait_for_examine} answers {@code
 * true}, and -32602 "bdev_wait_for_examine requires no parameters" to any params; {@code
 * bdev_lvol_get_lvstores} without params lists every lvol store, with {@code uuid} (any case) or
 * {@code lvs_name} one, -19 for an unknown one, -22 "Invalid argument" for both or neither,
 * -32603 "spdk_json_decode_object failed" for unknown or mistyped params; an lvol being deleted
 * is no longer listed, a second delete of it answers -32603 "Device or resource busy" and a
 * create of its name -17.
 *
 * <p>Faults: {@link #inject(String, Fault)} queues a protocol fault for the next request of a
 * method (or of any method); faults injected into the backing {@link InMemoryLvolStore} turn into
 * what SPDK would do: REJECT answers -16 "Device or resource busy", UNAVAILABLE closes the
 * connection, timeouts send no answer, an entry the backing listing reports unreadable is sent
 * with {@code num_blocks} as a string. The lvol store can be made absent, half-loaded or renamed
 * ({@link #lvstoreState}, {@link #renameLvstore}), an lvol entry altered ({@link #alterEntry}),
 * and a delete left pending ({@link #startDelete}). The backing store's kind {@link
 * LvolKind#OTHER} is shown as a backing image ({@code snapshot: true}).
 *
 * <p><b>Thread-safety:</b> safe for concurrent use.
 */
final class JsonRpcTestTarget implements AutoCloseable {

  static final String LVS_NAME = "test-disk";
  static final String LVS_UUID = "6579330a-4748-472c-a249-adce070ec15e";
  static final String BASE_BDEV = "aio-test-disk";
  static final String FOREIGN_LVS_NAME = "disk-2";
  static final String FOREIGN_LVS_UUID = "1e729cce-7c53-47d8-98f2-c29071394dde";
  static final long BLOCK_SIZE = 4096;
  static final long MIB = 1L << 20;
  static final long DEFAULT_CLUSTER_SIZE = 4 * MIB;
  static final long TOTAL_CLUSTERS = 1L << 20;

  /** How the target shows its lvol store ({@link #LVS_UUID}). */
  enum LvstoreState {
    /** Listed, with its lvols: what SPDK shows once examine has finished. */
    LOADED,
    /**
     * Not listed, nor its lvols (not loaded yet after a restart, hot-removed): requests that name
     * it or its lvols get -19 "No such device".
     */
    ABSENT,
    /**
     * Being examined: listed, but the lvols it had when this state was set are not open yet, so
     * not listed and not found: SPDK registers an lvol store before it opens its lvols
     * (vbdev_lvol.c {@code _vbdev_lvs_examine_cb}). The next {@code bdev_wait_for_examine}
     * finishes the examine ({@link #LOADED}) before it answers.
     */
    OPENING
  }

  /** What a protocol fault does to the answer of one request. */
  enum Action {
    /** Waits, then handles the request normally. */
    DELAY,
    /**
     * Handles the request at once, then waits before answering (a listing taken before the
     * wait, answered after it).
     */
    DELAY_ANSWER,
    /**
     * Handles the request at once, counts down {@code applied}, and answers only once {@code
     * release} is open: a deterministic stale answer.
     */
    HOLD_ANSWER,
    /** Answers with an error object; the request is not applied. */
    ERROR,
    /** Applies the request and sends no answer. */
    DROP,
    /** Applies the request and closes the connection without answering. */
    CLOSE,
    /** Applies the request, writes the first half of the answer, closes the connection. */
    TRUNCATE,
    /**
     * Applies the request, writes the first half of the answer without the line feed, and keeps
     * the connection open.
     */
    TRUNCATE_OPEN,
    /** Applies the request and writes non-JSON bytes instead of the answer. */
    GARBAGE,
    /** Applies the request and answers with an id that was never sent. */
    WRONG_ID,
    /** Applies the request and sends its answer twice. */
    DUPLICATE,
    /**
     * Does not apply the request; writes the given bytes, with {@code $ID} replaced by the
     * request id.
     */
    RAW,
    /** Like {@link #RAW}, then closes the connection. */
    RAW_THEN_CLOSE
  }

  /** One protocol fault. */
  record Fault(Action action, Duration delay, int code, String message, byte[] raw,
      CountDownLatch applied, CountDownLatch release) {

    Fault(Action action, Duration delay, int code, String message, byte[] raw) {
      this(action, delay, code, message, raw, null, null);
    }

    static Fault holdAnswer(CountDownLatch applied, CountDownLatch release) {
      return new Fault(Action.HOLD_ANSWER, Duration.ZERO, 0, null, null, applied, release);
    }

    static Fault delay(Duration d) {
      return new Fault(Action.DELAY, d, 0, null, null);
    }

    static Fault delayAnswer(Duration d) {
      return new Fault(Action.DELAY_ANSWER, d, 0, null, null);
    }

    static Fault error(int code, String message) {
      return new Fault(Action.ERROR, Duration.ZERO, code, message, null);
    }

    static Fault of(Action action) {
      return new Fault(action, Duration.ZERO, 0, null, null);
    }

    static Fault raw(String text) {
      return raw(text.getBytes(StandardCharsets.UTF_8));
    }

    static Fault raw(byte[] bytes) {
      return new Fault(Action.RAW, Duration.ZERO, 0, null, bytes);
    }

    static Fault rawThenClose(String text) {
      return new Fault(Action.RAW_THEN_CLOSE, Duration.ZERO, 0, null,
          text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private record Queued(String method, Fault fault) {}

  private static final Limits REQUEST_LIMITS = new Limits(1 << 20, 64, 1 << 20, 64, 1024, 16);
  private static final JsonCodec REQUEST_CODEC = new JsonCodec(REQUEST_LIMITS);

  private final Path socketPath;
  private final InMemoryLvolStore store;
  private final long clusterSize;
  private final ServerSocketChannel server;
  private final ObjectMapper json = new ObjectMapper();
  private final ExecutorService workers;
  private final Thread acceptor;
  private final Deque<Queued> faults = new ArrayDeque<>(); // guarded by itself
  private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> foreignLvols = new ConcurrentHashMap<>();
  private final Map<String, Function<ObjectNode, List<JsonNode>>> alterations =
      new ConcurrentHashMap<>();
  private final Set<String> notOpen = ConcurrentHashMap.newKeySet();
  private final Deque<String> methods = new ArrayDeque<>(); // guarded by itself; the last 1000
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();
  private volatile LvstoreState lvstoreState = LvstoreState.LOADED;
  private volatile boolean examineAfterNextWait;
  private volatile String lvsName = LVS_NAME;
  private volatile boolean closed;

  private JsonRpcTestTarget(Path socketPath, InMemoryLvolStore store, long clusterSize)
      throws IOException {
    this.socketPath = socketPath;
    this.store = store;
    this.clusterSize = clusterSize;
    Files.deleteIfExists(socketPath);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socketPath), 64);
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "test-target-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "test-target-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a target on {@code socketPath} (an existing file there is replaced). */
  static JsonRpcTestTarget start(Path socketPath, InMemoryLvolStore store) throws IOException {
    return new JsonRpcTestTarget(socketPath, store, DEFAULT_CLUSTER_SIZE);
  }

  /** Starts a target with a given cluster size. */
  static JsonRpcTestTarget start(Path socketPath, InMemoryLvolStore store, long clusterSize)
      throws IOException {
    return new JsonRpcTestTarget(socketPath, store, clusterSize);
  }

  Path socketPath() {
    return socketPath;
  }

  InMemoryLvolStore store() {
    return store;
  }

  long clusterSize() {
    return clusterSize;
  }

  /** Queues a fault for the next request of {@code method} ({@code null}: of any method). */
  void inject(String method, Fault fault) {
    synchronized (faults) {
      faults.addLast(new Queued(method, Objects.requireNonNull(fault)));
    }
  }

  void clearFaults() {
    synchronized (faults) {
      faults.clear();
    }
  }

  /** Adds an lvol to the foreign lvol store (the store under test must not list it). */
  void putForeignLvol(String name, long sizeBytes) {
    foreignLvols.put(name, sizeBytes);
  }

  /**
   * Shows the lvol store as {@code state} from now on. {@link LvstoreState#OPENING} hides the
   * lvols it has now until the state changes.
   */
  synchronized void lvstoreState(LvstoreState state) {
    notOpen.clear();
    if (state == LvstoreState.OPENING) {
      for (Lvol l : store.lvols()) {
        notOpen.add(l.name());
      }
    }
    lvstoreState = Objects.requireNonNull(state);
  }

  /**
   * Makes the lvol store appear just after the next {@code bdev_wait_for_examine} has answered:
   * absent until then, {@link LvstoreState#OPENING} from then on (an examine that starts after a
   * listing's wait: that listing sees the lvol store without its lvols).
   */
  synchronized void examineAfterNextWait() {
    lvstoreState(LvstoreState.ABSENT);
    examineAfterNextWait = true;
  }

  /** Renames the lvol store ({@code bdev_lvol_rename_lvstore}): same UUID, aliases follow. */
  void renameLvstore(String newName) {
    lvsName = Objects.requireNonNull(newName);
  }

  /** The lvol store's name now. */
  String lvstoreName() {
    return lvsName;
  }

  /**
   * Replaces the {@code bdev_get_bdevs} entry of lvol {@code lvolName} (of the test lvol store)
   * with what {@code change} makes of it (any number of entries, of any JSON type), in every
   * answer until {@link #clearAlterations()}.
   */
  void alterEntry(String lvolName, Function<ObjectNode, List<JsonNode>> change) {
    alterations.put(lvolName, Objects.requireNonNull(change));
  }

  void clearAlterations() {
    alterations.clear();
  }

  /**
   * Starts a delete of lvol {@code lvolName} that SPDK has not finished: the lvol is no longer
   * listed, another delete answers -32603 "Device or resource busy", a create of the name -17.
   * It finishes with {@code store().finishLate(lvolName, true)} (or {@code landLate()}); pending
   * calls of the backing store land only when asked from now on.
   */
  void startDelete(String lvolName) throws StoreException {
    store.setLateLanding(0);
    store.failNext(InMemoryLvolStore.Call.DELETE, 1, InMemoryLvolStore.Fault.TIMEOUT_LATE);
    try {
      store.deleteLvol(lvolName);
      throw new IllegalStateException("the delete of " + lvolName + " was not left pending");
    } catch (StoreTimeoutException pending) {
      // started, not finished
    }
    if (!store.pendingLate().contains(lvolName)) {
      throw new IllegalStateException("no lvol " + lvolName + " to start deleting");
    }
  }

  /** The methods of the last (up to 1000) requests, in the order they were handled. */
  List<String> methodsReceived() {
    synchronized (methods) {
      return List.copyOf(methods);
    }
  }

  void clearMethodsReceived() {
    synchronized (methods) {
      methods.clear();
    }
  }

  /** Connections accepted so far. */
  int connectionsAccepted() {
    return accepted.get();
  }

  /** Requests received so far. */
  long requestsReceived() {
    return requests.get();
  }

  /** Closes every open connection (like a target restart, without losing the lvols). */
  void dropConnections() {
    for (Conn c : conns) {
      c.close();
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    dropConnections();
    workers.shutdownNow();
    try {
      acceptor.join(2000);
      workers.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(socketPath);
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      Conn c = new Conn(ch);
      conns.add(c);
      Thread t = new Thread(c::readLoop, "test-target-conn-" + accepted.get());
      t.setDaemon(true);
      t.start();
    }
  }

  private Fault takeFault(String method) {
    synchronized (faults) {
      for (Iterator<Queued> it = faults.iterator(); it.hasNext(); ) {
        Queued q = it.next();
        if (q.method() == null || q.method().equals(method)) {
          it.remove();
          return q.fault();
        }
      }
      return null;
    }
  }

  /** One client connection. */
  private final class Conn {
    private final SocketChannel ch;
    private final Object writeLock = new Object();

    Conn(SocketChannel ch) {
      this.ch = ch;
    }

    void readLoop() {
      // Requests are read as SPDK reads them: a malformed one closes the connection.
      JsonMessageReader reader =
          new JsonMessageReader(REQUEST_CODEC, REQUEST_LIMITS);
      byte[] buf = new byte[16 * 1024];
      try {
        while (true) {
          int n = ch.read(ByteBuffer.wrap(buf));
          if (n < 0) {
            break;
          }
          List<JsonNode> frames = new ArrayList<>();
          reader.feed(buf, 0, n, frames::add);
          for (JsonNode frame : frames) {
            requests.incrementAndGet();
            workers.execute(() -> handle(frame));
          }
        }
      } catch (IOException | JsonMessageReader.Violation | JsonRpcException
          | RuntimeException e) {
        // connection over
      } finally {
        close();
      }
    }

    void close() {
      conns.remove(this);
      try {
        ch.close();
      } catch (IOException ignored) {
        // already closed
      }
    }

    void write(byte[] bytes) {
      synchronized (writeLock) {
        try {
          ByteBuffer b = ByteBuffer.wrap(bytes);
          while (b.hasRemaining()) {
            ch.write(b);
          }
        } catch (IOException e) {
          close();
        }
      }
    }

    private void handle(JsonNode req) {
      JsonNode id = req.get("id");
      JsonNode method = req.get("method");
      if (!"2.0".equals(req.path("jsonrpc").textValue()) || method == null
          || !method.isTextual()) {
        write(error(id, -32600, "Invalid request"));
        return;
      }
      synchronized (methods) {
        if (methods.size() == 1000) {
          methods.removeFirst();
        }
        methods.addLast(method.textValue());
      }
      Fault fault = takeFault(method.textValue());
      if (fault != null && fault.action() == Action.DELAY) {
        sleep(fault.delay());
        fault = null;
      }
      if (fault != null && fault.action() == Action.ERROR) {
        write(error(id, fault.code(), fault.message()));
        return;
      }
      if (fault != null
          && (fault.action() == Action.RAW || fault.action() == Action.RAW_THEN_CLOSE)) {
        String idText = id == null ? "null" : id.toString();
        String text = new String(fault.raw(), StandardCharsets.ISO_8859_1);
        write(text.replace("$ID", idText).getBytes(StandardCharsets.ISO_8859_1));
        if (fault.action() == Action.RAW_THEN_CLOSE) {
          close();
        }
        return;
      }
      byte[] answer;
      try {
        answer = result(id, dispatch(method.textValue(), req.get("params")));
      } catch (RpcError e) {
        answer = error(id, e.code, e.getMessage());
      } catch (StoreUnavailableException e) {
        close();
        return;
      } catch (StoreTimeoutException e) {
        return; // no answer
      } catch (StoreRejectedException e) {
        // InMemoryLvolStore's REJECT is EBUSY; SPDK sends the bare errno text.
        answer = error(id, e.code(),
            e.code() == InMemoryLvolStore.REJECT_CODE ? "Device or resource busy" : e.getMessage());
      } catch (StoreException e) {
        answer = error(id, e.code(), e.getMessage());
      }
      if (fault == null) {
        write(answer);
        return;
      }
      switch (fault.action()) {
        case DELAY_ANSWER -> {
          sleep(fault.delay());
          write(answer);
        }
        case HOLD_ANSWER -> {
          fault.applied().countDown();
          try {
            fault.release().await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          write(answer);
        }
        case DROP -> { }
        case CLOSE -> close();
        case TRUNCATE -> {
          write(java.util.Arrays.copyOf(answer, answer.length / 2));
          close();
        }
        case TRUNCATE_OPEN -> write(java.util.Arrays.copyOf(answer, answer.length / 2));
        case GARBAGE -> write("\u0000<html>garbage</html>".getBytes(StandardCharsets.UTF_8));
        case WRONG_ID -> {
          long wrong = (id == null ? 0 : id.asLong()) + 1_000_000;
          ObjectNode o = (ObjectNode) readTreeUnchecked(answer);
          o.put("id", wrong);
          write(line(writeUnchecked(o)));
        }
        case DUPLICATE -> {
          write(answer);
          write(answer);
        }
        default -> throw new IllegalStateException("unhandled fault " + fault);
      }
    }
  }

  /** An error answer decided by the target itself. */
  private static final class RpcError extends Exception {
    final int code;

    RpcError(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  private JsonNode dispatch(String method, JsonNode params) throws RpcError, StoreException {
    return switch (method) {
      case "bdev_wait_for_examine" -> waitForExamine(params);
      case "bdev_get_bdevs" -> getBdevs(params);
      case "bdev_lvol_get_lvstores" -> getLvstores(params);
      case "bdev_lvol_create" -> createLvol(params);
      case "bdev_lvol_delete" -> deleteLvol(params);
      default -> throw new RpcError(-32601, "Method not found");
    };
  }

  private JsonNode getBdevs(JsonNode params) throws RpcError, StoreException {
    String name = null;
    if (params != null) {
      if (!params.isObject()) {
        throw invalidParams();
      }
      JsonNode n = params.get("name");
      if (n != null && !n.isTextual()) {
        throw invalidParams();
      }
      name = n == null ? null : n.textValue();
    }
    ArrayNode all = json.createArrayNode();
    all.add(baseBdev());
    for (JsonNode entry : ourLvols()) {
      all.add(entry);
    }
    int i = 0;
    for (Map.Entry<String, Long> e : foreignLvols.entrySet()) {
      all.add(lvolBdev(FOREIGN_LVS_NAME, FOREIGN_LVS_UUID, e.getKey(),
          String.format("f0000000-0000-4000-8000-%012d", i++), e.getValue(), LvolKind.HEAD));
    }
    if (name == null) {
      return all;
    }
    for (JsonNode b : all) {
      if (b.isObject() && (name.equals(b.path("name").textValue())
          || containsText(b.get("aliases"), name))) {
        return json.createArrayNode().add(b);
      }
    }
    throw new RpcError(-19, "No such device");
  }

  /**
   * The entries of the test lvol store's lvols as {@code bdev_get_bdevs} shows them now: none
   * while the lvol store is absent, not the ones not open yet, not the ones being deleted;
   * altered as asked.
   */
  private List<JsonNode> ourLvols() throws StoreException {
    LvolListing listing = store.listLvols(); // a LIST call of the backing store: takes its faults
    List<JsonNode> out = new ArrayList<>();
    if (lvstoreState == LvstoreState.ABSENT) {
      return out;
    }
    String lvs = lvsName;
    Set<String> deleting = new TreeSet<>();
    for (String n : store.pendingLate()) {
      if (!store.pendingCreate(n).orElse(true)) {
        deleting.add(n);
      }
    }
    Map<String, ObjectNode> entries = new java.util.TreeMap<>();
    for (Lvol lvol : listing.lvols()) {
      entries.put(lvol.name(), lvolBdev(lvs, LVS_UUID, lvol.name(), lvol.uuid(), lvol.sizeBytes(),
          lvol.kind()));
    }
    Set<String> unreadable = new TreeSet<>();
    for (LvolListing.Unreadable u : listing.unreadable()) {
      unreadable.addAll(u.names());
    }
    for (Lvol lvol : store.lvols()) {
      if (unreadable.contains(lvol.name())) {
        ObjectNode b = lvolBdev(lvs, LVS_UUID, lvol.name(), lvol.uuid(), lvol.sizeBytes(),
            lvol.kind());
        b.put("num_blocks", "unreadable");
        entries.put(lvol.name(), b);
      }
    }
    for (Map.Entry<String, ObjectNode> e : entries.entrySet()) {
      String name = e.getKey();
      if (notOpen.contains(name) || deleting.contains(name)) {
        continue;
      }
      Function<ObjectNode, List<JsonNode>> change = alterations.get(name);
      if (change == null) {
        out.add(e.getValue());
      } else {
        out.addAll(change.apply(e.getValue()));
      }
    }
    return out;
  }

  /** Answers once no examine is running; an examine that starts after it is not waited for. */
  private JsonNode waitForExamine(JsonNode params) throws RpcError {
    if (params != null) {
      throw new RpcError(-32602, "bdev_wait_for_examine requires no parameters");
    }
    synchronized (this) {
      if (lvstoreState == LvstoreState.OPENING) {
        lvstoreState(LvstoreState.LOADED);
      }
      if (examineAfterNextWait) {
        examineAfterNextWait = false;
        lvstoreState(LvstoreState.OPENING); // the examine starts as the answer leaves
      }
    }
    return json.getNodeFactory().booleanNode(true);
  }

  private JsonNode getLvstores(JsonNode params) throws RpcError {
    boolean ours = lvstoreState != LvstoreState.ABSENT;
    String name = lvsName;
    ArrayNode out = json.createArrayNode();
    if (params == null) {
      if (ours) {
        out.add(lvstore(name, LVS_UUID));
      }
      out.add(lvstore(FOREIGN_LVS_NAME, FOREIGN_LVS_UUID));
      return out;
    }
    // as rpc_bdev_lvol_get_lvstores: decode {uuid, lvs_name}, then exactly one of them
    if (!params.isObject()) {
      throw new RpcError(-32603, "spdk_json_decode_object failed");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!Set.of("uuid", "lvs_name").contains(f.getKey()) || !f.getValue().isTextual()) {
        throw new RpcError(-32603, "spdk_json_decode_object failed");
      }
    }
    String uuid = textOrNull(params, "uuid");
    String lvs = textOrNull(params, "lvs_name");
    if ((uuid == null) == (lvs == null)) {
      throw new RpcError(-22, "Invalid argument");
    }
    if (ours && (LVS_UUID.equalsIgnoreCase(uuid) || name.equals(lvs))) {
      return out.add(lvstore(name, LVS_UUID));
    }
    if (FOREIGN_LVS_UUID.equalsIgnoreCase(uuid) || FOREIGN_LVS_NAME.equals(lvs)) {
      return out.add(lvstore(FOREIGN_LVS_NAME, FOREIGN_LVS_UUID));
    }
    throw new RpcError(-19, "No such device");
  }

  private JsonNode createLvol(JsonNode params) throws RpcError, StoreException {
    if (params == null || !params.isObject()) {
      throw invalidParams();
    }
    String name = textOrNull(params, "lvol_name");
    JsonNode mib = params.get("size_in_mib");
    String uuid = textOrNull(params, "uuid");
    String lvsName = textOrNull(params, "lvs_name");
    String clear = textOrNull(params, "clear_method");
    if (name == null || name.isEmpty() || name.contains("/") || mib == null
        || !mib.isIntegralNumber() || mib.asLong() <= 0 || (uuid == null) == (lvsName == null)
        || (clear != null && !Set.of("none", "unmap", "write_zeroes").contains(clear))) {
      throw invalidParams();
    }
    if (lvstoreState == LvstoreState.ABSENT
        || !(LVS_UUID.equalsIgnoreCase(uuid) || this.lvsName.equals(lvsName))) {
      throw new RpcError(-19, "No such device");
    }
    long bytes = -Math.floorDiv(-mib.asLong() * MIB, clusterSize) * clusterSize;
    try {
      return json.getNodeFactory().textNode(store.createLvol(name, bytes).uuid());
    } catch (LvolAlreadyExistsException e) {
      throw new RpcError(-17, "File exists");
    }
  }

  private JsonNode deleteLvol(JsonNode params) throws RpcError, StoreException {
    String name = params == null || !params.isObject() ? null : textOrNull(params, "name");
    if (name == null) {
      throw invalidParams();
    }
    String lvolName = null;
    String lvs = lvsName;
    if (name.startsWith(lvs + "/")) {
      lvolName = name.substring(lvs.length() + 1);
    } else {
      for (Lvol l : store.lvols()) {
        if (l.uuid().equals(name)) {
          lvolName = l.name();
        }
      }
    }
    if (lvolName == null || lvstoreState == LvstoreState.ABSENT || notOpen.contains(lvolName)) {
      throw new RpcError(-19, "No such device");
    }
    try {
      store.deleteLvol(lvolName);
    } catch (LvolNotFoundException e) {
      throw new RpcError(-19, "No such device");
    } catch (LvolBusyException e) {
      throw new RpcError(-32603, "Device or resource busy"); // rpc_bdev_lvol_delete_cb: EBUSY
    }
    return json.getNodeFactory().booleanNode(true);
  }

  private ObjectNode baseBdev() {
    ObjectNode b = json.createObjectNode();
    b.put("name", BASE_BDEV);
    b.putArray("aliases");
    b.put("product_name", "AIO disk");
    b.put("block_size", BLOCK_SIZE);
    b.put("num_blocks", 2621440);
    b.put("uuid", "0b4f3b1e-1111-4c36-9a0a-aaaaaaaaaaaa");
    b.put("claimed", true);
    b.put("claim_type", "read_many_write_one");
    b.put("zoned", false);
    supportedIoTypes(b);
    ObjectNode aio = b.putObject("driver_specific").putObject("aio");
    aio.put("filename", "/dev/loop0");
    aio.put("block_size_override", true);
    aio.put("readonly", false);
    return b;
  }

  private ObjectNode lvolBdev(String lvs, String lvsUuid, String name, String uuid, long size,
      LvolKind kind) {
    ObjectNode b = json.createObjectNode();
    b.put("name", uuid);
    b.putArray("aliases").add(lvs + "/" + name);
    b.put("product_name", "Logical Volume");
    b.put("block_size", BLOCK_SIZE);
    b.put("num_blocks", -Math.floorDiv(-size, BLOCK_SIZE));
    b.put("uuid", uuid);
    b.put("creation_time", "2024-12-11T08:58:20Z");
    b.put("claimed", false);
    b.put("zoned", false);
    supportedIoTypes(b);
    ObjectNode l = b.putObject("driver_specific").putObject("lvol");
    l.put("lvol_store_uuid", lvsUuid);
    l.put("base_bdev", BASE_BDEV);
    l.put("thin_provision", true);
    l.put("num_clusters", -Math.floorDiv(-size, clusterSize));
    l.put("num_allocated_clusters", 0);
    // v26.05 sends "clones" only for a snapshot that has clones; the target models none
    l.put("snapshot", kind == LvolKind.SNAPSHOT || kind == LvolKind.OTHER);
    l.put("clone", false);
    l.put("esnap_clone", false);
    return b;
  }

  private void supportedIoTypes(ObjectNode b) {
    ObjectNode io = b.putObject("supported_io_types");
    for (String t : List.of("read", "write", "unmap", "write_zeroes", "flush", "reset")) {
      io.put(t, true);
    }
    io.put("nvme_admin", false);
    io.put("nvme_io", false);
  }

  /** An lvol store entry with spdk_tgt v26.05's fields, in its order. */
  private ObjectNode lvstore(String name, String uuid) {
    ObjectNode s = json.createObjectNode();
    s.put("uuid", uuid);
    s.put("name", name);
    s.put("base_bdev", BASE_BDEV);
    s.put("total_data_clusters", TOTAL_CLUSTERS);
    s.put("free_clusters", TOTAL_CLUSTERS - store.lvols().size());
    s.put("block_size", BLOCK_SIZE);
    s.put("cluster_size", clusterSize);
    s.put("max_growable_size", TOTAL_CLUSTERS * clusterSize * 32);
    return s;
  }

  private byte[] result(JsonNode id, JsonNode result) {
    ObjectNode o = json.createObjectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id);
    o.set("result", result);
    return line(writeUnchecked(o));
  }

  private byte[] error(JsonNode id, int code, String message) {
    ObjectNode o = json.createObjectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id == null ? json.nullNode() : id);
    ObjectNode e = o.putObject("error");
    e.put("code", code);
    e.put("message", message);
    return line(writeUnchecked(o));
  }

  /** An answer as SPDK writes it: compact JSON and one line feed. */
  private static byte[] line(byte[] json) {
    byte[] withLf = java.util.Arrays.copyOf(json, json.length + 1);
    withLf[json.length] = '\n';
    return withLf;
  }

  private byte[] writeUnchecked(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode readTreeUnchecked(byte[] bytes) {
    try {
      return json.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RpcError invalidParams() {
    return new RpcError(-32602, "Invalid parameters");
  }

  private static String textOrNull(JsonNode params, String field) {
    JsonNode n = params.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  private static boolean containsText(JsonNode array, String text) {
    if (array == null) {
      return false;
    }
    for (JsonNode n : array) {
      if (text.equals(n.textValue())) {
        return true;
      }
    }
    return false;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
