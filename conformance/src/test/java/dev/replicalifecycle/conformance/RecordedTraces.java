package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.property.RecordedRuns;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.LvolStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/** Recorded Java traces from the impl tests' property-run harness. */
final class RecordedTraces {
  private RecordedTraces() {}

  /**
   * One recorded harness run.
   *
   * @param trace the trace (label: the op sequence)
   * @param harnessFailure the harness's own verdict (a property it saw violated), or null
   * @param unmodelled why the run is not a spec behaviour whatever the registry did, or null
   */
  record Recorded(TraceValidator.Trace trace, String harnessFailure, String unmodelled) {}

  /** Opens V4 (the library, through Variants.open) or a V4 mutant. */
  static BiFunction<LvolStore, StepListener, ReplicaRegistry> v4(String mutant) {
    return (store, listener) -> Subject.open(Variant.V4, mutant, store, listener).registry();
  }

  /** Runs the harness's random sequence {@code seed} ({@code length} ops) and records it. */
  static Recorded harness(long seed, int length, String mutant) {
    List<?> ops = RecordedRuns.sequence(seed, length);
    boolean absentDeleteEnds = "NoopAbsentDelete".equals(mutant);
    Recorder[] rec = {null};
    RecordedRuns.Run run =
        RecordedRuns.run(ops, mutant == null ? "V4" : "V4-" + mutant, !"NoReserve".equals(mutant), v4(mutant),
            new RecordedRuns.Recording() {
              @Override
              public StepListener listener(InMemoryLvolStore store) {
                if (rec[0] == null) {
                  rec[0] = new Recorder(absentDeleteEnds, store);
                  store.setLateListener(rec[0]::late);
                }
                return rec[0];
              }

              @Override
              public void restarted() {
                rec[0].env("Restart", null, "ok");
              }
            });
    rec[0].finish();
    String label = "harness seed " + seed + " (" + length + " ops" + (mutant == null ? "" : ", V4-" + mutant) + ")";
    return new Recorded(new TraceValidator.Trace(label, rec[0].events()), run.failure(), rec[0].unmodelled());
  }

  /** Sequence lengths cycle through 4..19 ops (plus the harness's settle phase). */
  static int length(long seed) {
    return 4 + (int) (seed % 16);
  }

  /**
   * Seeds {@code from} .. {@code from + count - 1}, recorded two at a time (each run has its own
   * harness, store and registry; the harness mostly waits for its lanes), in seed order.
   */
  static List<Recorded> harnessBatch(long from, int count, String mutant) {
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "record-harness");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Recorded>> futures = new ArrayList<>();
      for (long seed = from; seed < from + count; seed++) {
        long s = seed;
        futures.add(pool.submit(() -> harness(s, length(s), mutant)));
      }
      List<Recorded> out = new ArrayList<>();
      for (Future<Recorded> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
