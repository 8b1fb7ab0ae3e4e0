package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.store.InMemoryLvolStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Java to spec: traces recorded from the Java registry are validated by TLC against the spec
 * ({@code spec/ReplicaLifecycleTrace.tla}), many traces per TLC run. Sources: the impl tests'
 * property-run harness (random op sequences with faults, lvol losses, restarts and two-thread
 * interleavings, on the library), and a multi-thread scenario in the style of the ported
 * upstream reproducer. A planted mutant (V4 whose verify judges entries in flight) must be
 * rejected, with the offending step named. Batch sizes: system properties {@code
 * conformance.validation.traces} and {@code conformance.scenario.traces} (the pom sets them;
 * {@code -Pdeep} raises them).
 */
class TraceValidationTest {
  static final int TRACES = Integer.getInteger("conformance.validation.traces", 3000);
  static final int SCENARIOS = Integer.getInteger("conformance.scenario.traces", 40);
  static final int MUTANT_RUNS = 200;

  static Path dir(String name) {
    return Paths.outDir().resolve("tv").resolve(name);
  }

  @Test
  void propertyRunsOfTheLibraryAreBehavioursOfTheSpec() {
    long t0 = System.nanoTime();
    List<RecordedTraces.Recorded> runs = RecordedTraces.harnessBatch(0, TRACES, null);
    List<TraceValidator.Trace> traces = new ArrayList<>();
    int unmodelled = 0;
    java.util.Map<String, String> why = new java.util.TreeMap<>();
    for (RecordedTraces.Recorded r : runs) {
      assertEquals(null, r.harnessFailure(), "the harness itself fails on " + r.trace().label());
      if (r.unmodelled() != null) {
        unmodelled++;
        why.putIfAbsent(r.unmodelled().replaceAll("lvol \\S+", "lvol _"), r.trace().label());
        continue;
      }
      traces.add(r.trace());
    }
    double recording = (System.nanoTime() - t0) / 1e9;
    TraceValidator.Result res = new TraceValidator("V4", "none", dir("harness-V4")).validate(traces);
    System.out.printf("TraceValidation harness V4: %d traces (%d events) recorded in %.1f s (%.0f/s, %d unmodelled"
            + " runs skipped); validated by TLC in %.1f s: %.0f traces/s, %.0f events/s, %d distinct states%n",
        res.traces(), res.events(), recording, res.traces() / recording, unmodelled, res.seconds(), res.perSecond(),
        res.events() / res.seconds(), res.states());
    why.forEach((w, first) -> System.out.println("TraceValidation harness V4: unmodelled: " + w + ", e.g. " + first));
    assertTrue(res.rejected().isEmpty(), () -> res.rejected().size() + " traces rejected, e.g.\n  "
        + String.join("\n  ", res.rejected().stream().limit(5).map(Object::toString).toList()));
  }

