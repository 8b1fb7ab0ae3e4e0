package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code spdk_tgt} (the package of {@code ../shared/spdk}, see its README) for one test
 * class: register it as a static field with {@code @RegisterExtension}. Before the class's first
 * test it starts the target; after the last it stops it (SIGTERM, SIGKILL after 10 s) and checks
 * by pid that no target it started is left. Without a package every test of the class is skipped
 * (a JUnit assumption in {@code beforeEach}, so surefire counts each test as skipped), with the
 * reason; the class must then touch the target only in its {@link Setup} and in tests (not in
 * its own {@code @BeforeAll}).
 *
 * <p>The package: the environment variable {@code SPDK_TGT} (a {@code spdk_tgt} binary; the
 * package is its parent's parent), else {@code ../shared/spdk} beside the repository (from this
 * module, {@code ${basedir}/../../shared/spdk}). The target runs as {@code start-spdk.sh} runs it
 * ({@code --no-huge -s 1024 -u -m 0x1 -r <socket>}, {@code LD_LIBRARY_PATH=<package>/lib}), but
 * launched from here so that its pid is known without a pid file race; its socket, pid file and
 * log are in {@code target/spdk/<class>/} (the socket in a short directory under {@code
 * java.io.tmpdir} if that path is too long for a Unix socket). Setup is done through this
 * project's own {@link JsonRpcClient}.
 *
 * <p>One target at a time: its reactor busy-polls a core, and test classes run one after the
 * other in this build. A JVM shutdown hook kills a target still running if the JVM exits early.
 *
 * <p><b>Thread-safety:</b> start, stop and kill from one thread (the test's); {@link #client()}
 * is a thread-safe {@link JsonRpcClient}.
 */
final class RealSpdk implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

  /** What a test class sets up on its target once it is up (bdevs, lvol stores). */
  @FunctionalInterface
  interface Setup {
    void run(RealSpdk spdk) throws Exception;
  }

  static final String ENV = "SPDK_TGT";
  /** Longest socket path used as is ({@code sun_path} holds 108 bytes with the NUL). */
  private static final int MAX_SOCKET_PATH = 100;

  private Path pkg;
  private Path dir;
  private Path socket;
  private Path log;
  private Path pidFile;
  private Process process;
  private JsonRpcClient client;
  private Thread hook;
  private final List<Long> pids = new ArrayList<>();
  private final Setup setup;
  private String skipReason;

  RealSpdk() {
    this(spdk -> { });
  }

  RealSpdk(Setup setup) {
    this.setup = setup;
  }

  /** The package directory, or empty with the reason in {@code why[0]}. */
  static Optional<Path> locate(String[] why) {
    String env = System.getenv(ENV);
    if (env != null && !env.isEmpty()) {
      Path bin = Path.of(env).toAbsolutePath();
      if (Files.isExecutable(bin) && bin.getParent() != null && bin.getParent().getParent() != null) {
        return Optional.of(bin.getParent().getParent());
      }
      why[0] = ENV + "=" + env + " is not an executable spdk_tgt";
      return Optional.empty();
    }
    Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    Path p = base.resolve("../../shared/spdk").normalize();
    if (Files.isExecutable(p.resolve("bin/spdk_tgt"))) {
      return Optional.of(p);
    }
    why[0] = "no spdk_tgt: neither " + ENV + " is set nor " + p.resolve("bin/spdk_tgt")
        + " exists (put the shared/spdk package beside the clone)";
    return Optional.empty();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    String[] why = {null};
    Optional<Path> found = locate(why);
    if (found.isEmpty()) {
      // Skipped test by test (in beforeEach), so that surefire counts each one as skipped; an
      // assumption failing here would abort the class and surefire would count nothing.
      skipReason = why[0];
      return;
    }
    pkg = found.get();
    String name = context.getRequiredTestClass().getSimpleName();
    Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    dir = base.resolve("target/spdk").resolve(name).toAbsolutePath().normalize();
    Files.createDirectories(dir);
    log = dir.resolve("spdk_tgt.log");
    pidFile = dir.resolve("spdk_tgt.pid");
    socket = dir.resolve("spdk.sock");
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
      socket = Files.createTempDirectory("spdk").resolve("s.sock");
    }
    start();
    setup.run(this);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    assumeTrue(skipReason == null, skipReason);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (pkg == null) {
      return;
    }
    try {
      stop();
    } finally {
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs anyway
        }
      }
    }
    for (long pid : pids) {
      assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true),
          "spdk_tgt pid " + pid + " of " + context.getRequiredTestClass().getSimpleName()
              + " still running");
    }
  }

  /** Starts a target (the first, or again after {@link #kill9} or {@link #stop}). */
  void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("a target is running");
    }
    Files.deleteIfExists(socket);
    Files.deleteIfExists(Path.of(socket + ".lock"));
    ProcessBuilder pb = new ProcessBuilder(pkg.resolve("bin/spdk_tgt").toString(),
        "--no-huge", "-s", "1024", "-u", "-m", "0x1", "-r", socket.toString());
    String ld = System.getenv("LD_LIBRARY_PATH");
    pb.environment().put("LD_LIBRARY_PATH",
        pkg.resolve("lib") + (ld == null || ld.isEmpty() ? "" : ":" + ld));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    process = pb.start();
    pids.add(process.pid());
    Files.writeString(pidFile, process.pid() + "\n");
    if (hook == null) {
      hook = new Thread(this::killQuietly, "spdk_tgt-reaper");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    if (client == null) {
      client = JsonRpcClient.builder(socket).callTimeout(Duration.ofSeconds(30)).build();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("spdk_tgt exited with " + process.exitValue()
            + " before answering; log " + log + ":\n" + tail());
      }
      if (Files.exists(socket)) {
        try {
          client.call("spdk_get_version", null, Duration.ofSeconds(2));
          return;
        } catch (JsonRpcException e) {
          // not up yet
        }
      }
      if (System.nanoTime() > deadline) {
        killQuietly();
        throw new IllegalStateException("spdk_tgt did not answer in 60 s; log:\n" + tail());
      }
      Thread.sleep(50);
    }
  }

  /** SIGTERM, up to 10 s, then SIGKILL; waits for the exit. Idempotent. */
  void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    if (client != null) {
      client.close();
      client = null;
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    cleanUp();
  }

  /** {@code kill -9} of the target; the client is kept (it reconnects after {@link #start}). */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), "spdk_tgt did not die on SIGKILL");
    assertEquals(137, process.exitValue());
    cleanUp();
  }

  private void cleanUp() {
    long pid = process.pid();
    try {
      Files.deleteIfExists(pidFile);
      Files.deleteIfExists(socket);
      Files.deleteIfExists(Path.of(socket + ".lock"));
    } catch (IOException ignored) {
      // best effort
    }
    // DPDK's empty run-time directory (root: /var/run/dpdk, others: XDG_RUNTIME_DIR or /tmp)
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    for (Path d : List.of(Path.of("/var/run/dpdk"), Path.of(xdg == null ? "/tmp" : xdg, "dpdk"))) {
      try {
        Files.deleteIfExists(d.resolve("spdk_pid" + pid));
      } catch (IOException ignored) {
        // not empty or not ours
      }
    }
  }

  private void killQuietly() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The target's pid (the current one). */
  long pid() {
    return process.pid();
  }

  Path socket() {
    return socket;
  }

  Path dir() {
    return dir;
  }

  /** The admin client (kept across {@link #kill9} and {@link #start}). */
  JsonRpcClient client() {
    return client;
  }

  /** A malloc bdev of {@code mib} MiB with 4 KiB blocks. */
  void mallocBdev(String name, int mib) throws JsonRpcException {
    client.call("bdev_malloc_create",
        Map.of("name", name, "num_blocks", mib * 256, "block_size", 4096));
  }

  /**
   * An lvol store on {@code bdev}; {@code clusterBytes} 0 for SPDK's default (4 MiB).
   *
   * @return its UUID
   */
  String lvstore(String bdev, String name, int clusterBytes, int mdPagesRatio)
      throws JsonRpcException {
    Map<String, Object> params = new java.util.HashMap<>(Map.of("bdev_name", bdev, "lvs_name", name));
    if (clusterBytes > 0) {
      params.put("cluster_sz", clusterBytes);
    }
    if (mdPagesRatio > 0) {
      params.put("num_md_pages_per_cluster_ratio", mdPagesRatio);
    }
    JsonNode uuid = client.call("bdev_lvol_create_lvstore", params);
    return uuid.textValue();
  }
}
