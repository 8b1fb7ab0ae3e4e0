package dev.replicalifecycle.bench;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark 1: latency of {@code create} on distinct names while verify rounds run back to back
 * over a store whose listing takes {@code L}; V4 against the locked-verify variant V1 (verify
 * holds the server lock S across the listing).
 *
 * <p>Method, per (variant, store create latency, condition):
 *
 * <ul>
 *   <li>A fresh {@link InMemoryLvolStore} and registry, with {@code population} replicas made
 *       first; then the listing latency {@code L} and the create latency are set.
 *   <li>condition {@code idle}: no verify runs. Condition {@code verify}: one thread runs {@code
 *       verify()} back to back, with {@code verifyGap} between rounds (1 ms by default: Go's
 *       mutex hands S to a waiter that has waited over 1 ms; Java's non-fair lock would let the
 *       verify thread take S again before the woken creator runs, which would make V1 look
 *       worse than upstream).
 *   <li>{@code clients} threads (concurrent callers, as gRPC handlers are) each create distinct
 *       names open-loop, with Poisson arrivals at {@code rate / clients} per second; latency is
 *       measured from the <em>intended</em> start of each create, so a create that waits behind
 *       the same client's previous one is counted (no coordinated omission). Another thread
 *       deletes each created replica (not measured) so the registry stays at its population
 *       size.
 *   <li>A warm-up period (not recorded) precedes the measured period of each block, and a JIT
 *       pre-warm of create/delete/verify on a throwaway registry of the same variant runs before
 *       anything. The measured time of each condition is split into {@code blocks} blocks, idle
 *       and verify alternating (each block a fresh registry), and the samples are pooled: a
 *       drift in the machine's load then affects both conditions alike. The defaults give both
 *       conditions the same measured time, so that each is as exposed to the machine's stalls.
 * </ul>
 */
final class CreateLatency {

  /** Settings. */
  record Config(
      List<String> variants,
      Duration listLatency,
      List<Duration> createLatencies,
      int ratePerSecond,
      int clients,
      Duration warmup,
      Duration idleMeasure,
      Duration verifyMeasure,
      int population,
      Duration verifyGap,
      int prewarmOps,
      int blocks) {}

  /**
   * One condition of one variant and store setting, pooled over its blocks. Latencies in
   * microseconds, from the intended start of each create.
   *
   * @param condition {@code idle} (no verify) or {@code verify} (rounds back to back)
   * @param rounds verify rounds completed during the measured periods
   * @param meanRoundMs mean duration of those rounds
   * @param over1ms creates that took over 1 ms (beyond the store's create latency)
   * @param serviceP50Us median of the create call alone (from its actual start, after the
   *     client woke up; without scheduling lateness and queueing behind the same client)
   * @param serviceP99Us p99 of the create call alone
   */
  record Row(
      String variant,
      double createLatencyMs,
      String condition,
      int creates,
      double p50Us,
      double p99Us,
      double p999Us,
      double maxUs,
      double meanUs,
      int over1ms,
      double serviceP50Us,
      double serviceP99Us,
      long rounds,
      double meanRoundMs,
      long failures) {}

  /** Everything benchmark 1 produced. */
  record Result(Config config, List<Row> rows) {
    Row find(String variant, double createMs, String condition) {
      for (Row r : rows) {
        if (r.variant.equals(variant)
            && r.createLatencyMs == createMs
            && r.condition.equals(condition)) {
          return r;
        }
      }
      return null;
    }
  }

  private static final long SIZE = 1L << 30;

  private CreateLatency() {}

  static Result run(Config c, PrintStream out) throws InterruptedException {
    List<Row> rows = new ArrayList<>();
    for (String v : c.variants()) {
      prewarm(v, c.prewarmOps());
    }
    for (Duration createLatency : c.createLatencies()) {
      for (String v : c.variants()) {
        // idle and verify blocks alternate, so that a drift in the machine's load hits both
        Block idle = new Block();
        Block verify = new Block();
        for (int b = 0; b < c.blocks(); b++) {
          once(v, createLatency, "idle", c, idle);
          once(v, createLatency, "verify", c, verify);
        }
        for (Row r :
            List.of(idle.row(v, createLatency, "idle"), verify.row(v, createLatency, "verify"))) {
          out.printf(
              "  bench1 %-3s create=%sms %-6s n=%d p50=%sus p99=%sus max=%sus rounds=%d%n",
              v,
              Table.num(r.createLatencyMs(), 1),
              r.condition(),
              r.creates(),
              Table.sig(r.p50Us()),
              Table.sig(r.p99Us()),
              Table.sig(r.maxUs()),
              r.rounds());
          rows.add(r);
        }
      }
    }
    return new Result(c, rows);
  }

  /** Gets the create, delete and verify paths of {@code variant} compiled before measuring. */
  private static void prewarm(String variant, int ops) {
    InMemoryLvolStore store = new InMemoryLvolStore();
    try (ReplicaRegistry reg = Registries.open(variant, store)) {
      for (int i = 0; i < ops; i++) {
        String n = Names.replica("w", i);
        reg.create(n, SIZE);
        if (i % 64 == 0) {
          reg.verify();
        }
        reg.delete(n);
      }
    }
  }

