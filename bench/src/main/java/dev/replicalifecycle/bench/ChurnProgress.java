package dev.replicalifecycle.bench;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark 2: verify progress under churn. One replica's lvol is lost while other names are
 * created and deleted continuously at {@code R} operations per second; verify rounds run back to
 * back (listing latency {@code L}); we count the rounds, started after the loss, until the loss
 * is detected, V4 against V3 (GenerationSkip).
 *
 * <p>Detected means: V4 marks the replica {@code ERROR} (it stays visible); V3, as upstream,
 * removes its entry. A round "skipped the victim" if it did not judge it: V4 reports the name as
 * skipped (changed since the stamp or in flight, which cannot happen here: nothing touches the
 * victim); V3 skips its whole round when the generation counter moved during the listing.
 * Rounds are capped; a trial that reaches the cap counts as "not detected".
 *
 * <p>Per trial: a fresh store and registry; the victim and {@code stable} other replicas are
 * created and settled by one round; the churn thread starts (one thread, open-loop,
 * alternating create and delete of fresh names), runs for one listing latency, then the
 * victim's lvol is lost and the rounds start. Churn arrivals are Poisson (exponential gaps,
 * seeded per trial): with a fixed period equal to the round length, every V3 round would see
 * exactly one change, an artefact of the schedule.
 */
final class ChurnProgress {

  /** Settings. */
  record Config(
      List<String> variants,
      Duration listLatency,
      List<Integer> ratesPerSecond,
      int trials,
      int roundCap,
      int stable) {}

  /**
   * One (variant, rate) cell over all trials.
   *
   * @param detected trials that detected the loss within the cap
   * @param roundsToDetect rounds needed, per detecting trial
   * @param medianRounds median over all trials, a capped trial counting as cap+1 ({@code -1}
   *     if more than half were capped, shown as "> cap")
   * @param skippedRounds rounds that did not judge the victim, over all trials
   * @param totalRounds rounds run, over all trials
   * @param achievedRate churn operations per second actually completed
   */
  record Row(
      String variant,
      int ratePerSecond,
      int trials,
      int detected,
      List<Integer> roundsToDetect,
      int medianRounds,
      int maxRounds,
      long skippedRounds,
      long totalRounds,
      double achievedRate,
      int roundCap,
      double meanRoundMs) {}

  /** Everything benchmark 2 produced. */
  record Result(Config config, List<Row> rows) {}

  private static final long SIZE = 1L << 30;
  private static final String VICTIM = "pvc-victim-r-0";

  private ChurnProgress() {}

  static Result run(Config c, PrintStream out) throws InterruptedException {
    List<Row> rows = new ArrayList<>();
    for (int rate : c.ratesPerSecond()) {
      for (String v : c.variants()) {
        Row r = cell(v, rate, c);
        out.printf(
            "  bench2 %-3s R=%-5d detected %d/%d rounds=%s skipped=%d/%d churn=%s/s%n",
            v,
            rate,
            r.detected(),
            r.trials(),
            r.roundsToDetect(),
            r.skippedRounds(),
            r.totalRounds(),
            Table.num(r.achievedRate(), 0));
        rows.add(r);
      }
    }
    return new Result(c, rows);
  }

  private static Row cell(String variant, int rate, Config c) throws InterruptedException {
    List<Integer> detectedAt = new ArrayList<>();
    int[] all = new int[c.trials()];
    long skipped = 0;
    long total = 0;
    long churnOps = 0;
    long churnNanos = 0;
    long roundNanos = 0;
    for (int t = 0; t < c.trials(); t++) {
      Trial tr = trial(variant, rate, c, 1000L * rate + t);
      skipped += tr.skipped;
      total += tr.rounds;
      churnOps += tr.churnOps;
      churnNanos += tr.churnNanos;
      roundNanos += tr.roundNanos;
      all[t] = tr.detectedAt > 0 ? tr.detectedAt : c.roundCap() + 1;
      if (tr.detectedAt > 0) {
        detectedAt.add(tr.detectedAt);
      }
    }
    Arrays.sort(all);
    int median = all[(all.length - 1) / 2];
    int max = all[all.length - 1];
    return new Row(
        variant,
        rate,
        c.trials(),
        detectedAt.size(),
        detectedAt,
        median > c.roundCap() ? -1 : median,
        max > c.roundCap() ? -1 : max,
        skipped,
        total,
        churnNanos == 0 ? 0 : churnOps / (churnNanos / 1e9),
        c.roundCap(),
        total == 0 ? Double.NaN : roundNanos / 1e6 / total);
  }

  private static final class Trial {
    int detectedAt;
    long skipped;
    long rounds;
    long churnOps;
    long churnNanos;
    long roundNanos;
  }

  private static Trial trial(String variant, int rate, Config c, long seed)
      throws InterruptedException {
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry reg = Registries.open(variant, store);
    reg.create(VICTIM, SIZE);
    for (int i = 0; i < c.stable(); i++) {
      reg.create(Names.replica("s", i), SIZE);
    }
    reg.verify();
    store.setLatency(Call.LIST, c.listLatency());

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ops = new AtomicLong();
    long[] churnSpan = new long[2];
    Thread churn = null;
    if (rate > 0) {
      churn =
          new Thread(
              () -> {
                // Poisson arrivals: a fixed period could resonate with the round length
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                long start = System.nanoTime();
                churnSpan[0] = start;
                long at = start;
                for (long k = 0; !stop.get(); k++) {
                  at += (long) (-Math.log(1.0 - rnd.nextDouble()) / rate * 1e9);
                  Pacer.awaitUntil(at);
                  String n = Names.replica("ch", k / 2);
                  try {
                    if (k % 2 == 0) {
                      reg.create(n, SIZE);
                    } else {
                      reg.delete(n);
                    }
                  } catch (RuntimeException e) {
                    // a churn failure is not what we measure; the op still counts as churn
                  }
                  ops.incrementAndGet();
                }
                churnSpan[1] = System.nanoTime();
              },
              "bench2-churn");
      churn.setDaemon(true);
      churn.start();
      Thread.sleep(c.listLatency().toMillis());
    }

    Trial tr = new Trial();
    store.loseLvol(VICTIM);
    for (int round = 1; round <= c.roundCap(); round++) {
      long t0 = System.nanoTime();
      VerifyReport report = reg.verify();
      tr.roundNanos += System.nanoTime() - t0;
      tr.rounds++;
      if (skippedVictim(variant, report)) {
        tr.skipped++;
      }
      if (detected(variant, reg.get(VICTIM))) {
        tr.detectedAt = round;
        break;
      }
    }
    stop.set(true);
    if (churn != null) {
      churn.join(TimeUnit.MINUTES.toMillis(1));
      tr.churnOps = ops.get();
      tr.churnNanos = churnSpan[1] - churnSpan[0];
    }
    reg.close();
    return tr;
  }

  private static boolean skippedVictim(String variant, VerifyReport report) {
    if (variant.equals("V4")) {
      return report.skipped().stream().anyMatch(s -> s.name().equals(VICTIM));
    }
    // V2/V3 list every entry as skipped when the whole round is skipped
    return !report.skipped().isEmpty();
  }

  private static boolean detected(String variant, Optional<Replica> victim) {
    if (variant.equals("V4")) {
      return victim.isPresent() && victim.get().state() == ReplicaState.ERROR;
    }
    return victim.isEmpty() || victim.get().state() == ReplicaState.ERROR;
  }
}
