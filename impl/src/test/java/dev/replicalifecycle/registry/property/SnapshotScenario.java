package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A port of longhorn-spdk-engine's {@code spdkMultipleThreadSnapshotOpsAndRebuilding}
 * (pkg/spdk_test.go:2215 at 57f5131c) to the registry API, while one more thread runs verify
 * rounds back to back. Each of N threads, on its own volume {@code v<i>}:
 *
 * <ol>
 *   <li>creates replicas {@code v<i>-a} and {@code v<i>-b} (both must then be RUNNING);
 *   <li>takes snapshots s11..s15 on both (the engine snapshots every replica), checks both chains;
 *   <li>deletes s12 and s14 on both, checks the chains ({@code [s11, s13, s15]});
 *   <li>"crashes" {@code -a} (deletes it) and rebuilds {@code v<i>-c} from {@code -b}: begins the
 *       rebuild, takes {@code -b}'s snapshots on it in order (what the shallow copies end with),
 *       finishes it; {@code -c} must be RUNNING with {@code -b}'s chain;
 *   <li>takes s21 and s22 on {@code -b} and {@code -c}, deletes s21 on both, checks the chains;
 *   <li>begins a rebuild of {@code v<i>-d}, copies one snapshot, aborts it: {@code -d} is gone;
 *   <li>checks {@code -b} and {@code -c} once more, deletes them.
 * </ol>
 *
 * <p>Upstream's reverts, data writes and checksums have no counterpart here (the registry does
 * not hold data); its rebuild snapshot ({@code rebuild-<hex>}) is replaced by copying the chain.
 * At the end the store must hold no lvol of the scenario: a leak is a failure too.
 *
 * <p>A run fails if any check finds a replica missing, in another state or with another chain,
 * if any operation throws, or if lvols are left. Not thread-safe; one run at a time per instance.
 */
public final class SnapshotScenario {

  /**
   * What one run saw.
   *
   * @param threads the volume threads
   * @param operations registry operations made by them
   * @param rounds verify rounds run meanwhile
   * @param checksFailed checks that found a replica missing, in the wrong state or chain
   * @param exceptions operations that threw
   * @param leftLvols lvols of the scenario left in the store at the end
   * @param samples the first few problems, for the report
   */
  public record Outcome(
      int threads,
      int operations,
      int rounds,
      int checksFailed,
      int exceptions,
      int leftLvols,
      List<String> samples) {
    /** Whether anything went wrong. */
    public boolean failed() {
      return checksFailed + exceptions + leftLvols > 0;
    }
  }

  private final long sizeBytes;
  private final AtomicInteger operations = new AtomicInteger();
  private final AtomicInteger checksFailed = new AtomicInteger();
  private final AtomicInteger exceptions = new AtomicInteger();
  private final List<String> samples = Collections.synchronizedList(new ArrayList<>());

