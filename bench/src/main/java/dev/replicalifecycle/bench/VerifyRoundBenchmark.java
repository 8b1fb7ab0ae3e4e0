package dev.replicalifecycle.bench;

import dev.replicalifecycle.registry.ReplicaNames;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 3 (JMH): one V4 verify round over {@code replicas} replicas, all of them settled and
 * listed, with an instant store whose listing is a prebuilt list ({@link
 * InstantStores.FrozenListing}): the time is the registry's work beyond the listing itself. A
 * steady-state round changes nothing (every replica has its head lvol). Run with {@code -prof gc}
 * for the allocation per round ({@code gc.alloc.rate.norm}).
 *
 * <p>{@link #inMemoryListing} is the reference: what {@link InMemoryLvolStore#listLvols()} costs
 * for the same number of lvols (a copy of its table under its lock). {@link #nameOrdering} is
 * what a round adds when a step listener is attached, rebuilt from JDK types and the public
 * {@link ReplicaNames}: the name-ordered {@code TreeSet} of every slot key plus every valid listed
 * head that {@code StampedRegistry.round()} then builds so that its steps come in name order.
 * Without a listener (as {@link #verifyRound} runs) the round visits the names unordered.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class VerifyRoundBenchmark {

  @Param({"1000", "10000", "100000"})
  public int replicas;

  private ReplicaRegistry registry;
  private InMemoryLvolStore inMemory;
  private NameOrdering ordering;

  /** Builds the registry (and an in-memory store with the same lvols, for the reference). */
  @Setup(Level.Trial)
  public void setUp() {
    InstantStores.FrozenListing store = new InstantStores.FrozenListing();
    registry = populate(store, replicas);
    inMemory = new InMemoryLvolStore();
    for (int i = 0; i < replicas; i++) {
      inMemory.putLvol(Names.replica("r", i), 1L << 30);
    }
    ordering = new NameOrdering(store.listLvols().lvols());
  }

  /**
   * The name ordering of a V4 round with a step listener, alone, over the same names: a {@code
   * ConcurrentHashMap} standing for the registry's slots, a {@code HashMap} of the listed heads.
   */
  static final class NameOrdering {
    private final ConcurrentHashMap<String, Object> slots = new ConcurrentHashMap<>();
    private final Map<String, Lvol> heads = new HashMap<>();

    NameOrdering(List<Lvol> lvols) {
      for (Lvol l : lvols) {
        slots.put(l.name(), l);
        heads.put(l.name(), l);
      }
    }

    /** As StampedRegistry.round() with a listener: every slot key, then every valid head, in a TreeSet. */
    TreeSet<String> run() {
      TreeSet<String> names = new TreeSet<>(slots.keySet());
      for (String head : heads.keySet()) {
        if (ReplicaNames.isValid(head)) {
          names.add(head);
        }
      }
      return names;
    }

    /**
     * A reference for the round's growth with size, not part of it: the least a per-name round
     * must touch, one pass over the slots that looks each name up in the heads and does a no-op
     * {@code computeIfPresent} on its entry. If its CPU per name grows with the size as the
     * round's does, the growth is the memory hierarchy's, not extra work per name in the
     * registry.
     *
     * @return how many names had a head
     */
    int mapPass() {
      int found = 0;
      for (String name : slots.keySet()) {
        if (heads.get(name) != null) {
          found++;
        }
        slots.computeIfPresent(name, (k, v) -> v);
      }
      return found;
    }
  }

  /** A V4 registry over {@code store} with {@code n} settled replicas; the store is frozen. */
  static ReplicaRegistry populate(InstantStores.FrozenListing store, int n) {
    ReplicaRegistry r = ReplicaRegistry.builder(store).build();
    for (int i = 0; i < n; i++) {
      r.create(Names.replica("r", i), 1L << 30);
    }
    store.freeze();
    VerifyReport first = r.verify();
    if (!first.changes().isEmpty() || !first.skipped().isEmpty()) {
      throw new IllegalStateException("setup: the first round was not a no-op: " + first);
    }
    return r;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
  }

  /** One verify round (V4), listing excluded. */
  @Benchmark
  public VerifyReport verifyRound() {
    return registry.verify();
  }

  /** One step of the round alone: building the name-ordered set of names (see class doc). */
  @Benchmark
  public TreeSet<String> nameOrdering() {
    return ordering.run();
  }

  /** Reference: the in-memory store's listing alone, same number of lvols. */
  @Benchmark
  public List<Lvol> inMemoryListing() throws Exception {
    return inMemory.listLvols().lvols();
  }
}
