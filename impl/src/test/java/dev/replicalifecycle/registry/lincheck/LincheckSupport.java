package dev.replicalifecycle.registry.lincheck;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Budgets and helpers shared by the Lincheck tests.
 *
 * <p>Budgets come from system properties, so that a deep run needs no code change (surefire
 * passes {@code -D} properties of the Maven command line to the test JVM):
 *
 * <ul>
 *   <li>{@code lincheck.iterations}: scenarios generated per check (default 4);
 *   <li>{@code lincheck.invocations}: interleavings explored per scenario in model-checking mode
 *       (default 100);
 *   <li>{@code lincheck.stress.invocations}: runs per scenario in stress mode (default 1000);
 *   <li>{@code lincheck.custom.invocations}: interleavings explored for each hand-written
 *       scenario of a known race (default 1000; a check that expects a failure stops at the
 *       first one), and {@code lincheck.custom.passing.invocations} for one that must pass
 *       (default 100).
 * </ul>
 *
 * <p>Scenarios: 2 threads of 3 operations, 1 operation before and 1 after. The defaults keep all
 * Lincheck tests of the module within about 2 minutes on 2 cores (measured; see the package
 * documentation); raise them for a deeper run, e.g. {@code -Dlincheck.iterations=100
 * -Dlincheck.invocations=5000}.
 */
final class LincheckSupport {
  private LincheckSupport() {}

  static int iterations() {
    return Integer.getInteger("lincheck.iterations", 4);
  }

  static int invocations() {
    return Integer.getInteger("lincheck.invocations", 100);
  }

  static int stressInvocations() {
    return Integer.getInteger("lincheck.stress.invocations", 1000);
  }

  /** Model checking with the default budget and shape. */
  static ModelCheckingOptions modelChecking() {
    return shape(new ModelCheckingOptions())
        .iterations(iterations())
        .invocationsPerIteration(invocations());
  }

  /** Stress with the default budget and shape. */
  static StressOptions stress() {
    return shape(new StressOptions())
        .iterations(iterations())
        .invocationsPerIteration(stressInvocations());
  }

  /**
   * Model checking of the custom scenarios only, for a known race that must be reported: up to
   * {@code lincheck.custom.invocations} interleavings each (the check stops at the first
   * failure).
   */
  static ModelCheckingOptions customOnly() {
    return new ModelCheckingOptions()
        .iterations(0)
        .invocationsPerIteration(Integer.getInteger("lincheck.custom.invocations", 1000))
        .sequentialSpecification(RegistrySequentialSpec.class);
  }

  /** Model checking of the custom scenarios only, for a schedule that must pass. */
  static ModelCheckingOptions customOnlyPassing() {
    return new ModelCheckingOptions()
        .iterations(0)
        .invocationsPerIteration(Integer.getInteger("lincheck.custom.passing.invocations", 100))
        .sequentialSpecification(RegistrySequentialSpec.class);
  }

  private static <O extends Options<O, ?>> O shape(O options) {
    return options
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1)
        .sequentialSpecification(RegistrySequentialSpec.class);
  }

  /**
   * A scenario of operations of {@code testClass}, by method name: {@code init} runs first,
   * each of {@code threads} in its own thread, then {@code post}.
   */
  static ExecutionScenario scenario(
      Class<?> testClass, List<String> init, List<List<String>> threads, List<String> post) {
    List<List<Actor>> parallel = new ArrayList<>();
    for (List<String> t : threads) {
      parallel.add(actors(testClass, t));
    }
    return new ExecutionScenario(actors(testClass, init), parallel, actors(testClass, post), null);
  }

  private static List<Actor> actors(Class<?> testClass, List<String> names) {
    List<Actor> out = new ArrayList<>();
    for (String n : names) {
      try {
        Method m = testClass.getMethod(n);
        out.add(new Actor(m, List.of()));
      } catch (NoSuchMethodException e) {
        throw new IllegalArgumentException("no operation " + n + " in " + testClass, e);
      }
    }
    return out;
  }

  /**
   * Asserts that Lincheck finds {@code testClass} not linearizable with {@code options}, prints
   * what it reports (scenario, results, interleaving) to stdout, and returns the report.
   */
  static String expectNotLinearizable(String title, Options<?, ?> options, Class<?> testClass) {
    long start = System.nanoTime();
    LincheckAssertionError e =
        assertThrows(LincheckAssertionError.class, () -> options.check(testClass), title);
    String report = e.getMessage();
    System.out.printf(
        "[lincheck] %s: reported not linearizable in %.1f s, as expected:%n%s%n",
        title, (System.nanoTime() - start) / 1e9, report);
    return report;
  }

  /** Runs a check that must pass, and prints how long it took. */
  static void timed(String title, Options<?, ?> options, Class<?> testClass) {
    long start = System.nanoTime();
    options.check(testClass);
    System.out.printf("[lincheck] %s: passed in %.1f s%n", title, (System.nanoTime() - start) / 1e9);
  }
}
