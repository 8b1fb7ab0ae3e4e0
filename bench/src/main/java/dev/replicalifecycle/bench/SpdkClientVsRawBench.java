package dev.replicalifecycle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.spdk.JsonRpcClient;
import dev.replicalifecycle.spdk.JsonRpcException;
import dev.replicalifecycle.spdk.SpdkLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The project's {@link JsonRpcClient} (one connection, calls multiplexed by id, reader and writer
 * threads) against a raw client (one blocking Unix-socket connection per thread, write the
 * request, read up to the answer's line feed, parse it with Jackson), both against a real
 * {@code spdk_tgt} with 100 thin lvols, for {@code bdev_lvol_get_lvstores} and {@code
 * bdev_get_bdevs} at 1, 4 and 16 threads.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.replicalifecycle.bench.SpdkClientVsRawBench \
 *     [--spdk DIR] [--seconds S] [--warmup S]
 * </pre>
 *
 * {@code --spdk}: the SPDK package (default: {@code SPDK_TGT}'s parent's parent, else {@code
 * ../shared/spdk} from the working directory). It starts its own target (socket and log in
 * {@code java.io.tmpdir}), and stops it at the end. Prints one Markdown table: p50, p99 and calls
 * per second for each case. Not thread-safe; a program, run once.
 */
public final class SpdkClientVsRawBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> METHODS = List.of("bdev_lvol_get_lvstores", "bdev_get_bdevs");
  private static final int[] THREADS = {1, 4, 16};

  private SpdkClientVsRawBench() {}

  /** One calling thread's way to make a call; returns the answer's size in bytes (about). */
  private interface Caller extends AutoCloseable {
    int call(String method) throws Exception;

    @Override
    void close() throws IOException;
  }

  /** One blocking connection, one call at a time. */
  private static final class RawCaller implements Caller {
    private final SocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
    private final ByteArrayOutputStream answer = new ByteArrayOutputStream(1 << 16);
    private long id;

    RawCaller(Path socket) throws IOException {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
    }

    @Override
    public int call(String method) throws IOException {
      byte[] req = ("{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"" + method + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      ByteBuffer out = ByteBuffer.wrap(req);
      while (out.hasRemaining()) {
        ch.write(out);
      }
      answer.reset();
      while (true) { // SPDK ends every answer with one line feed
        in.clear();
        if (ch.read(in) < 0) {
          throw new IOException("closed");
        }
        answer.write(in.array(), 0, in.position());
        if (in.position() > 0 && in.array()[in.position() - 1] == '\n') {
          break;
        }
      }
      byte[] bytes = answer.toByteArray();
      JsonNode tree = JSON.readTree(bytes);
      if (!tree.has("result")) {
        throw new IOException("error answer: " + tree);
      }
      return bytes.length;
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  public static void main(String[] args) throws Exception {
    Path pkg = null;
    double seconds = 3;
    double warmup = 1;
    int registryOps = 60;
    boolean clients = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--spdk" -> pkg = Path.of(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--registry-ops" -> {
          registryOps = Integer.parseInt(args[++i]);
          if (registryOps < 3 || registryOps > 140) {
            // lvs0's metadata holds about 250 thin lvols; 100 are taken by the listing's lvols
            throw new IllegalArgumentException("--registry-ops must be 3..140, got " + registryOps);
          }
        }
        case "--registry-only" -> clients = false;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; usage: [--spdk DIR] [--seconds S] [--warmup S] [--registry-ops N] [--registry-only]");
      }
    }
    if (pkg == null) {
      String env = System.getenv("SPDK_TGT");
      pkg = env != null ? Path.of(env).toAbsolutePath().getParent().getParent()
          : Path.of("../shared/spdk").toAbsolutePath().normalize();
    }
    Path bin = pkg.resolve("bin/spdk_tgt");
    if (!Files.isExecutable(bin)) {
      throw new IllegalArgumentException("no spdk_tgt at " + bin + " (--spdk DIR)");
    }
    Path dir = Files.createTempDirectory("spdkbench");
    Path socket = dir.resolve("s.sock");
    ProcessBuilder pb = new ProcessBuilder(bin.toString(), "--no-huge", "-s", "1024", "-u", "-m",
        "0x1", "-r", socket.toString());
    pb.environment().put("LD_LIBRARY_PATH", pkg.resolve("lib").toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("spdk_tgt.log").toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process target = pb.start();
    Thread reaper = new Thread(target::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(reaper);
    try (JsonRpcClient client =
        JsonRpcClient.builder(socket).callTimeout(Duration.ofSeconds(30)).build()) {
      awaitUp(client, target);
      client.call("bdev_malloc_create",
          Map.of("name", "Malloc0", "num_blocks", 16384, "block_size", 4096));
      client.call("bdev_lvol_create_lvstore", Map.of("bdev_name", "Malloc0", "lvs_name", "lvs0",
          "cluster_sz", 1 << 20, "num_md_pages_per_cluster_ratio", 400));
      for (int i = 0; i < 100; i++) {
        client.call("bdev_lvol_create", Map.of("lvs_name", "lvs0", "lvol_name", "lvol-" + i,
            "size_in_mib", 1, "thin_provision", true));
      }
      System.out.printf("spdk_tgt %s (pid %d), 100 thin lvols; %.1f s per case after %.1f s of"
          + " warm-up%n%n", client.call("spdk_get_version", null).path("version").asText(),
          target.pid(), seconds, warmup);
      if (clients) {
        System.out.println("| method | client | threads | answer | p50 | p99 | calls/s |");
        System.out.println("|---|---|---|---|---|---|---|");
      }
      for (String method : clients ? METHODS : List.<String>of()) {
        for (int threads : THREADS) {
          for (boolean raw : new boolean[] {false, true}) {
            List<Caller> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
              callers.add(raw ? new RawCaller(socket) : new Caller() {
                @Override
                public int call(String m) throws JsonRpcException {
                  return client.call(m, null).size();
                }

                @Override
                public void close() {}
              });
            }
            run(method, raw ? "raw, a connection per thread" : "JsonRpcClient, one connection",
                callers, warmup, seconds);
            for (Caller c : callers) {
              c.close();
            }
          }
        }
      }
      registryOverhead(client, registryOps);
    } finally {
      target.destroy();
      if (!target.waitFor(10, TimeUnit.SECONDS)) {
        target.destroyForcibly();
        target.waitFor(10, TimeUnit.SECONDS);
      }
      Runtime.getRuntime().removeShutdownHook(reaper);
      Files.deleteIfExists(socket);
      Files.deleteIfExists(Path.of(socket + ".lock"));
      // DPDK's empty run-time directory (root: /var/run/dpdk, others: XDG_RUNTIME_DIR or /tmp)
      String xdg = System.getenv("XDG_RUNTIME_DIR");
      for (Path d : List.of(Path.of("/var/run/dpdk"), Path.of(xdg == null ? "/tmp" : xdg, "dpdk"))) {
        try {
          Files.deleteIfExists(d.resolve("spdk_pid" + target.pid()));
        } catch (IOException ignored) {
          // not empty or not ours
        }
      }
    }
  }

  /** A store that adds up the time spent in each kind of call of the store it wraps. */
  private static final class TimedStore implements LvolStore {
    private final LvolStore store;
    final java.util.concurrent.atomic.LongAdder nanos = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();

    TimedStore(LvolStore store) {
      this.store = store;
    }

    private <T> T timed(java.util.concurrent.Callable<T> call) throws StoreException {
      long t0 = System.nanoTime();
      try {
        return call.call();
      } catch (StoreException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        nanos.add(System.nanoTime() - t0);
        calls.increment();
      }
    }

    @Override
    public Lvol createLvol(String name, long sizeBytes) throws StoreException {
      return timed(() -> store.createLvol(name, sizeBytes));
    }

    @Override
    public void deleteLvol(String name) throws StoreException {
      timed(() -> {
        store.deleteLvol(name);
        return null;
      });
    }

    @Override
    public LvolListing listLvols() throws StoreException {
      return timed(store::listLvols);
    }

    @Override
    public Optional<Lvol> findLvol(String name) throws StoreException {
      return timed(() -> store.findLvol(name));
    }

    void reset() {
      nanos.reset();
      calls.reset();
    }
  }

  /**
   * The registry's own cost per operation as a fraction of the SPDK calls it makes: each
   * operation's wall time minus the time its store calls took, over the latter. One thread, the
   * lvol store of the run above (100 lvols, so a verify round lists 100 + the replicas).
   */
  private static void registryOverhead(JsonRpcClient client, int cycles) throws Exception {
    TimedStore store = new TimedStore(SpdkLvolStore.builder(client).lvstoreName("lvs0").build());
    System.out.printf("%nRegistry overhead (one thread, %d operations of each kind, after %d of warm-up):%n%n",
        cycles, cycles / 3);
    System.out.println("| operation | store calls per op | wall per op | store calls per op (time) |"
        + " registry's own time | as a fraction of the store calls |");
    System.out.println("|---|---|---|---|---|---|");
    try (ReplicaRegistry registry = ReplicaRegistry.builder(store).build()) {
      for (int i = 0; i < cycles / 3; i++) { // warm-up
        registry.create("warm-" + i, 1 << 20);
        registry.verify();
        registry.delete("warm-" + i);
      }
      String[] ops = {"create", "verify", "delete"};
      for (String op : ops) {
        long wall = 0;
        store.reset();
        for (int i = 0; i < cycles; i++) {
          long t0 = System.nanoTime();
          switch (op) {
            case "create" -> registry.create("r-" + i, 1 << 20);
            case "verify" -> registry.verify();
            default -> registry.delete("r-" + i);
          }
          wall += System.nanoTime() - t0;
        }
        long inStore = store.nanos.sum();
        long own = wall - inStore;
        System.out.printf("| %s | %.1f | %s | %s | %s | %.3f %% |%n", op, store.calls.sum() / (double) cycles,
            fmt(wall / cycles), fmt(inStore / cycles), fmt(own / cycles), 100.0 * own / inStore);
      }
    }
  }

  private static void awaitUp(JsonRpcClient client, Process target) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!target.isAlive()) {
        throw new IllegalStateException("spdk_tgt exited with " + target.exitValue());
      }
      try {
        client.call("spdk_get_version", null, Duration.ofSeconds(2));
        return;
      } catch (JsonRpcException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static void run(String method, String label, List<Caller> callers, double warmup,
      double seconds) throws Exception {
    int n = callers.size();
    long[][] samples = new long[n][];
    int[] counts = new int[n];
    int[] sizes = new int[n];
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(n);
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < n; t++) {
      int me = t;
      Thread th = new Thread(() -> {
        long[] mine = new long[1 << 16];
        int c = 0;
        try {
          while (!stop.get()) {
            long t0 = System.nanoTime();
            sizes[me] = callers.get(me).call(method);
            long d = System.nanoTime() - t0;
            if (measuring.get()) {
              if (c == mine.length) {
                mine = Arrays.copyOf(mine, c * 2);
              }
              mine[c++] = d;
            }
          }
        } catch (Throwable e) {
          failure[0] = e;
        } finally {
          samples[me] = mine;
          counts[me] = c;
          done.countDown();
        }
      });
      th.setDaemon(true);
      th.start();
    }
    Thread.sleep((long) (warmup * 1000));
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    measuring.set(false);
    long elapsed = System.nanoTime() - start;
    stop.set(true);
    done.await();
    if (failure[0] != null) {
      throw new IllegalStateException(label + " " + method + " failed", failure[0]);
    }
    int total = Arrays.stream(counts).sum();
    if (total == 0) {
      System.out.printf("| `%s` | %s | %d | | no call completed | | 0 |%n", method, label, n);
      return;
    }
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < n; t++) {
      System.arraycopy(samples[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    Arrays.sort(all);
    System.out.printf("| `%s` | %s | %d | %s | %s | %s | %,.0f |%n", method, label, n,
        label.startsWith("raw") ? sizes[0] + " B" : sizes[0] + " entries",
        fmt(all[total / 2]), fmt(all[Math.min(total - 1, (int) (total * 0.99))]),
        total / (elapsed / 1e9));
  }

  private static String fmt(long nanos) {
    return nanos >= 1_000_000 ? String.format("%.2f ms", nanos / 1e6)
        : nanos >= 10_000 ? String.format("%d µs", nanos / 1000)
        : String.format("%.1f µs", nanos / 1000.0);
  }
}
