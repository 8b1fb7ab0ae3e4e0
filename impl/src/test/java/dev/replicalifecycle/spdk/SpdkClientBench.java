package dev.replicalifecycle.spdk;

import dev.replicalifecycle.store.LvolStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Latency and throughput of the client against the test target, with 1 and 4 calling threads.
 * Off by default; run with
 *
 * <pre>
 * mvn -B -q -pl impl test-compile surefire:test -Dtest=SpdkClientBench -Dspdk.bench=true
 * </pre>
 *
 * ({@code -Dspdk.bench.seconds=N} sets the measuring time per case, 3 s by default). Not a JMH
 * benchmark: a rough figure for the README, with warm-up and percentiles. The target runs in the
 * same JVM, so its work (JSON encoding of the answers) is counted in the figures too.
 */
@EnabledIfSystemProperty(named = "spdk.bench", matches = "true")
class SpdkClientBench {

  @FunctionalInterface
  interface Op {
    void run() throws Exception;
  }

  @Test
  void measure() throws Exception {
    double seconds = Double.parseDouble(System.getProperty("spdk.bench.seconds", "3"));
    try (TargetFixture f = TargetFixture.start()) {
      for (int i = 0; i < 100; i++) {
        f.target().store().putLvol("replica-" + i, 1L << 30);
      }
      JsonRpcClient client = f.client();
      LvolStore store = f.store();
      int answerBytes = client.call("bdev_get_bdevs", null).toString().length();
      List<String> lines = new ArrayList<>();
      lines.add("bdev_get_bdevs answer: " + answerBytes + " bytes of JSON");
      lines.add(String.format(Locale.ROOT, "%-44s %7s %10s %10s %12s",
          "case", "threads", "p50 us", "p99 us", "calls/s"));
      for (int threads : new int[] {1, 4}) {
        lines.add(run("bdev_lvol_get_lvstores (~0.4 KB answer)", threads, seconds,
            () -> client.call("bdev_lvol_get_lvstores", null)));
        lines.add(run("bdev_get_bdevs, 101 bdevs (~65 KB), raw call", threads, seconds,
            () -> client.call("bdev_get_bdevs", null)));
        lines.add(run("listLvols (wait, lvstores, bdevs; decoded)", threads, seconds,
            () -> store.listLvols().lvols()));
      }
      String report = String.join("\n", lines);
      System.out.println("\n" + report + "\n");
    }
  }

  private static String run(String name, int threads, double seconds, Op op) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      measureOnce(pool, threads, Math.max(1, seconds / 2), op); // warm-up
      long[][] samples = new long[threads][];
      long t0 = System.nanoTime();
      List<long[]> per = measureOnce(pool, threads, seconds, op);
      long elapsed = System.nanoTime() - t0;
      for (int i = 0; i < threads; i++) {
        samples[i] = per.get(i);
      }
      long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
      double p50 = all[(int) (all.length * 0.50)] / 1000.0;
      double p99 = all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1000.0;
      double rate = all.length / (elapsed / 1e9);
      return String.format(Locale.ROOT, "%-44s %7d %10.1f %10.1f %12.0f",
          name, threads, p50, p99, rate);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static List<long[]> measureOnce(ExecutorService pool, int threads, double seconds,
      Op op) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    long budget = (long) (seconds * 1e9);
    List<Future<long[]>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        start.await();
        long end = System.nanoTime() + budget;
        long[] lat = new long[1 << 16];
        int n = 0;
        while (System.nanoTime() < end) {
          long a = System.nanoTime();
          op.run();
          long b = System.nanoTime();
          if (n == lat.length) {
            lat = Arrays.copyOf(lat, n * 2);
          }
          lat[n++] = b - a;
        }
        return Arrays.copyOf(lat, n);
      }));
    }
    List<long[]> out = new ArrayList<>();
    for (Future<long[]> f : futures) {
      out.add(f.get());
    }
    return out;
  }
}
