package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import dev.replicalifecycle.registry.variants.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Spec → Java for {@code spec/ReplicaChains.tla} (snapshots, start, rebuild): every
 * counterexample of that module's violation models (V0's and the four V4 mutants') is replayed
 * step by step on the Java registry of the same name (V0: the test-only {@code
 * HistoricalRegistry}; a mutant: the library with the same guard removed, {@link Mutants}); at
 * every step Java must take the spec's step with its outcome, and the four properties evaluated
 * on Java must be the ones TLC's state violates, so that the model's property breaks at the
 * trace's last step in both. Then the same schedule runs on the library (V4), where no property
 * may break and every operation must return.
 */
class ChainReplayTest {
  static final int BEHAVIOURS = Integer.getInteger("conformance.chains.behaviours", 300);
  static final int DEPTH = Integer.getInteger("conformance.chains.depth", 30);
  static final long SEED = Long.getLong("conformance.generated.seed", 1);

  /** Steps (action and outcome) the default batch of generated behaviours must reach. */
  static final Set<String> COVERED = Set.of("SnapPublish ok", "SnapPublish failed", "SnapCall notfound",
      "SnapDelPublish ok", "StartLook running", "StartLook nohead", "RebuildFinishPublish running",
      "RebuildAbortRemove removed", "VerifyApply adopt", "VerifyApply error", "VerifyApply skip", "LoseHead ok",
      "Restart ok");

