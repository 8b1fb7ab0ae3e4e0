package dev.replicalifecycle.bench;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.store.InMemoryLvolStore;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Benchmark 3: one V4 verify round over 10^3, 10^4, 10^5 replicas with an instant store, two
 * ways:
 *
 * <ul>
 *   <li><b>probe</b> (in this JVM): per round, the verify thread's CPU time ({@code
 *       ThreadMXBean.getCurrentThreadCpuTime}) and allocated bytes ({@code
 *       getCurrentThreadAllocatedBytes}), median over the measured rounds; plus the median time of
 *       {@link InMemoryLvolStore#listLvols()} for as many lvols (the listing, for scale) and the
 *       median CPU time of sorting the names alone ({@link VerifyRoundBenchmark.NameOrdering}:
 *       what a round adds when a step listener is attached; the measured rounds have none);
 *   <li><b>JMH</b> ({@link VerifyRoundBenchmark}, forked, {@code -prof gc}): mean wall time per
 *       round and {@code gc.alloc.rate.norm}.
 * </ul>
 *
 * The goal is judged on the probe's CPU median at the largest size (≤ 50 ms), and linearity as
 * CPU per replica at the largest size ≤ 2× CPU per replica at the smallest.
 */
final class VerifyScale {

  /** Settings. */
  record Config(List<Integer> sizes, double probeWarmSeconds, double probeSeconds, Jmh.Settings jmh, boolean runJmh) {}

  /** Probe result for one size. Times in ms, per-replica figures in ns and bytes. */
  record ProbeRow(
      int replicas,
      int rounds,
      double cpuMsMedian,
      double cpuMsMean,
      double wallMsMedian,
      double allocBytesMedian,
      double cpuNsPerReplica,
      double allocBytesPerReplica,
      double inMemoryListingMsMedian,
      double nameOrderingCpuMsMedian,
      double mapPassCpuMsMedian) {}

  /** JMH result for one size. */
  record JmhRow(
      int replicas,
      double verifyMs,
      double verifyMsError,
      double allocBytesPerRound,
      double nsPerReplica,
      double allocBytesPerReplica,
      double inMemoryListingMs,
      double nameOrderingMs) {}

  /** Everything benchmark 3 produced. */
  record Result(Config config, List<ProbeRow> probe, List<JmhRow> jmh, List<Jmh.Score> jmhRaw) {}

  private VerifyScale() {}

  static Result run(Config c, Path outDir, PrintStream out) throws Exception {
    List<ProbeRow> probe = new ArrayList<>();
    for (int n : c.sizes()) {
      ProbeRow r = probe(n, c);
      out.printf(
          "  bench3 probe n=%-6d cpu=%s ms (median of %d; sorted names alone (listener only) %s ms; bare map pass %s ms) alloc=%s B/round listing(in-memory)=%s ms%n",
          n,
          Table.sig(r.cpuMsMedian()),
          r.rounds(),
          Table.sig(r.nameOrderingCpuMsMedian()),
          Table.sig(r.mapPassCpuMsMedian()),
          Table.sig(r.allocBytesMedian()),
          Table.sig(r.inMemoryListingMsMedian()));
      probe.add(r);
    }
    List<JmhRow> jmh = new ArrayList<>();
    List<Jmh.Score> raw = List.of();
    if (c.runJmh()) {
      out.println("  bench3 JMH " + c.jmh() + " (log: " + outDir.resolve("jmh-verify-scale.log") + ")");
      raw =
          Jmh.run(
              VerifyRoundBenchmark.class.getName() + "\\..*",
              c.jmh(),
              1,
              Map.of(
                  "replicas",
                  c.sizes().stream().map(String::valueOf).toArray(String[]::new)),
              true,
              outDir.resolve("jmh-verify-scale.log"),
              outDir.resolve("jmh-verify-scale.json"),
              List.of("-Xms1g", "-Xmx1g"));
      for (int n : c.sizes()) {
        Jmh.Score v = find(raw, "verifyRound", n);
        Jmh.Score l = find(raw, "inMemoryListing", n);
        Jmh.Score o = find(raw, "nameOrdering", n);
        if (v == null) {
          continue;
        }
        jmh.add(
            new JmhRow(
                n,
                v.score(),
                v.error(),
                v.allocBytesPerOp(),
                v.score() * 1e6 / n,
                v.allocBytesPerOp() / n,
                l == null ? Double.NaN : l.score(),
                o == null ? Double.NaN : o.score()));
      }
      for (JmhRow r : jmh) {
        out.printf(
            "  bench3 JMH   n=%-6d verify=%s ms ±%s (sorted names alone (listener only) %s ms) alloc=%s B/round%n",
            r.replicas(),
            Table.sig(r.verifyMs()),
            Table.sig(r.verifyMsError()),
            Table.sig(r.nameOrderingMs()),
            Table.sig(r.allocBytesPerRound()));
      }
    }
    return new Result(c, probe, jmh, raw);
  }

  private static Jmh.Score find(List<Jmh.Score> raw, String bench, int n) {
    for (Jmh.Score s : raw) {
      if (s.benchmark().equals(bench) && String.valueOf(n).equals(s.params().get("replicas"))) {
        return s;
      }
    }
    return null;
  }

  private static ProbeRow probe(int n, Config c) throws Exception {
    com.sun.management.ThreadMXBean tmx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    tmx.setThreadCpuTimeEnabled(true);
    tmx.setThreadAllocatedMemoryEnabled(true);
    InstantStores.FrozenListing store = new InstantStores.FrozenListing();
    try (ReplicaRegistry reg = VerifyRoundBenchmark.populate(store, n)) {
      long warmEnd = System.nanoTime() + (long) (c.probeWarmSeconds() * 1e9);
      int warm = 0;
      while (warm < 5 || System.nanoTime() < warmEnd) {
        reg.verify();
        warm++;
      }
      List<long[]> samples = new ArrayList<>();
      long end = System.nanoTime() + (long) (c.probeSeconds() * 1e9);
      while (samples.size() < 5 || System.nanoTime() < end) {
        long cpu0 = tmx.getCurrentThreadCpuTime();
        long al0 = tmx.getCurrentThreadAllocatedBytes();
        long w0 = System.nanoTime();
        reg.verify();
        long w1 = System.nanoTime();
        long al1 = tmx.getCurrentThreadAllocatedBytes();
        long cpu1 = tmx.getCurrentThreadCpuTime();
        samples.add(new long[] {cpu1 - cpu0, al1 - al0, w1 - w0});
      }
      double[] cpu = column(samples, 0);
      double[] alloc = column(samples, 1);
      double[] wall = column(samples, 2);
      double cpuMed = median(cpu);
      double allocMed = median(alloc);
      return new ProbeRow(
          n,
          samples.size(),
          cpuMed / 1e6,
          Arrays.stream(cpu).average().orElse(Double.NaN) / 1e6,
          median(wall) / 1e6,
          allocMed,
          cpuMed / n,
          allocMed / n,
          listingMs(n),
          orderingCpuMs(store, c),
          mapPassCpuMs(store, c));
    }
  }

  /** Median CPU time of the name-ordering step alone (see {@link VerifyRoundBenchmark}). */
  private static double orderingCpuMs(InstantStores.FrozenListing store, Config c) throws Exception {
    java.lang.management.ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
    VerifyRoundBenchmark.NameOrdering o = new VerifyRoundBenchmark.NameOrdering(store.listLvols().lvols());
    long warmEnd = System.nanoTime() + (long) (c.probeWarmSeconds() * 1e9 / 2);
    int warm = 0;
    while (warm < 3 || System.nanoTime() < warmEnd) {
      o.run();
      warm++;
    }
    List<Double> t = new ArrayList<>();
    long end = System.nanoTime() + (long) (c.probeSeconds() * 1e9 / 2);
    while (t.size() < 5 || System.nanoTime() < end) {
      long c0 = tmx.getCurrentThreadCpuTime();
      o.run();
      t.add((tmx.getCurrentThreadCpuTime() - c0) / 1e6);
    }
    return median(t.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Median CPU time of the bare map pass (see {@link VerifyRoundBenchmark.NameOrdering#mapPass}). */
  private static double mapPassCpuMs(InstantStores.FrozenListing store, Config c) {
    java.lang.management.ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
    VerifyRoundBenchmark.NameOrdering m = new VerifyRoundBenchmark.NameOrdering(store.listLvols().lvols());
    long warmEnd = System.nanoTime() + (long) (c.probeWarmSeconds() * 1e9 / 2);
    int warm = 0;
    int sink = 0;
    while (warm < 3 || System.nanoTime() < warmEnd) {
      sink += m.mapPass();
      warm++;
    }
    List<Double> t = new ArrayList<>();
    long end = System.nanoTime() + (long) (c.probeSeconds() * 1e9 / 2);
    while (t.size() < 5 || System.nanoTime() < end) {
      long c0 = tmx.getCurrentThreadCpuTime();
      sink += m.mapPass();
      t.add((tmx.getCurrentThreadCpuTime() - c0) / 1e6);
    }
    if (sink == 42) {
      System.out.print(""); // keeps the passes from being optimised away
    }
    return median(t.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Median time of the in-memory store's listing of {@code n} lvols. */
  private static double listingMs(int n) throws Exception {
    InMemoryLvolStore s = new InMemoryLvolStore();
    for (int i = 0; i < n; i++) {
      s.putLvol(Names.replica("r", i), 1L << 30);
    }
    int reps = Math.max(5, Math.min(200, 2_000_000 / n));
    for (int i = 0; i < reps; i++) {
      s.listLvols();
    }
    double[] t = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      s.listLvols();
      t[i] = System.nanoTime() - t0;
    }
    return median(t) / 1e6;
  }

  private static double[] column(List<long[]> rows, int i) {
    double[] out = new double[rows.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = rows.get(k)[i];
    }
    return out;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
}
