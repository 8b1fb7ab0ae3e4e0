package dev.replicalifecycle.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicalifecycle.modelcheck.ModelCheckMain;
import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ITF counterexample of every manifest model of one MC module ({@link #LIFECYCLE}, {@link
 * #CHAINS}) whose expected result is a violation. Reused
 * from {@code modelcheck/target/traces} when each trace there is newer than the spec, its MC
 * module, their cfgs and the manifest, and describes the manifest's model (same cfg, variant and mutant); otherwise the
 * violation models are checked again with the modelcheck command (TLC in child JVMs, two at a
 * time) into {@code conformance/target/mc} ({@code mc-MCReplicaChains} for the chain module). A stale trace is never replayed: if even a fresh
 * run leaves one stale or missing, that is an error.
 */
final class Counterexamples {
  private Counterexamples() {}

  /**
   * A manifest model with its trace.
   *
   * @param model the manifest's id
   * @param variant V0..V4
   * @param mutant the V4 mutant or null
   * @param property the property it violates
   * @param kind safety or liveness
   * @param bounds the manifest's bounds object
   * @param trace the counterexample
   * @param source where the trace was read from
   */
  record Model(String model, String variant, String mutant, String property, String kind, JsonNode bounds,
      ItfTrace trace, Path source) {
    boolean engineOn() {
      return bounds.path("engine").asBoolean(false);
    }

    boolean rebuildOn() {
      return bounds.path("rebuild").asBoolean(false);
    }

    int rebuilds() {
      return bounds.path("rebuilds").asInt(0);
    }

    @Override
    public String toString() {
      return model;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.Map<String, List<Model>> CACHED = new java.util.HashMap<>();

  /** Every violation model of {@code MCReplicaLifecycle} in the manifest, with a fresh trace (cached per JVM). */
  static List<Model> all() {
    return all(LIFECYCLE);
  }

  /** Every violation model of {@code module} in the manifest, with a fresh trace (cached per JVM). */
  static synchronized List<Model> all(String module) {
    return CACHED.computeIfAbsent(module, Counterexamples::load);
  }

  private static List<Model> load(String module) {
    Path spec = Paths.specDir();
    List<JsonNode> violations = violations(spec, module);
    FileTime specTime = newest(spec, module);
    Path reused = Paths.modelcheckOut().resolve("traces");
    if (violations.stream().allMatch(m -> fresh(reused, m, specTime))) {
      System.out.println("Counterexamples: reusing " + violations.size() + " traces from " + reused
          + " (newer than spec/)");
      return read(violations, reused);
    }
    Path out = Paths.outDir().resolve(module.equals(LIFECYCLE) ? "mc" : "mc-" + module);
    Path own = out.resolve("traces");
    if (!violations.stream().allMatch(m -> fresh(own, m, specTime))) {
      System.out.println("Counterexamples: traces in " + reused + " are missing or older than spec/;"
          + " checking the " + violations.size() + " violation models again into " + out);
      check(spec, violations, out, "1");
    }
    return readFresh(violations, own, specTime);
  }

  /**
   * Every violation model of the manifest, model-checked anew into {@code out} with TLC's {@code
   * -workers workers} (never reused): with more than one worker, TLC may find a different
   * counterexample each time, and the replays must not depend on which one.
   */
  static List<Model> generate(Path out, String workers) {
    Path spec = Paths.specDir();
    List<JsonNode> violations = violations(spec, LIFECYCLE);
    check(spec, violations, out, workers);
    return readFresh(violations, out.resolve("traces"), newest(spec, LIFECYCLE));
  }

  /** The module of create, delete, verify and SPDK's faults ({@link CounterexampleReplayTest}). */
  static final String LIFECYCLE = "MCReplicaLifecycle";
  /** The module of snapshots, start and rebuild ({@link ChainReplayTest}). */
  static final String CHAINS = "MCReplicaChains";

  private static List<JsonNode> violations(Path spec, String module) {
    JsonNode manifest;
    try {
      manifest = JSON.readTree(spec.resolve("manifest.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<JsonNode> violations = new ArrayList<>();
    for (JsonNode m : manifest.path("models")) {
      if (m.path("expected").path("result").asText().equals("violation")
          && module.equals(m.path("module").asText())) {
        violations.add(m);
      }
    }
    return violations;
  }

  private static void check(Path spec, List<JsonNode> violations, Path out, String workers) {
    List<String> ids = violations.stream().map(m -> m.path("model").asText()).toList();
    long t0 = System.nanoTime();
    String previous = System.getProperty("modelcheck.noExit");
    System.setProperty("modelcheck.noExit", "true");
    try {
      ModelCheckMain.main(new String[] {"--spec-dir", spec.toString(), "--models", String.join(",", ids),
          "--out", out.toString(), "--parallel", workers.equals("1") ? "2" : "1", "--workers", workers,
          "--timeout", "5m"});
    } finally {
      if (previous == null) {
        System.clearProperty("modelcheck.noExit");
      } else {
        System.setProperty("modelcheck.noExit", previous);
      }
    }
    System.out.printf("Counterexamples: model checking %d models with -workers %s took %.1f s%n", ids.size(),
        workers, (System.nanoTime() - t0) / 1e9);
  }

  private static List<Model> readFresh(List<JsonNode> violations, Path own, FileTime specTime) {
    for (JsonNode m : violations) {
      if (!fresh(own, m, specTime)) {
        throw new IllegalStateException("no fresh trace for " + m.path("model").asText() + " in " + own
            + " even after model checking: refusing to replay a stale trace");
      }
    }
    return read(violations, own);
  }

  private static List<Model> read(List<JsonNode> violations, Path dir) {
    List<Model> out = new ArrayList<>();
    for (JsonNode m : violations) {
      String id = m.path("model").asText();
      Path file = dir.resolve(id + ".itf.json");
      ItfTrace t = ItfTrace.read(file);
      JsonNode mutant = m.get("mutant");
      out.add(new Model(id, m.path("variant").asText(), mutant == null || mutant.isNull() ? null : mutant.asText(),
          m.path("expected").path("property").asText(), m.path("expected").path("kind").asText(),
          m.path("bounds"), t, file));
    }
    return out;
  }

  /** The trace exists, is newer than the spec, and is the manifest model's counterexample. */
  private static boolean fresh(Path dir, JsonNode m, FileTime specTime) {
    Path file = dir.resolve(m.path("model").asText() + ".itf.json");
    try {
      if (!Files.isRegularFile(file) || Files.getLastModifiedTime(file).compareTo(specTime) <= 0) {
        return false;
      }
      ItfTrace t = ItfTrace.read(file);
      JsonNode mutant = m.get("mutant");
      String expectedMutant = mutant == null || mutant.isNull() ? null : mutant.asText();
      return m.path("config").asText().equals(t.meta("source"))
          && m.path("variant").asText().equals(t.meta("variant"))
          && java.util.Objects.equals(expectedMutant, t.meta("mutant"))
          && m.path("expected").path("property").asText().equals(t.meta("property"))
          && t.size() > 1;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The newest modification time of what {@code module}'s models read in {@code spec/}. */
  static FileTime newest(Path dir, String module) {
    String specModule = module.substring("MC".length());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> {
            // what the module's models read: the spec, its MC module, their cfgs, the manifest
            String n = p.getFileName().toString();
            return n.equals(specModule + ".tla") || n.equals(module + ".tla")
                || (n.startsWith(module + "_") && n.endsWith(".cfg")) || n.equals("manifest.json");
          })
          .map(p -> {
            try {
              return Files.getLastModifiedTime(p);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          })
          .max(FileTime::compareTo)
          .orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
