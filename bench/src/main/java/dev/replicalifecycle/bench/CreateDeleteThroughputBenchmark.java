package dev.replicalifecycle.bench;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.store.InMemoryLvolStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Benchmark 4 (JMH): create+delete pairs on distinct names, per second, run with 1 and 2
 * threads ({@code -t}).
 *
 * <ul>
 *   <li>{@link #chmPair}: the physical ceiling for this shape of work, a bare {@code
 *       ConcurrentHashMap} {@code putIfAbsent} + {@code remove} of the same key.
 *   <li>{@link #v4Pair}: V4 {@code create} + {@code delete} over a no-op store ({@link
 *       InstantStores.NoOp}): the registry's own cost (name validation, reservation, publish,
 *       mark, remove; two {@code compute}s each, a future per operation).
 *   <li>{@link #v4InMemoryStorePair}: the same over {@link InMemoryLvolStore} (its calls take
 *       one global lock and make a UUID string): what a test or example sees.
 * </ul>
 *
 * <p>Names: each thread cycles through its own pool of 1024 names ({@code t<k>-...}), so names
 * are distinct between threads and between the pairs in flight, and the registry stays bounded
 * (a V4 delete leaves a tombstone that only a verify round removes; reusing a name replaces its
 * tombstone, see the README's findings).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CreateDeleteThroughputBenchmark {

  private static final long SIZE = 1L << 30;
  private static final Object PRESENT = new Object();
  private static final AtomicInteger THREADS = new AtomicInteger();

  private ConcurrentHashMap<String, Object> chm;
  private ReplicaRegistry v4;
  private ReplicaRegistry v4InMemory;

  /** One thread's names. */
  @State(Scope.Thread)
  public static class ThreadNames {
    static final int POOL = 1024;
    String[] pool;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      int t = THREADS.getAndIncrement();
      pool = new String[POOL];
      for (int i = 0; i < POOL; i++) {
        pool[i] = Names.replica("t" + t, i);
      }
    }

    String next() {
      String n = pool[next];
      next = (next + 1) & (POOL - 1);
      return n;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    chm = new ConcurrentHashMap<>();
    v4 = ReplicaRegistry.builder(new InstantStores.NoOp()).build();
    v4InMemory = ReplicaRegistry.builder(new InMemoryLvolStore()).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    v4.close();
    v4InMemory.close();
  }

  @Benchmark
  public void chmPair(ThreadNames names, Blackhole bh) {
    String n = names.next();
    bh.consume(chm.putIfAbsent(n, PRESENT));
    bh.consume(chm.remove(n));
  }

  @Benchmark
  public void v4Pair(ThreadNames names, Blackhole bh) {
    String n = names.next();
    bh.consume(v4.create(n, SIZE));
    v4.delete(n);
  }

  @Benchmark
  public void v4InMemoryStorePair(ThreadNames names, Blackhole bh) {
    String n = names.next();
    bh.consume(v4InMemory.create(n, SIZE));
    v4InMemory.delete(n);
  }
}
