package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.registry.variants.Introspectable;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.LvolStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The bridge from conformance/ into the impl tests' property-run harness ({@link Harness},
 * {@link OpCodec}: package-private, so this class lives in their package, in conformance's test
 * sources): runs generated op sequences through the harness on any registry, with a trace
 * recorder chained <em>after</em> the harness's own listener (which parks the lanes of a
 * concurrent op: the recorder's lock is then only ever taken by the lane allowed to run).
 *
 * <p>The spec does not model {@code PutOrphan} (an lvol appearing behind the registry's back):
 * it is removed from generated sequences, inside concurrent ops and restarts during ops too.
 */
public final class RecordedRuns {
  private RecordedRuns() {}

  /** What the harness needs from a trace recorder. */
  public interface Recording {
    /** The listener recording the steps of a registry opened over {@code store}. */
    StepListener listener(InMemoryLvolStore store);

    /** The harness restarted the server: closed the registry, opens a new one. */
    void restarted();
  }

  /**
   * One run.
   *
   * @param ops the op sequence, readable
   * @param failure the harness's first property violation, or null
   */
  public record Run(String ops, String failure) {}

  /**
   * Random op sequence {@code seed} of {@code length} ops, without PutOrphan and the chain
   * operations (snapshots, start, rebuild; opaque to callers).
   */
  public static List<?> sequence(long seed, int length) {
    return withoutOrphans(OpCodec.decode(new OpCodec.RandomChoices(seed, length)));
  }

  /**
   * Runs {@code ops} (from {@link #sequence}) on registries opened by {@code open} (again after
   * each restart), recording with {@code recording}.
   *
   * @param open opens a registry over a store with a listener; it must implement {@link
   *     Introspectable} (every registry of {@code Variants.open} does)
   * @param insertsFirst the spec's InsertsFirst for this registry (NoDeleteWhileCreating)
   */
  @SuppressWarnings("unchecked")
  public static Run run(List<?> ops, String label, boolean insertsFirst,
      BiFunction<LvolStore, StepListener, ReplicaRegistry> open, Recording recording) {
    boolean[] opened = {false};
    Subject.Factory factory =
        (store, harnessListener) -> {
          if (opened[0]) {
            recording.restarted();
          }
          opened[0] = true;
          StepListener rec = recording.listener((InMemoryLvolStore) store);
          return new Subject.VariantSubject(open.apply(store, chain(harnessListener, rec)));
        };
    Harness h = new Harness(new Subject.Target(label, factory, insertsFirst, false));
    List<Op> typed = (List<Op>) ops;
    Harness.Failure f = h.run(typed);
    return new Run(Op.renderAll(typed), f == null ? null : f.toString());
  }

  /**
   * {@code first} (a scheduler that parks) then {@code recorder} (which locks), in that order:
   * before a step the scheduler parks first, so the recorder's lock is only taken by the thread
   * allowed to run; after it the recorder records before the scheduler lets the next thread go.
   */
  public static StepListener chain(StepListener first, StepListener recorder) {
    return new StepListener() {
      @Override
      public void beforeStep(SpecAction action, String name) {
        first.beforeStep(action, name);
        recorder.beforeStep(action, name);
      }

      @Override
      public void afterStep(Step step) {
        try {
          recorder.afterStep(step);
        } finally {
          first.afterStep(step);
        }
      }
    };
  }

  private static List<Op> withoutOrphans(List<Op> ops) {
    List<Op> out = new ArrayList<>();
    for (Op op : ops) {
      // PutOrphan is no spec step; the chain operations are spec/ReplicaChains.tla's, not
      // ReplicaLifecycle's (whose trace spec has no step of theirs)
      if (op instanceof Op.PutOrphan || op instanceof Op.Snapshot || op instanceof Op.DeleteSnapshot
          || op instanceof Op.Start || op instanceof Op.BeginRebuild || op instanceof Op.FinishRebuild
          || op instanceof Op.AbortRebuild) {
        continue;
      }
      if (op instanceof Op.Concurrent c) {
        List<Op> l = withoutOrphans(c.left());
        List<Op> r = withoutOrphans(c.right());
        if (l.isEmpty() || r.isEmpty()) {
          out.addAll(l.isEmpty() ? r : l);
        } else {
          out.add(new Op.Concurrent(l, r, c.schedule()));
        }
        continue;
      }
      if (op instanceof Op.RestartDuring r) {
        out.add(new Op.RestartDuring(withoutOrphans(r.old()), withoutOrphans(r.fresh()), r.schedule()));
        continue;
      }
      out.add(op);
    }
    return out;
  }
}