  /**
   * Spec to tests: random V4 behaviours of the chain spec from TLC's simulation mode ({@code
   * spec/MCReplicaChainsSim.tla}: snapshots and their deletes, starts, rebuilds begun, finished
   * and aborted, a head loss, a restart, verify rounds), each replayed faithfully on the library:
   * every spec step a Java step with its outcome, no property violated in Java.
   */
  @Test
  void simulatedV4BehavioursReplayOnTheLibrary() {
    Simulation.Generated g = generated();
    assertTrue(g.behaviours().size() >= Math.min(BEHAVIOURS, 10), "TLC printed too few behaviours: "
        + g.behaviours().size());
    long t0 = System.nanoTime();
    long steps = 0;
    List<String> failures = new ArrayList<>();
    Map<String, Integer> seen = new java.util.TreeMap<>();
    for (int b = 0; b < g.behaviours().size(); b++) {
      List<SpecStep> behaviour = g.behaviours().get(b);
      StringBuilder log = new StringBuilder();
      try (ChainReplay r = new ChainReplay(Variant.V4, null, ChainReplay.Mode.FAITHFUL,
          List.of("n1", "n2", "n3"), Set.of("n1", "n2"))) {
        for (int i = 0; i < behaviour.size(); i++) {
          SpecStep s = behaviour.get(i);
          seen.merge(s.action() + " " + s.outcome(), 1, Integer::sum);
          String java = r.apply(s);
          steps++;
          log.append(String.format("  %2d  %-40s java: %s%n", i + 1, s, java));
          if (!r.violations().isEmpty()) {
            throw new ChainReplay.Divergence("step " + (i + 1) + " " + s + ": Java violates " + r.violations()
                + " where TLC found every property to hold");
          }
        }
      } catch (ChainReplay.Divergence d) {
        failures.add("behaviour " + (b + 1) + " (seed " + SEED + "): " + d.getMessage() + "\n" + log);
        if (failures.size() >= 3) {
          break;
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.println("ChainReplay: generated steps by action and outcome: " + seen);
    System.out.printf("ChainReplay: %d V4 behaviours of %d steps from TLC simulation (seed %d) in %.1f s;"
            + " replayed on the library in %.1f s: %.0f replays/s, %.0f steps/s%n",
        g.behaviours().size(), DEPTH, SEED, g.seconds(), seconds, g.behaviours().size() / seconds, steps / seconds);
    if (!failures.isEmpty()) {
      fail(failures.size() + " generated behaviours diverge on Java:\n" + String.join("\n", failures));
    }
    Set<String> missing = new TreeSet<>(COVERED);
    missing.removeAll(seen.keySet());
    assertTrue(missing.isEmpty() || BEHAVIOURS < 300, "the generated behaviours never take " + missing);
    for (ChainMapping m : ChainMapping.values()) {
      assertTrue(BEHAVIOURS < 300 || seen.keySet().stream().anyMatch(k -> k.startsWith(m.name() + " ")),
          "the generated behaviours never take " + m);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyChainCounterexampleReplaysOnItsJavaVariant() {
    List<Counterexamples.Model> models = Counterexamples.all(Counterexamples.CHAINS);
    assertFalse(models.isEmpty(), "the manifest has violation models of " + Counterexamples.CHAINS);
    return models.stream().flatMap(m -> Stream.of(
        DynamicTest.dynamicTest(m.model() + " on " + label(m), () -> replayFaithfully(m)),
        DynamicTest.dynamicTest(m.model() + ": its schedule on V4", () -> replayOnV4(m))));
  }

  private static Simulation.Generated generated;

  /** The batch of generated behaviours (one TLC simulation per JVM). */
  static synchronized Simulation.Generated generated() {
    if (generated == null) {
      generated = Simulation.generate(Paths.outDir().resolve("sim-chains"), "ReplicaChains", BEHAVIOURS, DEPTH, SEED);
    }
    return generated;
  }

  /**
   * The generated behaviours have teeth: replayed on each chain mutant of the library (one guard
   * removed), some behaviour diverges (Java takes another step or outcome) or breaks a property.
   * {@code AdoptRebuilding} needs a restart while a rebuild's lvol exists, then a round: the
   * random walk takes that about once in 1,700 behaviours (seed 1: behaviour 1,732), so it is
   * required of batches of 3,000 ({@code -Pdeep}); its counterexample's replay catches it in
   * every build.
   */
  @Test
  void generatedBehavioursCatchTheChainMutants() {
    Map<String, String> caught = new java.util.TreeMap<>();
    for (String mutant : List.of("SyncChainUnstamped", "JudgeRebuilding", "AdoptRebuilding", "StartCreates")) {
      int b = 0;
      for (List<SpecStep> behaviour : generated().behaviours()) {
        b++;
        String found = null;
        try (ChainReplay r = new ChainReplay(Variant.V4, mutant, ChainReplay.Mode.FAITHFUL, List.of("n1", "n2", "n3"),
            Set.of("n1", "n2"))) {
          for (int i = 0; i < behaviour.size() && found == null; i++) {
            r.apply(behaviour.get(i));
            if (!r.violations().isEmpty()) {
              found = "behaviour " + b + " step " + (i + 1) + ": Java violates " + r.violations();
            }
          }
        } catch (ChainReplay.Divergence d) {
          found = "behaviour " + b + ": " + d.getMessage();
        }
        if (found != null) {
          caught.put(mutant, found);
          break;
        }
      }
      System.out.println("ChainReplay: generated behaviours " + (caught.containsKey(mutant)
          ? "catch V4-" + mutant + " at " + caught.get(mutant)
          : "do not reach V4-" + mutant + " (" + b + " behaviours)"));
    }
    Set<String> required = new TreeSet<>(Set.of("SyncChainUnstamped", "JudgeRebuilding", "StartCreates"));
    if (generated().behaviours().size() >= 3000) {
      required.add("AdoptRebuilding");
    }
    required.removeAll(caught.keySet());
    assertTrue(required.isEmpty(), "no generated behaviour catches the mutants " + required);
  }

  /**
   * spec/README says that upstream's V1..V3 behave as V0 for chains (they changed create,
   * publish and the map's install, not the replica's Sync or start), so the chain module models
   * V0 only. Checked here on the Java variants: each V0 counterexample replays faithfully on
   * V1, V2 and V3 too, its property breaking at its last step.
   */
  @TestFactory
  Stream<DynamicTest> v0ChainCounterexamplesBreakV1ToV3Alike() {
    return Counterexamples.all(Counterexamples.CHAINS).stream()
        .filter(m -> m.variant().equals("V0"))
        .flatMap(m -> Stream.of(Variant.V1, Variant.V2, Variant.V3).map(v -> DynamicTest.dynamicTest(
            m.model() + " on " + v.name(), () -> {
              List<SpecStep> steps = steps(m.trace());
              try (ChainReplay r = new ChainReplay(v, null, ChainReplay.Mode.FAITHFUL, order(steps, m.trace()),
                  running(m))) {
                for (int k = 0; k < steps.size(); k++) {
                  r.apply(steps.get(k));
                  Set<String> spec = ChainReplay.specViolations(m.trace().state(k + 1));
                  assertEquals(spec, r.violations().keySet(), m.model() + " on " + v.name() + " at step " + (k + 1));
                }
                assertTrue(r.violations().containsKey(m.property()), m.model() + " on " + v.name());
              }
            })));
  }

  /** Each chain mutant of the manifest has its Java counterpart. */
  @Test
  void everyChainMutantIsMirrored() {
    for (Counterexamples.Model m : Counterexamples.all(Counterexamples.CHAINS)) {
      if (m.mutant() != null) {
        assertTrue(Mutants.MIRRORED.contains(m.mutant()), m.mutant() + " is not mirrored in Java");
      }
    }
  }

  /**
   * The replay has teeth: a mutant's counterexample replayed faithfully on the library diverges
   * at the mutated decision (V4 answers another outcome there), it is not waved through.
   */
  @Test
  void aMutantsCounterexampleDivergesOnTheLibrary() {
    for (Counterexamples.Model m : Counterexamples.all(Counterexamples.CHAINS)) {
      if (m.mutant() == null) {
        continue;
      }
      List<SpecStep> steps = steps(m.trace());
      int[] at = {0};
      ChainReplay.Divergence e = assertThrows(ChainReplay.Divergence.class, () -> {
        try (ChainReplay r = new ChainReplay(Variant.V4, null, ChainReplay.Mode.FAITHFUL, order(steps, m.trace()),
            running(m))) {
          for (SpecStep s : steps) {
            at[0]++;
            r.apply(s);
            assertEquals(Map.of(), r.violations(), "V4 violates a property after " + s);
          }
        }
      }, m.model() + " replayed faithfully on V4 must diverge");
      // at the mutated decision: the trace's last step (where the mutant's property breaks)
      assertEquals(steps.size(), at[0], m.model() + " on V4 diverged before the mutated decision: " + e.getMessage());
      System.out.println("ChainReplay: " + m.model() + " on V4: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static String label(Counterexamples.Model m) {
    return m.mutant() == null ? m.variant() : m.variant() + "-" + m.mutant();
  }

  static List<SpecStep> steps(ItfTrace t) {
    List<SpecStep> out = new ArrayList<>();
    for (int i = 1; i < t.size(); i++) {
      out.add(CounterexampleReplayTest.step(t, i));
    }
    return out;
  }

  /**
   * The spec's names in the order Java's verify must visit them (it visits in name order): those
   * the trace decides, in the order of their first decision, then the others. A trace whose rounds
   * decide in contradicting orders would diverge (none does: each decides one name or keeps order).
   */
  static List<String> order(List<SpecStep> steps, ItfTrace t) {
    List<String> out = new ArrayList<>();
    for (SpecStep s : steps) {
      if (s.action().equals("VerifyApply") && s.name() != null && !out.contains(s.name())) {
        out.add(s.name());
      }
    }
    for (String n : CounterexampleReplayTest.names(t)) {
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  static Set<String> running(Counterexamples.Model m) {
    Set<String> out = new TreeSet<>();
    Map<?, ?> map = (Map<?, ?>) m.trace().value(0, "map");
    map.forEach((n, e) -> {
      if (e instanceof Map<?, ?> entry && "running".equals(entry.get("st"))) {
        out.add(n.toString());
      }
    });
    return out;
  }

  private void replayFaithfully(Counterexamples.Model m) {
    ItfTrace t = m.trace();
    List<SpecStep> steps = steps(t);
    StringBuilder log = new StringBuilder();
    List<String> disagreements = new ArrayList<>();
    int javaFirst = -1;
    int specFirst = -1;
    try (ChainReplay r = new ChainReplay(Variant.valueOf(m.variant()), m.mutant(), ChainReplay.Mode.FAITHFUL,
        order(steps, t), running(m))) {
      assertEquals(Set.of(), ChainReplay.specViolations(t.state(0)), m.model() + ": the initial state is clean");
      for (int k = 0; k < steps.size(); k++) {
        SpecStep s = steps.get(k);
        String java;
        try {
          java = r.apply(s);
        } catch (ChainReplay.Divergence d) {
          fail(m.model() + " on " + label(m) + ": Java diverges from TLC's counterexample at step " + (k + 1) + ": "
              + d.getMessage() + "\n" + log);
          return;
        }
        Set<String> spec = ChainReplay.specViolations(t.state(k + 1));
        Map<String, String> jv = r.violations();
        log.append(String.format("  %2d  %-40s java: %-24s violated: spec %s java %s%n", k + 1, s, java, spec,
            jv.keySet()));
        if (!spec.equals(jv.keySet())) {
          disagreements.add("step " + (k + 1) + " (" + s + "): spec " + spec + ", java " + jv);
        }
        if (javaFirst < 0 && jv.containsKey(m.property())) {
          javaFirst = k + 1;
        }
        if (specFirst < 0 && spec.contains(m.property())) {
          specFirst = k + 1;
        }
      }
    }
    System.out.println("ChainReplay: " + m.model() + " replayed on " + label(m) + " (" + steps.size() + " steps):\n"
        + log);
    assertTrue(disagreements.isEmpty(), m.model() + ": Java and TLC disagree on which properties hold:\n  "
        + String.join("\n  ", disagreements) + "\n" + log);
    assertEquals(steps.size(), specFirst, m.model() + ": TLC's trace ends where " + m.property() + " breaks");
    assertEquals(specFirst, javaFirst, m.model() + ": " + m.property() + " first violated at the same step\n" + log);
  }

  private void replayOnV4(Counterexamples.Model m) {
    ItfTrace t = m.trace();
    List<SpecStep> steps = steps(t);
    StringBuilder log = new StringBuilder();
    try (ChainReplay r = new ChainReplay(Variant.V4, null, ChainReplay.Mode.WHERE_IT_APPLIES, order(steps, t),
        running(m))) {
      for (int k = 0; k < steps.size(); k++) {
        SpecStep s = steps.get(k);
        String java = r.apply(s);
        log.append(String.format("  %2d  %-40s V4: %s%n", k + 1, s, java));
        assertEquals(Map.of(), r.violations(), m.model() + "'s schedule on V4 violates a property at step " + (k + 1)
            + "\n" + log);
      }
      List<String> stuck = r.finish();
      assertEquals(List.of(), stuck, m.model() + "'s schedule on V4: operations that did not return\n" + log);
      assertEquals(Map.of(), r.violations(), m.model() + "'s schedule on V4, once every operation returned\n" + log);
      System.out.println("ChainReplay: " + m.model() + "'s schedule on V4 (" + steps.size() + " steps), errors "
          + r.errors() + ":\n" + log);
    }
  }
}
