package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.replicalifecycle.registry.variants.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Spec to tests: random V4 behaviours from TLC's simulation mode (with store faults, an lvol
 * loss, a restart, the engine and a rebuild) replayed on the library, step by step, with the
 * same scheduler as the counterexample replays. Every spec step must be a Java step with the
 * same outcome, and Java must violate no property (TLC checked the spec's side while
 * generating). Batch: system properties {@code conformance.generated.behaviours} and {@code
 * conformance.generated.depth}; seed {@code conformance.generated.seed} (default 1).
 */
class GeneratedBehaviourTest {
  static final int BEHAVIOURS = Integer.getInteger("conformance.generated.behaviours", 300);
  static final int DEPTH = Integer.getInteger("conformance.generated.depth", 40);
  static final long SEED = Long.getLong("conformance.generated.seed", 1);

  /**
   * Steps of SPDK's fault model that the default batch must reach at least once (so that the
   * replay of the fault model cannot pass by never meeting it).
   */
  static final java.util.Set<String> COVERED = java.util.Set.of("CreateLvol timeout-late", "CreateRollback notfound",
      "CreateSettle exists", "CreateSettle ok", "DeleteProbe ok", "LateApply create", "LateApply delete",
      "LateDrop create", "VerifyList partial", "VerifyApply uncertain", "VerifyApply error", "VerifyApply adopt",
      "RebuildDropHead ok", "RebuildCloneHead ok", "Restart with calls left pending");

  @Test
  void simulatedV4BehavioursReplayOnTheLibrary() {
    Simulation.Generated g = Simulation.generate(Paths.outDir().resolve("sim"), BEHAVIOURS, DEPTH, SEED);
    assertTrue(g.behaviours().size() >= Math.min(BEHAVIOURS, 10), "TLC printed too few behaviours: "
        + g.behaviours().size());
    Replayer.Config cfg = new Replayer.Config(Variant.V4, null, true, true, 1, Replayer.Mode.FAITHFUL);
    long t0 = System.nanoTime();
    long steps = 0;
    List<String> failures = new ArrayList<>();
    for (int b = 0; b < g.behaviours().size(); b++) {
      List<SpecStep> behaviour = g.behaviours().get(b);
      StringBuilder log = new StringBuilder();
      try (Replayer r = new Replayer(cfg, Set.of("n1", "n2"))) {
        for (int i = 0; i < behaviour.size(); i++) {
          SpecStep s = behaviour.get(i);
          Replayer.StepResult res = r.apply(i + 1, s);
          steps++;
          log.append(String.format("  %2d  %-42s java: %s%n", i + 1, s, res.java()));
          if (!res.violations().isEmpty()) {
            throw new Replayer.Divergence(i + 1, s, "Java violates " + res.violations()
                + " where TLC found every property to hold");
          }
        }
      } catch (Replayer.Divergence d) {
        failures.add("behaviour " + (b + 1) + " (seed " + SEED + "): " + d.getMessage() + "\n" + log);
        if (failures.size() >= 3) {
          break;
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
    for (List<SpecStep> behaviour : g.behaviours()) {
      for (SpecStep s : behaviour) {
        seen.merge(s.action() + " " + s.outcome(), 1, Integer::sum);
        if (s.action().equals("Restart") && s.late() != null && !s.late().isEmpty()) {
          seen.merge("Restart with calls left pending", 1, Integer::sum);
        }
      }
    }
    System.out.println("GeneratedBehaviours: steps by action and outcome: " + seen);
    java.util.Set<String> missing = new java.util.TreeSet<>(COVERED);
    missing.removeAll(seen.keySet());
    assertTrue(missing.isEmpty() || BEHAVIOURS < 300, "the generated behaviours never take " + missing);
    System.out.printf("GeneratedBehaviours: %d V4 behaviours of %d steps from TLC simulation (seed %d) in %.1f s;"
            + " replayed on the library in %.1f s: %.0f replays/s, %.0f steps/s%n",
        g.behaviours().size(), DEPTH, SEED, g.seconds(), seconds, g.behaviours().size() / seconds, steps / seconds);
    if (!failures.isEmpty()) {
      fail(failures.size() + " generated behaviours diverge on Java:\n" + String.join("\n", failures));
    }
  }
}
