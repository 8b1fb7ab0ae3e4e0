package dev.replicalifecycle.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs JMH benchmarks from code (forked JVMs, with the class path of this JVM: run from {@code
 * benchmarks.jar}) and flattens the results. JMH's own human-readable log and JSON go to files
 * under the output directory.
 */
final class Jmh {
  private Jmh() {}

  /** Iteration settings. */
  record Settings(
      int forks, int warmupIterations, double warmupSeconds, int iterations, double seconds) {
    @Override
    public String toString() {
      return forks
          + " fork(s), "
          + warmupIterations
          + "x"
          + warmupSeconds
          + " s warm-up, "
          + iterations
          + "x"
          + seconds
          + " s measured";
    }
  }

  /**
   * One JMH result.
   *
   * @param score primary score in {@code unit}
   * @param error 99.9 % confidence half-width (NaN with one iteration)
   * @param allocBytesPerOp {@code gc.alloc.rate.norm}, if the gc profiler ran
   */
  record Score(
      String benchmark,
      Map<String, String> params,
      int threads,
      double score,
      double error,
      String unit,
      double allocBytesPerOp) {}

  @SuppressWarnings("rawtypes") // RunResult.getSecondaryResults() is Map<String, Result>, raw
  static List<Score> run(
      String includeRegex,
      Settings s,
      int threads,
      Map<String, String[]> params,
      boolean gcProfiler,
      Path logFile,
      Path jsonFile,
      List<String> jvmArgs)
      throws RunnerException {
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include(includeRegex)
            .forks(s.forks())
            .warmupIterations(s.warmupIterations())
            .warmupTime(TimeValue.milliseconds((long) (s.warmupSeconds() * 1000)))
            .measurementIterations(s.iterations())
            .measurementTime(TimeValue.milliseconds((long) (s.seconds() * 1000)))
            .threads(threads)
            .shouldFailOnError(true)
            .jvmArgsAppend(jvmArgs.toArray(new String[0]))
            .output(logFile.toString())
            .resultFormat(ResultFormatType.JSON)
            .result(jsonFile.toString());
    for (Map.Entry<String, String[]> p : params.entrySet()) {
      b.param(p.getKey(), p.getValue());
    }
    if (gcProfiler) {
      b.addProfiler(GCProfiler.class);
    }
    Collection<RunResult> results = new Runner(b.build()).run();
    List<Score> out = new ArrayList<>();
    for (RunResult r : results) {
      Result<?> primary = r.getPrimaryResult();
      double alloc = Double.NaN;
      for (var e : r.getSecondaryResults().entrySet()) {
        if (e.getKey().endsWith("gc.alloc.rate.norm")) {
          alloc = e.getValue().getScore();
        }
      }
      Map<String, String> ps = new java.util.TreeMap<>();
      for (String k : r.getParams().getParamsKeys()) {
        ps.put(k, r.getParams().getParam(k));
      }
      String bench = r.getParams().getBenchmark();
      out.add(
          new Score(
              bench.substring(bench.lastIndexOf('.') + 1),
              ps,
              r.getParams().getThreads(),
              primary.getScore(),
              primary.getScoreError(),
              primary.getScoreUnit(),
              alloc));
    }
    return out;
  }
}
