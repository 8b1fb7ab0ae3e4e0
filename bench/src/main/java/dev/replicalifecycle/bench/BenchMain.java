package dev.replicalifecycle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * Runs the five benchmarks of issue 6 and prints a table of ratios against the goals.
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar --quick      # about 3.5 minutes
 * java -jar bench/target/benchmarks.jar --full       # about 70 minutes, see bench/README.md
 * </pre>
 *
 * Results go to {@code bench/target/bench-results-<mode>.json} (and {@code
 * bench-results.json}, the latest), JMH's own logs and JSON next to them. {@code --help} lists
 * the options.
 */
public final class BenchMain {

  static final String USAGE =
      String.join(
          "\n",
          "usage: java -jar bench/target/benchmarks.jar [--quick | --full] [options]",
          "  --quick                 short runs, whole set in about 3.5 minutes (default)",
          "  --full                  the figures to publish (about 70 minutes, 50 of them TLC)",
          "  --only LIST             benchmarks to run, e.g. 1,3 (default all: 1..5)",
          "  --list-latency-ms L     benchmark 1: store listing latency (default 200)",
          "  --churn-list-ms L       benchmark 2: store listing latency (default 100)",
          "  --modelcheck M          benchmark 5, manifest models: read (an existing verdicts.json),",
          "                          run (ModelCheckMain in a child JVM, every model), skip",
          "                          (default: read for --quick, run for --full)",
          "  --verdicts FILE         verdicts.json to read (default modelcheck/target/verdicts.json)",
          "  --modelcheck-models L   with --modelcheck run: only these models (ModelCheckMain --models)",
          "  --tlc-cap SECONDS       cap per TLC run (default 60 quick, 600 full)",
          "  --names LIST            benchmark 5 scaling: name counts, each with and without symmetry",
          "                          (default 1,2,3 full; quick: 1 and 2 with symmetry, 1 without)",
          "  --root DIR              project root (default: found from the working directory or the jar)",
          "  --out DIR               output directory (default <root>/bench/target)",
          "  --help                  this text");

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    boolean full = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> full = false;
        case "--full" -> full = true;
        case "--help", "-h" -> {
          System.out.println(USAGE);
          return;
        }
        default -> {
          if (!a.startsWith("--")) {
            usage("unexpected argument '" + a + "'");
          }
          String v;
          int eq = a.indexOf('=');
          if (eq > 0) {
            v = a.substring(eq + 1);
            a = a.substring(0, eq);
          } else {
            if (i + 1 >= args.length) {
              usage(a + " needs a value");
            }
            v = args[++i];
          }
          if (!Set.of(
                  "--only",
                  "--list-latency-ms",
                  "--churn-list-ms",
                  "--modelcheck",
                  "--verdicts",
                  "--modelcheck-models",
                  "--tlc-cap",
                  "--names",
                  "--root",
                  "--out")
              .contains(a)) {
            usage("unknown option " + a);
          }
          opt.put(a, v);
        }
      }
    }
    String mode = full ? "full" : "quick";
    Path root = opt.containsKey("--root") ? Path.of(opt.get("--root")) : findRoot();
    root = root.toAbsolutePath().normalize();
    Path out = (opt.containsKey("--out") ? Path.of(opt.get("--out")) : root.resolve("bench/target"))
        .toAbsolutePath().normalize();
    Files.createDirectories(out);
    Set<Integer> only = new TreeSet<>();
    for (String s : opt.getOrDefault("--only", "1,2,3,4,5").split(",")) {
      only.add(Integer.parseInt(s.trim()));
    }
    String modelcheck = opt.getOrDefault("--modelcheck", full ? "run" : "read");
    if (!Set.of("read", "run", "skip").contains(modelcheck)) {
      usage("--modelcheck must be read, run or skip");
    }
    PrintStream o = System.out;

    CreateLatency.Config c1 =
        new CreateLatency.Config(
            List.of("V4", "V1"),
            Duration.ofMillis(Long.parseLong(opt.getOrDefault("--list-latency-ms", "200"))),
            List.of(Duration.ZERO, Duration.ofMillis(1)),
            100,
            64,
            Duration.ofMillis(full ? 1000 : 500),
            Duration.ofSeconds(full ? 40 : 4),
            Duration.ofSeconds(full ? 40 : 4),
            100,
            Duration.ofMillis(1),
            20_000,
            full ? 8 : 2);
    ChurnProgress.Config c2 =
        new ChurnProgress.Config(
            List.of("V4", "V3"),
            Duration.ofMillis(Long.parseLong(opt.getOrDefault("--churn-list-ms", "100"))),
            full ? List.of(0, 10, 20, 100, 1000) : List.of(0, 10, 100, 1000),
            full ? 10 : 3,
            full ? 100 : 30,
            8);
    VerifyScale.Config c3 =
        new VerifyScale.Config(
            List.of(1_000, 10_000, 100_000),
            full ? 3 : 1,
            full ? 10 : 2,
            full ? new Jmh.Settings(2, 3, 2, 5, 2) : new Jmh.Settings(1, 1, 1, 2, 1),
            true);
    Throughput.Config c4 =
        new Throughput.Config(
            List.of(1, 2), full ? new Jmh.Settings(2, 3, 2, 5, 2) : new Jmh.Settings(1, 1, 1, 2, 1));
    ModelCheckCost.Config c5 =
        new ModelCheckCost.Config(
            modelcheck,
            opt.containsKey("--verdicts")
                ? Path.of(opt.get("--verdicts")).toAbsolutePath()
                : root.resolve("modelcheck/target/verdicts.json"),
            "all",
            opt.get("--modelcheck-models"),
            Duration.ofSeconds(Long.parseLong(opt.getOrDefault("--tlc-cap", full ? "600" : "60"))),
            parseInts(opt.getOrDefault("--names", full ? "1,2,3" : "1,2")),
            parseInts(opt.getOrDefault("--names", full ? "1,2,3" : "1")),
            "2g",
            root.resolve("spec"));

    Machine machine = Machine.probe();
    Instant started = Instant.now();
    o.println("replica-lifecycle benchmarks, mode " + mode + ", started " + started);
    o.println(
        "machine: "
            + machine.availableProcessors()
            + " cores (nproc "
            + machine.nproc()
            + "), "
            + machine.cpuModel()
            + ", "
            + machine.jdk()
            + ", load average "
            + Table.num(machine.loadAverageStart(), 2));
    o.println("root " + root + ", output " + out);
    o.println();

    Map<String, Object> results = new LinkedHashMap<>();
    Map<String, Double> seconds = new LinkedHashMap<>();
    Sections sections = new Sections(only, o, results, seconds);
    CreateLatency.Result r1 =
        sections.run(1, "create latency under a slow verify (L = " + c1.listLatency().toMillis() + " ms)",
            "createLatency", () -> CreateLatency.run(c1, o));
    ChurnProgress.Result r2 =
        sections.run(2, "verify progress under churn (L = " + c2.listLatency().toMillis() + " ms)",
            "churnProgress", () -> ChurnProgress.run(c2, o));
    VerifyScale.Result r3 =
        sections.run(3, "verify cost at scale", "verifyScale", () -> VerifyScale.run(c3, out, o));
    Throughput.Result r4 =
        sections.run(4, "create+delete throughput ceiling", "throughput", () -> Throughput.run(c4, out, o));
    ModelCheckCost.Result r5 =
        sections.run(5, "model checking cost", "modelCheckCost", () -> ModelCheckCost.run(c5, out, o));
    Instant ended = Instant.now();
    double loadEnd = Machine.loadAverage();

    o.println();
    o.println("==================================================================");
    o.printf(
        "mode %s, %s s in all (per benchmark: %s), load average %s at start, %s at end%n",
        mode,
        Table.num(Duration.between(started, ended).toMillis() / 1e3, 0),
        seconds.entrySet().stream()
            .map(e -> e.getKey() + ": " + Table.num(e.getValue(), 0) + " s")
            .reduce((a, b) -> a + ", " + b)
            .orElse(""),
        Table.num(machine.loadAverageStart(), 2),
        Table.num(loadEnd, 2));
    o.println();
    List<Goals.Goal> goals = Goals.evaluate(r1, r2, r3, r4, r5);
    o.println("### Ratios and goals");
    o.println();
    Goals.table(goals).print(o);
    Report.details(o, r1, r2, r3, r4, r5);

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("mode", mode);
    doc.put("started", started.toString());
    doc.put("ended", ended.toString());
    doc.put("secondsPerBenchmark", seconds);
    doc.put("machine", machine);
    doc.put("loadAverageEnd", loadEnd);
    doc.put("goals", goals);
    doc.put("results", results);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    SimpleModule m = new SimpleModule();
    m.addSerializer(Duration.class, ToStringSerializer.instance);
    m.addSerializer(Path.class, ToStringSerializer.instance);
    json.registerModule(m);
    // a subset run (--only) gets its own file, so it never overwrites a whole run's results
    String subset =
        only.equals(Set.of(1, 2, 3, 4, 5))
            ? ""
            : "-only" + only.stream().map(String::valueOf).reduce("", String::concat);
    Path file = out.resolve("bench-results-" + mode + subset + ".json");
    json.writeValue(file.toFile(), doc);
    Files.copy(file, out.resolve("bench-results.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    o.println("results: " + file + " (and bench-results.json)");
  }

  private static List<Integer> parseInts(String s) {
    List<Integer> out = new ArrayList<>();
    for (String p : s.split(",")) {
      out.add(Integer.parseInt(p.trim()));
    }
    return out;
  }

  private static void usage(String message) {
    System.err.println(message);
    System.err.println(USAGE);
    System.exit(2);
  }

  /** The project root: the working directory or an ancestor with spec/manifest.json, else the jar's. */
  private static Path findRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("spec/manifest.json")) && Files.isDirectory(p.resolve("bench"))) {
        return p;
      }
    }
    try {
      Path jar =
          Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = jar; p != null; p = p.getParent()) {
        if (Files.exists(p.resolve("spec/manifest.json"))) {
          return p;
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through
    }
    return Path.of("").toAbsolutePath();
  }

  /** Runs the selected benchmarks one by one: a heading, the run, its time and its result. */
  private record Sections(Set<Integer> only, PrintStream o, Map<String, Object> results,
                          Map<String, Double> seconds) {

    /** @return the benchmark's result, or null if {@code number} is not selected */
    <T> T run(int number, String title, String jsonKey, Callable<T> body) throws Exception {
      if (!only.contains(number)) {
        return null;
      }
      o.println("== " + number + ". " + title);
      long t = System.nanoTime();
      T r = body.call();
      seconds.put(String.valueOf(number), (System.nanoTime() - t) / 1e9);
      results.put(jsonKey, r);
      return r;
    }
  }
}