  /** The samples and counters of one condition, pooled over its blocks. */
  private static final class Block {
    final Percentiles lat = new Percentiles();
    final Percentiles service = new Percentiles();
    long rounds;
    long roundNanos;
    long failures;

    Row row(String variant, Duration createLatency, String condition) {
      long createNanos = createLatency.toNanos();
      return new Row(
          variant,
          createNanos / 1e6,
          condition,
          lat.size(),
          lat.at(0.50) / 1e3,
          lat.at(0.99) / 1e3,
          lat.at(0.999) / 1e3,
          lat.max() / 1e3,
          lat.mean() / 1e3,
          lat.countAbove(createNanos + 1_000_000L),
          service.at(0.50) / 1e3,
          service.at(0.99) / 1e3,
          rounds,
          rounds == 0 ? Double.NaN : roundNanos / 1e6 / rounds,
          failures);
    }
  }

  /** One block of one condition: a fresh store and registry; results added to {@code into}. */
  private static void once(
      String variant, Duration createLatency, String condition, Config c, Block into)
      throws InterruptedException {
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry reg = Registries.open(variant, store);
    for (int i = 0; i < c.population(); i++) {
      reg.create(Names.replica("p", i), SIZE);
    }
    store.setLatency(Call.LIST, c.listLatency());
    store.setLatency(Call.CREATE, createLatency);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong failures = new AtomicLong();
    // verify rounds, back to back; counted only while recording
    AtomicBoolean recording = new AtomicBoolean();
    AtomicLong rounds = new AtomicLong();
    AtomicLong roundNanos = new AtomicLong();
    Thread verifier = null;
    if (condition.equals("verify")) {
      verifier =
          new Thread(
              () -> {
                long gap = c.verifyGap().toNanos();
                while (!stop.get()) {
                  long t0 = System.nanoTime();
                  try {
                    reg.verify();
                  } catch (RuntimeException e) {
                    failures.incrementAndGet();
                  }
                  if (recording.get()) {
                    rounds.incrementAndGet();
                    roundNanos.addAndGet(System.nanoTime() - t0);
                  }
                  if (gap > 0) {
                    Pacer.awaitUntil(System.nanoTime() + gap);
                  }
                }
              },
              "bench1-verify");
      verifier.setDaemon(true);
      verifier.start();
    }
    BlockingQueue<String> toDelete = new LinkedBlockingQueue<>();
    Thread deleter =
        new Thread(
            () -> {
              while (true) {
                String n;
                try {
                  n = toDelete.take();
                } catch (InterruptedException e) {
                  return;
                }
                if (n.isEmpty()) {
                  return;
                }
                try {
                  reg.delete(n);
                } catch (RuntimeException e) {
                  failures.incrementAndGet();
                }
              }
            },
            "bench1-delete");
    deleter.setDaemon(true);
    deleter.start();

    // The clients: each an open-loop Poisson stream of creates at rate/clients, run on its own
    // thread (as concurrent gRPC handlers would), latency measured from the intended start.
    Duration measure =
        (condition.equals("idle") ? c.idleMeasure() : c.verifyMeasure()).dividedBy(c.blocks());
    long start = System.nanoTime() + 20_000_000L;
    long recordFrom = start + c.warmup().toNanos();
    long end = recordFrom + measure.toNanos();
    double perClient = (double) c.ratePerSecond() / c.clients();
    AtomicLong seq = new AtomicLong();
    List<Percentiles> perThread = new ArrayList<>();
    List<Percentiles> perThreadService = new ArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int k = 0; k < c.clients(); k++) {
      Percentiles mine = new Percentiles();
      Percentiles mineService = new Percentiles();
      perThread.add(mine);
      perThreadService.add(mineService);
      long seed =
          31L * k + createLatency.toNanos() + (condition.equals("idle") ? 0 : 7) + 1009L * into.lat.size();
      Thread t =
          new Thread(
              () -> {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                long at = start;
                while (true) {
                  at += (long) (-Math.log(1.0 - rnd.nextDouble()) / perClient * 1e9);
                  if (at >= end) {
                    return;
                  }
                  if (at >= recordFrom && !recording.get()) {
                    recording.set(true);
                  }
                  Pacer.awaitUntil(at);
                  String name = Names.replica("c", seq.getAndIncrement());
                  long began = System.nanoTime();
                  try {
                    reg.create(name, SIZE);
                  } catch (RuntimeException e) {
                    failures.incrementAndGet();
                  }
                  long done = System.nanoTime();
                  if (at >= recordFrom) {
                    mine.add(done - at);
                    mineService.add(done - began);
                  }
                  toDelete.add(name);
                }
              },
              "bench1-client-" + k);
      t.setDaemon(true);
      clients.add(t);
    }
    clients.forEach(Thread::start);
    for (Thread t : clients) {
      t.join();
    }
    for (Percentiles p : perThread) {
      p.copyInto(into.lat);
    }
    for (Percentiles p : perThreadService) {
      p.copyInto(into.service);
    }
    recording.set(false);
    stop.set(true);
    if (verifier != null) {
      verifier.join(TimeUnit.MINUTES.toMillis(1));
    }
    toDelete.add("");
    deleter.join(TimeUnit.MINUTES.toMillis(1));
    reg.close();
    into.rounds += rounds.get();
    into.roundNanos += roundNanos.get();
    into.failures += failures.get();
  }
}
