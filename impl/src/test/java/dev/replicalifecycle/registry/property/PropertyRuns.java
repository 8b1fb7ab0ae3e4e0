package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.property.Harness.Failure;
import java.util.List;
import java.util.Set;

/** Running, searching and explaining op sequences: shared by the fuzz target and the tests. */
final class PropertyRuns {
  /** Test runs a minimisation may spend. */
  static final int MINIMISE_BUDGET = 3_000;

  private PropertyRuns() {}

  /** A failing sequence, shrunk. */
  record Found(List<Op> original, Failure failure, List<Op> minimal, Failure minimalFailure,
      long sequencesTried) {

    /** The readable report: the failure and the numbered minimal sequence. */
    String report(String target) {
      return target + ": " + minimalFailure + "\nminimal sequence (" + minimal.size() + " of "
          + original.size() + " ops):\n" + Op.renderAll(minimal) + "  steps of "
          + minimalFailure.where() + " up to the violation:\n" + minimalFailure.renderTrace();
    }
  }

  /** Shrinks {@code ops}, which fails with {@code failure}, keeping the same property violated. */
  static Found minimise(Harness harness, List<Op> ops, Failure failure, long tried) {
    String property = failure.property();
    List<Op> min =
        Minimiser.minimise(
            ops,
            candidate -> {
              Failure f = harness.run(candidate);
              return f != null && f.property().equals(property);
            },
            MINIMISE_BUDGET);
    Failure again = harness.run(min);
    if (again == null || !again.property().equals(property)) {
      // a schedule-dependent run did not repeat: keep the original
      return new Found(ops, failure, ops, failure, tried);
    }
    return new Found(ops, failure, min, again, tried);
  }

  /**
   * Runs random sequences (seeds {@code seed}, {@code seed + 1}, ...) until one violates {@code
   * property}, then minimises it; null if none of {@code maxSequences} did.
   */
  static Found search(Harness harness, String property, long seed, int maxSequences,
      int length) {
    return search(harness, Set.of(property), seed, maxSequences, length);
  }

  /** {@link #search(Harness, String, long, int, int)} for any of {@code properties}. */
  static Found search(Harness harness, Set<String> properties, long seed, int maxSequences,
      int length) {
    for (int i = 0; i < maxSequences; i++) {
      List<Op> ops = OpCodec.decode(new OpCodec.RandomChoices(seed + i, length));
      Failure f = harness.run(ops);
      if (f != null && properties.contains(f.property())) {
        return minimise(harness, ops, f, i + 1L);
      }
    }
    return null;
  }
}