  /**
   * The upstream reproducer's shape (UpstreamScenarioTest), smaller so that traces stay short:
   * 3 threads each create two replicas, then twice delete one and create its replacement, while
   * a verify thread runs rounds; real threads, no scheduler: the recorder's lock orders the steps
   * as they took effect.
   */
  static TraceValidator.Trace scenario(int run) throws InterruptedException {
    InMemoryLvolStore store = new InMemoryLvolStore();
    Recorder rec = new Recorder(false, store);
    ReplicaRegistry registry = Subject.open(Variant.V4, null, store, rec).registry();
    int threads = 3;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    Thread verifier = new Thread(() -> {
      int rounds = 0;
      while (!stop.get() && rounds < 8) {
        try {
          registry.verify();
        } catch (RuntimeException e) {
          // a failed listing: not with this store
        }
        rounds++;
        Thread.yield();
      }
    }, "scenario-verify");
    for (int t = 0; t < threads; t++) {
      String a = "s" + t + "-a";
      String b0 = "s" + t + "-b";
      Thread w = new Thread(() -> {
        try {
          start.await();
          registry.create(a, Replayer.SIZE);
          registry.create(b0, Replayer.SIZE);
          String b = b0;
          for (int k = 1; k <= 2; k++) {
            registry.delete(b);
            b = b0 + k;
            registry.create(b, Replayer.SIZE);
            registry.get(b);
            registry.get(a);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "scenario-" + t);
      workers.add(w);
      w.start();
    }
    verifier.start();
    start.countDown();
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(30));
    }
    stop.set(true);
    verifier.join(TimeUnit.SECONDS.toMillis(30));
    registry.close();
    rec.finish();
    return new TraceValidator.Trace("scenario run " + run + " (3 threads + verify)", rec.events());
  }

  @Test
  void multiThreadScenarioTracesAreBehavioursOfTheSpec() throws InterruptedException {
    long t0 = System.nanoTime();
    List<TraceValidator.Trace> traces = new ArrayList<>();
    for (int i = 0; i < SCENARIOS; i++) {
      traces.add(scenario(i));
    }
    double recording = (System.nanoTime() - t0) / 1e9;
    TraceValidator.Result res = new TraceValidator("V4", "none", dir("scenario-V4")).validate(traces);
    System.out.printf("TraceValidation scenario V4: %d traces (%d events) recorded in %.1f s; validated by TLC in"
            + " %.1f s (%.0f traces/s, %.0f events/s, %d distinct states)%n",
        res.traces(), res.events(), recording, res.seconds(), res.perSecond(), res.events() / res.seconds(),
        res.states());
    assertTrue(res.rejected().isEmpty(), () -> res.rejected().size() + " traces rejected, e.g.\n  "
        + String.join("\n  ", res.rejected().stream().limit(3).map(Object::toString).toList()));
  }

  /**
   * The planted mutant: V4 whose verify judges entries whose create or delete is in flight
   * ({@link Mutants}, JudgeInFlight). Its replay of the spec mutant's counterexample is recorded
   * and must be rejected exactly at its VerifyApply that marks the in-flight entry error; its
   * random property runs are recorded too, and every one rejected is rejected at a VerifyApply
   * (the mutated step), never elsewhere. NoCas (verify ignores the per-name compare-and-set)
   * likewise.
   */
  @Test
  void plantedMutantsAreRejectedAtTheirMutatedStep() {
    for (String mutant : List.of("JudgeInFlight", "NoCas")) {
      Counterexamples.Model cx = Counterexamples.all().stream()
          .filter(m -> mutant.equals(m.mutant())).findFirst().orElseThrow();
      List<TraceValidator.Trace> traces = new ArrayList<>();
      traces.add(replayRecorded(cx, Variant.V4, mutant));
      int failedByHarness = 0;
      for (RecordedTraces.Recorded r : RecordedTraces.harnessBatch(0, MUTANT_RUNS, mutant)) {
        if (r.harnessFailure() != null) {
          failedByHarness++;
        }
        if (r.unmodelled() == null) {
          traces.add(r.trace());
        }
      }
      TraceValidator.Result res = new TraceValidator("V4", "none", dir("mutant-" + mutant)).validate(traces);
      System.out.printf("TraceValidation V4-%s: %d of %d traces rejected (the harness's own checks failed %d"
          + " runs); first: %s%n", mutant, res.rejected().size(), res.traces(), failedByHarness,
          res.rejected().isEmpty() ? "-" : res.rejected().get(0));
      TraceValidator.Rejection first = res.rejected().stream()
          .filter(r -> r.trace() == traces.get(0)).findFirst()
          .orElseThrow(() -> new AssertionError(mutant + ": its counterexample replay was accepted"));
      int expected = expectedRejection(traces.get(0), mutant);
      assertEquals(expected, first.matched(), mutant + ": rejected at the mutated step: " + first);
      for (TraceValidator.Rejection r : res.rejected()) {
        assertEquals("VerifyApply", r.offending().action(), mutant + ": rejected elsewhere than verify: " + r);
      }
      assertTrue(res.rejected().size() > 1, mutant + ": random property runs never took the mutated step");
    }
  }

  /** The index of the first VerifyApply the mutant decides differently: error (JudgeInFlight), adopt (NoCas). */
  private static int expectedRejection(TraceValidator.Trace t, String mutant) {
    String outcome = mutant.equals("JudgeInFlight") ? "error" : "adopt";
    for (int i = 0; i < t.events().size(); i++) {
      Recorder.Event e = t.events().get(i);
      if (e.action().equals("VerifyApply") && e.outcome().equals(outcome)) {
        return i;
      }
    }
    throw new AssertionError("no VerifyApply " + outcome + " in " + t.events());
  }

  /** A faithful replay of a counterexample on its Java variant, recorded. */
  static TraceValidator.Trace replayRecorded(Counterexamples.Model m, Variant variant, String mutant) {
    boolean absentDeleteEnds = variant != Variant.V4 || "NoopAbsentDelete".equals(mutant);
    Recorder rec = new Recorder(absentDeleteEnds, null);
    Replayer.Config cfg = new Replayer.Config(variant, mutant, m.engineOn(), m.rebuildOn(), m.rebuilds(),
        Replayer.Mode.FAITHFUL);
    List<CounterexampleReplayTest.Scheduled> schedule = CounterexampleReplayTest.schedule(m.trace(), m.variant(), m.mutant());
    java.util.Set<String> names = CounterexampleReplayTest.names(m.trace());
    try (Replayer r = new Replayer(cfg, names, rec).renaming(CounterexampleReplayTest.renaming(schedule, names))) {
      for (CounterexampleReplayTest.Scheduled s : schedule) {
        r.apply(s.state(), s.step());
      }
    }
    return new TraceValidator.Trace("replay of " + m.model() + " on " + variant + (mutant == null ? "" : "-" + mutant),
        rec.events());
  }

  /**
   * The round trip spec, Java, spec for the historical variants: each V0..V3 counterexample,
   * replayed on its Java variant and recorded, is a behaviour of the spec of that variant.
   */
  @Test
  void replaysOfHistoricalCounterexamplesValidateAgainstTheirVariant() {
    for (Variant v : List.of(Variant.V0, Variant.V1, Variant.V2, Variant.V3)) {
      List<TraceValidator.Trace> traces = new ArrayList<>();
      for (Counterexamples.Model m : Counterexamples.all()) {
        if (m.variant().equals(v.name()) && m.mutant() == null) {
          traces.add(replayRecorded(m, v, null));
        }
      }
      TraceValidator.Result res = new TraceValidator(v.name(), "none", dir("roundtrip-" + v)).validate(traces);
      System.out.printf("TraceValidation round trip %s: %d replays recorded and validated in %.1f s%n", v,
          res.traces(), res.seconds());
      assertTrue(res.rejected().isEmpty(), () -> v + ": " + res.rejected());
    }
  }
}
