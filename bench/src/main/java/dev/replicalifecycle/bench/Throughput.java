package dev.replicalifecycle.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Benchmark 4: create+delete pairs per second on distinct names, 1 and 2 threads, V4 against a
 * bare {@code ConcurrentHashMap} putIfAbsent/remove pair ({@link
 * CreateDeleteThroughputBenchmark}, JMH, forked). The goal (≥ 50 % of the ceiling) is judged on
 * {@code v4Pair}, the registry over a no-op store; {@code v4InMemoryStorePair} is shown for
 * reference.
 */
final class Throughput {

  /** Settings. */
  record Config(List<Integer> threads, Jmh.Settings jmh) {}

  /**
   * One thread count.
   *
   * @param chm pairs/s of the ConcurrentHashMap ceiling
   * @param v4 pairs/s of V4 over the no-op store
   * @param v4InMemory pairs/s of V4 over the in-memory store
   */
  record Row(
      int threads,
      double chm,
      double chmError,
      double v4,
      double v4Error,
      double v4InMemory,
      double v4InMemoryError,
      double v4OverChm,
      double v4InMemoryOverChm,
      double v4AllocBytesPerPair,
      double chmAllocBytesPerPair) {}

  /** Everything benchmark 4 produced. */
  record Result(Config config, List<Row> rows, List<Jmh.Score> raw) {}

  private Throughput() {}

  static Result run(Config c, Path outDir, PrintStream out) throws Exception {
    List<Row> rows = new ArrayList<>();
    List<Jmh.Score> raw = new ArrayList<>();
    for (int t : c.threads()) {
      out.println(
          "  bench4 JMH threads="
              + t
              + " "
              + c.jmh()
              + " (log: "
              + outDir.resolve("jmh-throughput-t" + t + ".log")
              + ")");
      List<Jmh.Score> scores =
          Jmh.run(
              CreateDeleteThroughputBenchmark.class.getName() + "\\..*",
              c.jmh(),
              t,
              Map.of(),
              true,
              outDir.resolve("jmh-throughput-t" + t + ".log"),
              outDir.resolve("jmh-throughput-t" + t + ".json"),
              List.of("-Xms1g", "-Xmx1g"));
      raw.addAll(scores);
      Jmh.Score chm = find(scores, "chmPair");
      Jmh.Score v4 = find(scores, "v4Pair");
      Jmh.Score mem = find(scores, "v4InMemoryStorePair");
      Row r =
          new Row(
              t,
              chm.score(),
              chm.error(),
              v4.score(),
              v4.error(),
              mem.score(),
              mem.error(),
              v4.score() / chm.score(),
              mem.score() / chm.score(),
              v4.allocBytesPerOp(),
              chm.allocBytesPerOp());
      out.printf(
          "  bench4 threads=%d chm=%s/s v4=%s/s (%s %%) v4+in-memory store=%s/s (%s %%)%n",
          t,
          Table.sig(r.chm()),
          Table.sig(r.v4()),
          Table.num(100 * r.v4OverChm(), 1),
          Table.sig(r.v4InMemory()),
          Table.num(100 * r.v4InMemoryOverChm(), 1));
      rows.add(r);
    }
    return new Result(c, rows, raw);
  }

  private static Jmh.Score find(List<Jmh.Score> scores, String bench) {
    for (Jmh.Score s : scores) {
      if (s.benchmark().equals(bench)) {
        return s;
      }
    }
    throw new IllegalStateException("JMH returned no result for " + bench);
  }
}
