package dev.replicalifecycle.registry.property;

import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.replicalifecycle.registry.property.Harness.Failure;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Stateful property runs of the V4 registry, driven by Jazzer: each input is decoded ({@link
 * OpCodec}: the input's bytes front to back) into a sequence of creates, deletes, gets, verify
 * rounds, store faults (late-landing timeouts included), pending calls landing or dropped, partial
 * listings, lvol losses, orphan lvols, restarts (also while the old registry's operations run), and
 * pairs of threads run under a schedule taken from the input; half the inputs run on the registry
 * without a step listener (the production path); the {@link Harness} runs it and checks the spec's properties after
 * every step and after a settle phase. A violation is minimised ({@link Minimiser}) and reported as
 * a numbered list.
 *
 * <p>In a plain build (regression mode) the seeds and saved reproducers in {@code
 * RegistryPropertyFuzzTestInputs/registrySequences/} are replayed; the surefire execution {@code
 * fuzz-registry} fuzzes for {@code fuzz.registry.duration} (30 s), and {@code -Pdeep} for long
 * enough to run at least 10^5 sequences. The number of sequences run is printed at the end.
 */
class RegistryPropertyFuzzTest {
  private static final Harness HARNESS = new Harness(Subject.v4());
  /** The registry as production builds it: no step listener. */
  private static final Harness PLAIN = new Harness(Subject.v4Plain());
  private static final AtomicLong SEQUENCES = new AtomicLong();
  private static final AtomicLong OPS = new AtomicLong();
  private static final long START = System.nanoTime();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(RegistryPropertyFuzzTest::printCount));
  }

  @FuzzTest(maxDuration = "30s")
  void registrySequences(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    List<Op> ops = OpCodec.decode(bytes);
    // Half the inputs (by a hash of the input, so that a saved input replays the same way) run on
    // the registry without a step listener: the path production runs.
    Harness harness = (java.util.Arrays.hashCode(bytes) & 1) == 0 ? HARNESS : PLAIN;
    SEQUENCES.incrementAndGet();
    OPS.addAndGet(ops.size());
    Failure failure = harness.run(ops);
    if (failure != null) {
      PropertyRuns.Found found = PropertyRuns.minimise(harness, ops, failure, 1);
      fail(found.report(harness.target().label()) + "\noriginal sequence:\n" + Op.renderAll(ops));
    }
  }

  @AfterAll
  static void printCount() {
    long n = SEQUENCES.get();
    if (n == 0) {
      return;
    }
    double secs = (System.nanoTime() - START) / 1e9;
    System.out.printf(
        "RegistryPropertyFuzzTest: %d sequences (%d ops) in %.1f s of this JVM, %.0f sequences/s%n",
        n, OPS.get(), secs, n / secs);
    SEQUENCES.set(0);
  }
}