  /** @param sizeBytes the size of each replica */
  public SnapshotScenario(long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  /**
   * Runs the scenario with {@code threads} volumes on {@code registry} over {@code store}.
   *
   * @param prefix prepended to the volume names (so that several runs can share a store)
   */
  public Outcome run(ReplicaRegistry registry, LvolStore store, int threads, String prefix)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger rounds = new AtomicInteger();
    Thread verifier =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  registry.verify();
                  rounds.incrementAndGet();
                } catch (RuntimeException e) {
                  note("verify threw " + e);
                  exceptions.incrementAndGet();
                }
              }
            },
            "scenario-verify");
    verifier.start();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String vol = prefix + "v" + i;
      Thread t = new Thread(() -> volume(registry, vol), "scenario-" + vol);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join();
    }
    stop.set(true);
    verifier.join();
    int left = 0;
    try {
      for (Lvol l : store.listLvols().lvols()) {
        if (l.name().startsWith(prefix + "v")) {
          left++;
          note("left in the store: " + l.name());
        }
      }
    } catch (StoreException e) {
      note("final listing failed: " + e);
      left++;
    }
    return new Outcome(threads, operations.get(), rounds.get(), checksFailed.get(), exceptions.get(),
        left, List.copyOf(samples.subList(0, Math.min(8, samples.size()))));
  }

  /** One volume on this thread, with no verify round: the scenario's own soundness check. */
  public Outcome runWithoutVerify(ReplicaRegistry registry, LvolStore store, String prefix) {
    volume(registry, prefix + "v0");
    int left = 0;
    try {
      for (Lvol l : store.listLvols().lvols()) {
        if (l.name().startsWith(prefix + "v")) {
          left++;
          note("left in the store: " + l.name());
        }
      }
    } catch (StoreException e) {
      left++;
    }
    return new Outcome(1, operations.get(), 0, checksFailed.get(), exceptions.get(), left,
        List.copyOf(samples));
  }

  private void volume(ReplicaRegistry r, String vol) {
    String a = vol + "-a";
    String b = vol + "-b";
    String c = vol + "-c";
    String d = vol + "-d";
    List<String> chain = new ArrayList<>();
    if (!op(() -> r.create(a, sizeBytes)) | !op(() -> r.create(b, sizeBytes))) {
      // a failed create: the rest of the volume would only repeat the failure
      cleanUp(r, a, b);
      return;
    }
    check(r, a, ReplicaState.RUNNING, chain);
    check(r, b, ReplicaState.RUNNING, chain);
    for (String s : List.of("s11", "s12", "s13", "s14", "s15")) {
      op(() -> r.snapshot(a, s));
      op(() -> r.snapshot(b, s));
      chain.add(s);
    }
    check(r, a, ReplicaState.RUNNING, chain);
    check(r, b, ReplicaState.RUNNING, chain);
    for (String s : List.of("s12", "s14")) {
      op(() -> r.deleteSnapshot(a, s));
      op(() -> r.deleteSnapshot(b, s));
      chain.remove(s);
    }
    check(r, a, ReplicaState.RUNNING, chain);
    check(r, b, ReplicaState.RUNNING, chain);

    // replica a is lost; c is rebuilt from b
    op(() -> r.delete(a));
    if (op(() -> r.beginRebuild(c, sizeBytes))) {
      for (String s : List.copyOf(chain)) {
        op(() -> r.snapshot(c, s));
      }
      op(() -> r.finishRebuild(c));
    }
    check(r, c, ReplicaState.RUNNING, chain);
    for (String s : List.of("s21", "s22")) {
      op(() -> r.snapshot(b, s));
      op(() -> r.snapshot(c, s));
      chain.add(s);
    }
    op(() -> r.deleteSnapshot(b, "s21"));
    op(() -> r.deleteSnapshot(c, "s21"));
    chain.remove("s21");
    check(r, b, ReplicaState.RUNNING, chain);
    check(r, c, ReplicaState.RUNNING, chain);

    // a rebuild that is abandoned
    if (op(() -> r.beginRebuild(d, sizeBytes))) {
      op(() -> r.snapshot(d, "s11"));
      op(() -> r.abortRebuild(d));
    }
    if (r.get(d).isPresent()) {
      fail("after abortRebuild " + d + " is still there: " + r.get(d).get());
    }
    check(r, b, ReplicaState.RUNNING, chain);
    check(r, c, ReplicaState.RUNNING, chain);
    cleanUp(r, a, b, c, d);
  }

  private void cleanUp(ReplicaRegistry r, String... names) {
    for (String n : names) {
      op(() -> r.delete(n));
    }
  }

  private boolean op(Runnable call) {
    operations.incrementAndGet();
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      exceptions.incrementAndGet();
      note(Thread.currentThread().getName() + ": " + e);
      return false;
    }
  }

  private void check(ReplicaRegistry r, String name, ReplicaState state, List<String> chain) {
    Optional<Replica> got = r.get(name);
    if (got.isEmpty()) {
      fail(name + " missing");
    } else if (got.get().state() != state || !got.get().snapshots().equals(chain)) {
      fail(name + " is " + got.get().state() + " " + got.get().snapshots() + ", expected " + state + " "
          + chain + (got.get().errorReason() == null ? "" : " (" + got.get().errorReason() + ")"));
    }
  }

  private void fail(String what) {
    checksFailed.incrementAndGet();
    note(what);
  }

  private void note(String what) {
    if (samples.size() < 50) {
      samples.add(what);
    }
  }
}
