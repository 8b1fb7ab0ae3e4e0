package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.variants.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Spec to Java: every counterexample TLC finds for the manifest's violation models is replayed,
 * step by step, on the Java variant of the same name (V0..V3: the test-only historical
 * registries; V4 mutants: {@link Mutants}, where one exists). Asserted: Java takes every step the
 * spec takes with the same outcome; after every step the spec's nine safety properties, evaluated
 * in Java, agree with the same properties evaluated on TLC's state (so the model's property is
 * first violated at the same step on both sides); a liveness lasso keeps Java's verify skipping,
 * loop after loop, without detecting the lost lvol ({@code LostLvolDetected}), or keeps Java's
 * operation running ({@code OperationsReturn}). Then the same schedule is replayed on the library
 * (V4) as far as it applies, and V4 violates nothing, returns from every operation (and detects
 * the lost lvol).
 */
class CounterexampleReplayTest {

  /** Loop iterations replayed after a lasso's stem. */
  static final int LOOPS = 3;

  /** A step of the replay and the spec state it leads to. */
  record Scheduled(SpecStep step, int state) {}

  @TestFactory
  Stream<DynamicTest> everyCounterexampleReplaysOnItsJavaVariant() {
    return Counterexamples.all().stream().map(m -> DynamicTest.dynamicTest(m.model(), () -> replay(m)));
  }

  /**
   * The replays must not depend on which counterexample TLC finds. With more than one worker TLC
   * may find a different counterexample (another interleaving, a lasso closed by another action)
   * each time: every violation model is checked anew with {@code -workers
   * ${conformance.fresh.workers}} (default {@code auto}), {@code conformance.fresh.rounds} times
   * (default 1; {@code -Pdeep} 5), and each fresh trace is replayed exactly as the saved ones.
   */
  @TestFactory
  Stream<DynamicTest> freshCounterexamplesFromSeveralWorkersReplay() {
    int rounds = Integer.getInteger("conformance.fresh.rounds", 1);
    String workers = System.getProperty("conformance.fresh.workers", "auto");
    return java.util.stream.IntStream.rangeClosed(1, rounds).boxed().flatMap(round -> {
      List<Counterexamples.Model> models =
          Counterexamples.generate(Paths.outDir().resolve("fresh").resolve("round-" + round), workers);
      return models.stream().map(m -> DynamicTest.dynamicTest("round " + round + ": " + m.model() + " ("
          + m.trace().size() + " states" + (m.trace().loop() == null ? "" : ", loop " + m.trace().loop()
          + " closed by " + m.trace().meta("loopAction")) + ")", () -> replay(m)));
    });
  }

