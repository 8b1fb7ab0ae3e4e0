package dev.replicalifecycle.registry.property;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaException;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.registry.variants.Variants;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.LvolStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The upstream reproducer (longhorn-spdk-engine's Go test for issue 9953), ported to the registry
 * API: N threads (system property {@code scenario.threads}, default 10) each create two replicas,
 * {@code get} both (must find them, not in error), then twice delete one and create a replacement
 * in its place (the rebuild pattern; the replacement gets a new name, as upstream's rebuilt
 * replica does) and {@code get} it and the survivor, while one more thread runs verify rounds
 * back to back. A run fails if any {@code get} finds no replica or one in ERROR, if any replica
 * is in ERROR at the end, or if an operation throws.
 *
 * <p>The store has latency (system properties {@code scenario.createLatencyMs}, default 5, and
 * {@code scenario.listLatencyMs}, default 1): the lvol of a create appears only after the create
 * latency, so a round that lists meanwhile sees the replica without its lvol. This widens V0's
 * window (Longhorn 9953) from a few instructions to milliseconds, which is what makes its failure
 * reliable enough to assert.
 *
 * <p>V4 must never fail. V0..V3 are each run K times (system property {@code scenario.runs},
 * default 20) and the failure rate is printed; only V0's is asserted (at least one failure),
 * because the latency makes it all but certain; the others are reported, not asserted.
 */
class UpstreamScenarioTest {
  private static final int THREADS = Integer.getInteger("scenario.threads", 10);
  private static final int RUNS = Integer.getInteger("scenario.runs", 20);
  private static final Duration CREATE_LATENCY =
      Duration.ofMillis(Integer.getInteger("scenario.createLatencyMs", 5));
  private static final Duration LIST_LATENCY =
      Duration.ofMillis(Integer.getInteger("scenario.listLatencyMs", 1));
  private static final long SIZE = 4L << 20;

  /** What one run saw. */
  record Outcome(int getsFailed, int errorsSeen, int exceptions, int rounds, List<String> samples) {
    boolean failed() {
      return getsFailed + errorsSeen + exceptions > 0;
    }
  }

  /** Runs the scenario once on a fresh store and registry. */
  static Outcome runOnce(Function<LvolStore, ReplicaRegistry> open) throws InterruptedException {
    InMemoryLvolStore store = new InMemoryLvolStore();
    store.setLatency(Call.CREATE, CREATE_LATENCY);
    store.setLatency(Call.LIST, LIST_LATENCY);
    ReplicaRegistry registry = open.apply(store);
    AtomicInteger getsFailed = new AtomicInteger();
    AtomicInteger errorsSeen = new AtomicInteger();
    AtomicInteger exceptions = new AtomicInteger();
    AtomicInteger rounds = new AtomicInteger();
    List<String> samples = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();

    Thread verifier =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  registry.verify();
                  rounds.incrementAndGet();
                } catch (ReplicaException e) {
                  // a failed listing: the next round tries again
                }
              }
            },
            "scenario-verify");
    verifier.setDaemon(true);
    verifier.start();

    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    List<String> survivors = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  start.await();
                  String a = "s" + id + "-a";
                  String b = "s" + id + "-b";
                  registry.create(a, SIZE);
                  registry.create(b, SIZE);
                  check(registry, a, "after create", getsFailed, errorsSeen, samples);
                  check(registry, b, "after create", getsFailed, errorsSeen, samples);
                  for (int k = 1; k <= 2; k++) {
                    registry.delete(b);
                    b = "s" + id + "-b" + k;
                    registry.create(b, SIZE);
                    check(registry, b, "after rebuild " + k, getsFailed, errorsSeen, samples);
                    check(registry, a, "survivor, rebuild " + k, getsFailed, errorsSeen, samples);
                  }
                  survivors.add(a);
                  survivors.add(b);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  exceptions.incrementAndGet();
                  sample(samples, "thread " + id + ": " + e);
                }
              },
              "scenario-" + t);
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
    start.countDown();
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(60));
      if (w.isAlive()) {
        exceptions.incrementAndGet();
        sample(samples, w.getName() + " did not finish in 60 s");
      }
    }
    stop.set(true);
    verifier.join(TimeUnit.SECONDS.toMillis(10));
    for (String n : survivors) {
      check(registry, n, "at the end", getsFailed, errorsSeen, samples);
    }
    for (Replica r : registry.list()) {
      if (r.state() == ReplicaState.ERROR && !survivors.contains(r.name())) {
        errorsSeen.incrementAndGet();
        sample(samples, "at the end: " + r);
      }
    }
    registry.close();
    return new Outcome(getsFailed.get(), errorsSeen.get(), exceptions.get(), rounds.get(),
        List.copyOf(samples));
  }

  private static void check(ReplicaRegistry registry, String name, String when,
      AtomicInteger getsFailed, AtomicInteger errorsSeen, List<String> samples) {
    Optional<Replica> r = registry.get(name);
    if (r.isEmpty()) {
      getsFailed.incrementAndGet();
      sample(samples, "get " + name + " " + when + ": NotFound");
    } else if (r.get().state() == ReplicaState.ERROR) {
      errorsSeen.incrementAndGet();
      sample(samples, "get " + name + " " + when + ": " + r.get());
    }
  }

  private static void sample(List<String> samples, String s) {
    if (samples.size() < 3) {
      samples.add(s);
    }
  }

  /** Runs the scenario {@code runs} times; prints and returns how many runs failed. */
  static int failures(String label, Function<LvolStore, ReplicaRegistry> open, int runs)
      throws InterruptedException {
    int failed = 0;
    int gets = 0;
    int errors = 0;
    int exceptions = 0;
    long rounds = 0;
    List<String> samples = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      Outcome o = runOnce(open);
      rounds += o.rounds();
      if (o.failed()) {
        failed++;
        gets += o.getsFailed();
        errors += o.errorsSeen();
        exceptions += o.exceptions();
        if (samples.isEmpty()) {
          samples.addAll(o.samples());
        }
      }
    }
    System.out.printf(
        "UpstreamScenario %-22s failed %2d of %d runs (%d threads, create latency %d ms, list"
            + " latency %d ms; %d failed gets, %d replicas in error, %d exceptions; %d verify"
            + " rounds; %.1f s)%s%n",
        label, failed, runs, THREADS, CREATE_LATENCY.toMillis(), LIST_LATENCY.toMillis(), gets,
        errors, exceptions, rounds, (System.nanoTime() - t0) / 1e9,
        samples.isEmpty() ? "" : "; e.g. " + String.join("; ", samples));
    return failed;
  }

  @Test
  void v4NeverFails() throws InterruptedException {
    assertEquals(0, failures("V4 (library)", s -> ReplicaRegistry.builder(s).build(), RUNS));
  }

  @Test
  void v4WithItsOwnVerifyLoopNeverFails() throws InterruptedException {
    assertEquals(0, failures("V4 (1 ms verify loop)",
        s -> ReplicaRegistry.builder(s).verifyEvery(Duration.ofMillis(1)).build(),
        Math.max(1, RUNS / 4)));
  }

  @Test
  void v0FailsAndTheOthersAreCounted() throws InterruptedException {
    int v0 = failures(Variant.V0.toString(), s -> Variants.open(Variant.V0, s, null), RUNS);
    for (Variant v : List.of(Variant.V1, Variant.V2, Variant.V3)) {
      failures(v.toString(), s -> Variants.open(v, s, null), RUNS);
    }
    assertTrue(v0 > 0, "V0 never failed in " + RUNS + " runs (expected with create latency "
        + CREATE_LATENCY.toMillis() + " ms)");
  }
}