  @Test
  void lassoClosingStepIsComparedBySpecAction() {
    assertEquals("VerifyApply", LassoClosing.specAction("VerifyApplyRound"));
    assertEquals("VerifyApply", LassoClosing.specAction("VerifyApplyName"));
    assertEquals("CreateLvol", LassoClosing.specAction("CreateLvolFault"));
    assertEquals("DeleteMark", LassoClosing.specAction("DeleteMark"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> LassoClosing.specAction("Stutter"));
  }

  @Test
  void mutantsWithoutJavaCounterpartAreNamed() {
    Set<String> inManifest = new TreeSet<>();
    for (Counterexamples.Model m : Counterexamples.all()) {
      if (m.mutant() != null) {
        inManifest.add(m.mutant());
      }
    }
    Set<String> covered = new TreeSet<>(Mutants.MIRRORED);
    covered.addAll(Mutants.NOT_MIRRORED.keySet());
    assertTrue(covered.containsAll(inManifest), "every manifest mutant is mirrored or named: " + inManifest);
  }

  static List<Scheduled> schedule(ItfTrace t, String variant, String mutant) {
    List<Scheduled> out = new ArrayList<>();
    for (int i = 1; i < t.size(); i++) {
      out.add(new Scheduled(step(t, i), i));
    }
    Integer loop = t.loop();
    if (loop != null) {
      SpecStep closing = closingStep(t, variant, mutant);
      for (int k = 0; k < LOOPS; k++) {
        out.add(new Scheduled(closing, loop));
        for (int i = loop + 1; i < t.size(); i++) {
          out.add(new Scheduled(step(t, i), i));
        }
      }
    }
    return out;
  }

  /** The step into state {@code i}, with what that state says about its environment (see {@link SpecStep}). */
  static SpecStep step(ItfTrace t, int i) {
    return SpecStep.of((Map<?, ?>) t.value(i, "step")).withState(t.state(i));
  }

  /**
   * The step that closes a lasso (from the last state back to state {@code loop}). TLC names only
   * its action ({@code #meta.loopAction}), and names it by the sub-action it took ({@code
   * VerifyApplyRound}, {@code VerifyApplyName}, {@code CreateLvolFault}, ...), which is compared
   * with the spec's action identity ({@link LassoClosing#specAction}), never with a step record's
   * word. Its parameters are inferred from the last state and the loop state ({@link
   * LassoClosing#infer}): a loop cannot contain a store fault, a loss, a restart, a rebuild or an
   * engine step (each spends a budget or is irreversible), so only fault-free client and verify
   * steps can close one. The replay checks the inferred outcome, so a wrong inference shows up as
   * a divergence, never as a silent pass.
   */
  static SpecStep closingStep(ItfTrace t, String variant, String mutant) {
    return LassoClosing.infer(t, variant, mutant);
  }

  /**
   * Java names for the spec's names such that Java's name order is the order in which the
   * trace's rounds decide them (V4's verify decides in name order; the spec, symmetric in its
   * names, in any): spec {@code n2} decided before {@code n1} becomes Java {@code a-n2}, and
   * {@code n1} becomes {@code b-n1}. Rounds that disagree on the order cannot be replayed on V4;
   * they keep the identity (and the replay reports the order it meets).
   */
  static Map<String, String> renaming(List<Scheduled> schedule, Set<String> names) {
    Map<String, Set<String>> after = new java.util.TreeMap<>();
    names.forEach(n -> after.put(n, new TreeSet<>()));
    String previous = null;
    for (Scheduled sc : schedule) {
      SpecStep st = sc.step();
      if (st.action().equals("VerifyApply") && st.name() != null) {
        if (previous != null && !previous.equals(st.name())) {
          after.get(previous).add(st.name());
        }
        previous = st.name();
      } else if (st.action().equals("VerifyStart") || st.action().equals("Restart")) {
        previous = null;
      }
    }
    List<String> order = new ArrayList<>();
    Set<String> placed = new TreeSet<>();
    while (order.size() < names.size()) {
      String next = null;
      for (String n : names) {
        boolean free = !placed.contains(n)
            && after.entrySet().stream().noneMatch(e -> !placed.contains(e.getKey()) && e.getValue().contains(n));
        if (free) {
          next = n;
          break;
        }
      }
      if (next == null) {
        return Map.of(); // contradictory orders
      }
      order.add(next);
      placed.add(next);
    }
    Map<String, String> out = new java.util.HashMap<>();
    for (int k = 0; k < order.size(); k++) {
      out.put(order.get(k), (char) ('a' + k) + "-" + order.get(k));
    }
    return out;
  }

  static Set<String> names(ItfTrace t) {
    Set<String> names = new TreeSet<>();
    ((Map<?, ?>) t.value(0, "map")).keySet().forEach(k -> names.add(k.toString()));
    return names;
  }

  private void replay(Counterexamples.Model m) {
    if (m.mutant() != null && !Mutants.MIRRORED.contains(m.mutant())) {
      Assumptions.abort("mutant " + m.mutant() + " has no Java counterpart: " + Mutants.NOT_MIRRORED.get(m.mutant()));
    }
    Variant variant = Variant.valueOf(m.variant());
    ItfTrace t = m.trace();
    boolean insertsFirst = variant == Variant.V0 || (variant == Variant.V4 && !"NoReserve".equals(m.mutant()));
    List<Scheduled> schedule = schedule(t, m.variant(), m.mutant());
    Set<String> names = names(t);
    StringBuilder log = new StringBuilder();
    List<String> disagreements = new ArrayList<>();
    int javaFirst = -1;
    int specFirst = -1;
    Replayer.Config cfg = new Replayer.Config(variant, m.mutant(), m.engineOn(), m.rebuildOn(), m.rebuilds(),
        Replayer.Mode.FAITHFUL);
    boolean lostLvol = m.property().equals("LostLvolDetected");
    Set<String> lost = lostLvol ? undetected(t, t.loop()) : Set.of();
    Set<String> stuck = m.property().equals("OperationsReturn") ? stuck(t) : Set.of();
    Map<String, String> renaming = renaming(schedule, names);
    try (Replayer r = new Replayer(cfg, names).renaming(renaming)) {
      for (int k = 0; k < schedule.size(); k++) {
        Scheduled s = schedule.get(k);
        Replayer.StepResult res;
        try {
          res = r.apply(s.state(), s.step());
        } catch (Replayer.Divergence d) {
          fail(m.model() + " on " + cfg.variant() + (m.mutant() == null ? "" : "-" + m.mutant())
              + ": Java diverges from TLC's counterexample at " + d.getMessage() + "\n" + log);
          return;
        }
        Set<String> spec = Properties.specViolations(t.state(s.state()), insertsFirst);
        Set<String> java = new TreeSet<>(res.violations().keySet());
        log.append(String.format("  %2d  %-40s java: %-14s violated: spec %s java %s%n", k + 1, s.step(), res.java(),
            spec, java));
        if (!spec.equals(java)) {
          disagreements.add("step " + (k + 1) + " (" + s.step() + "): spec " + spec + ", java " + res.violations());
        }
        if (javaFirst < 0 && java.contains(m.property())) {
          javaFirst = k + 1;
        }
        if (specFirst < 0 && spec.contains(m.property())) {
          specFirst = k + 1;
        }
        if (!lost.isEmpty() && s.state() == t.loop()) {
          for (String n : lost) {
            Optional<Replica> e = r.subject().registry().get(r.javaName(n));
            boolean undetected = e.isPresent() && (e.get().state() == ReplicaState.RUNNING
                || e.get().state() == ReplicaState.STOPPED) && !r.store().contains(r.javaName(n));
            assertTrue(undetected, m.model() + ": at the loop's start (step " + (k + 1) + ") Java has detected the"
                + " lost lvol " + n + ": " + e + "\n" + log);
          }
          if (res.java().equals("error")) {
            fail(m.model() + ": Java's verify marked an entry error inside the loop\n" + log);
          }
        }
        if (!stuck.isEmpty() && s.state() == t.loop()) {
          for (String c : stuck) {
            assertTrue(r.inFlight(c), m.model() + ": at the loop's start (step " + (k + 1) + ") Java's operation of "
                + c + " has returned\n" + log);
          }
        }
      }
    }
    System.out.println(m.model() + " replayed on " + cfg.variant() + (m.mutant() == null ? "" : "-" + m.mutant())
        + " (" + schedule.size() + " steps" + (t.loop() == null ? "" : ", stem and " + LOOPS + " loops") + "):\n" + log);
    assertTrue(disagreements.isEmpty(), m.model() + ": Java and TLC disagree on which properties hold:\n  "
        + String.join("\n  ", disagreements) + "\n" + log);
    if (m.kind().equals("safety")) {
      assertEquals(t.size() - 1, specFirst, m.model() + ": TLC's trace ends where " + m.property() + " breaks");
      assertEquals(specFirst, javaFirst, m.model() + ": " + m.property() + " first violated at the same step\n" + log);
    } else if (lostLvol) {
      assertTrue(!lost.isEmpty(), m.model() + ": the lasso has a lost lvol");
    } else {
      assertTrue(!stuck.isEmpty(), m.model() + ": the lasso has an operation that never returns");
    }
    replayOnV4(m, schedule, names, lost, renaming);
  }

  /** The clients whose operation is in flight in every state of the lasso's loop. */
  static Set<String> stuck(ItfTrace t) {
    Set<String> out = null;
    for (int i = t.loop(); i < t.size(); i++) {
      Set<String> busy = new TreeSet<>();
      ((Map<?, ?>) t.value(i, "cl")).forEach((c, st) -> {
        if (!"idle".equals(String.valueOf(((Map<?, ?>) st).get("op")))) {
          busy.add(c.toString());
        }
      });
      if (out == null) {
        out = busy;
      } else {
        out.retainAll(busy);
      }
    }
    return out == null ? Set.of() : out;
  }

  /** Names whose entry is running/stopped with no lvol in spec state {@code i} (the spec's Undetected). */
  static Set<String> undetected(ItfTrace t, int i) {
    Map<String, Object> s = t.state(i);
    Set<String> out = new TreeSet<>();
    Map<?, ?> map = (Map<?, ?>) s.get("map");
    Set<?> lvols = (Set<?>) s.get("lvols");
    Set<?> rlvols = (Set<?>) s.get("rlvols");
    map.forEach((n, e) -> {
      if (e instanceof Map<?, ?> entry && (entry.get("st").equals("running") || entry.get("st").equals("stopped"))
          && !lvols.contains(n) && !rlvols.contains(n)) {
        out.add(n.toString());
      }
    });
    return out;
  }

  private void replayOnV4(Counterexamples.Model m, List<Scheduled> schedule, Set<String> names, Set<String> lost,
      Map<String, String> renaming) {
    Replayer.Config cfg = new Replayer.Config(Variant.V4, null, m.engineOn(), m.rebuildOn(), m.rebuilds(),
        Replayer.Mode.WHERE_IT_APPLIES);
    StringBuilder log = new StringBuilder();
    try (Replayer r = new Replayer(cfg, names).renaming(renaming)) {
      for (int k = 0; k < schedule.size(); k++) {
        Scheduled s = schedule.get(k);
        Replayer.StepResult res = r.apply(s.state(), s.step());
        log.append(String.format("  %2d  %-40s V4: %s%n", k + 1, s.step(), res.java()));
        assertTrue(res.violations().isEmpty(), m.model() + ": the same schedule violates " + res.violations()
            + " on V4 at step " + (k + 1) + "\n" + log);
      }
      for (String f : r.finish()) {
        log.append("      then ").append(f).append('\n');
      }
      assertTrue(r.violations().isEmpty(), m.model() + ": V4 violates " + r.violations() + " at the end\n" + log);
      assertTrue(r.idle(), m.model() + ": on V4 every operation returns\n" + log);
      for (String n : lost) {
        Optional<Replica> e = r.subject().registry().get(r.javaName(n));
        assertTrue(e.isEmpty() || e.get().state() == ReplicaState.ERROR,
            m.model() + ": V4 detects the lost lvol of " + n + " within the loops: " + e + "\n" + log);
      }
    }
    System.out.println(m.model() + " schedule on V4 where it applies: no violation\n" + log);
  }
}
