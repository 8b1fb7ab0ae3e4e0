package dev.replicalifecycle.registry.property;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.property.Harness.Failure;
import dev.replicalifecycle.registry.property.Op.Concurrent;
import dev.replicalifecycle.registry.property.Op.Create;
import dev.replicalifecycle.registry.property.Op.Delete;
import dev.replicalifecycle.registry.property.Op.DeleteSnapshot;
import dev.replicalifecycle.registry.property.Op.FailNext;
import dev.replicalifecycle.registry.property.Op.Get;
import dev.replicalifecycle.registry.property.Op.HideLvstore;
import dev.replicalifecycle.registry.property.Op.LateFinish;
import dev.replicalifecycle.registry.property.Op.LoseLvol;
import dev.replicalifecycle.registry.property.Op.PutOrphan;
import dev.replicalifecycle.registry.property.Op.Restart;
import dev.replicalifecycle.registry.property.Op.RestartDuring;
import dev.replicalifecycle.registry.property.Op.Snapshot;
import dev.replicalifecycle.registry.property.Op.Unreadable;
import dev.replicalifecycle.registry.property.Op.Verify;
import dev.replicalifecycle.registry.property.Subject.Target;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import dev.replicalifecycle.store.LvolStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The harness on V4 without the fuzzer: hand-written sequences that reach the interesting
 * corners, a deterministic batch of random sequences (size: system property {@code
 * property.v4.sequences}, default 600), and a planted bug that the harness must catch and the
 * minimiser must shrink.
 */
class V4PropertyTest {
  private static final long MIB = 1L << 20;
  private final Harness harness = new Harness(Subject.v4());

  static List<Op> ops(Op... ops) {
    return List.of(ops);
  }

  @Test
  void handWrittenSequencesHold() {
    List<List<Op>> cases =
        List.of(
            ops(new Create("r0", MIB), new Get("r0"), new Delete("r0"), new Get("r0")),
            ops(new Create("r0", MIB), new LoseLvol("r0"), new Verify(), new Get("r0")),
            ops(new PutOrphan("r1", MIB), new Verify(), new Create("r1", MIB), new Delete("r1")),
            ops(new Create("r0", MIB), new Restart(), new Delete("r0"), new Verify()),
            ops(new Create("r0", MIB), new Restart(), new Verify(), new Get("r0")),
            ops(new FailNext(Call.CREATE, Fault.TIMEOUT_AFTER_APPLY, 1),
                new FailNext(Call.DELETE, Fault.REJECT, 1), new Create("r0", MIB),
                new Create("r0", MIB), new Delete("r0")),
            ops(new FailNext(Call.LIST, Fault.TIMEOUT_AFTER_APPLY, 2), new Verify(), new Verify()),
            ops(new Create("r0", MIB),
                new Concurrent(List.of(new Verify()), List.of(new Delete("r0"),
                    new Create("r0", MIB)), 0x5555_5555_5555_5555L)),
            ops(new Concurrent(List.of(new Create("r0", MIB)), List.of(new Verify()), 0L),
                new Concurrent(List.of(new Create("r1", MIB)), List.of(new Verify()), -1L),
                new Concurrent(List.of(new Delete("r0")), List.of(new Create("r0", MIB)), 0L)),
            ops(new Create("r0", MIB), new LoseLvol("r0"),
                new Concurrent(List.of(new Verify()), List.of(new Create("r1", MIB),
                    new Delete("r1")), 0b0110L)),
            // issue 9, Why 1: a create whose lvol call lands late
            ops(new FailNext(Call.CREATE, Fault.TIMEOUT_LATE, 1), new Create("r0", MIB),
                new Delete("r0"), new Verify(), new Get("r0")),
            ops(new FailNext(Call.CREATE, Fault.TIMEOUT_LATE, 1),
                new Concurrent(List.of(new Create("r0", MIB)), List.of(new Delete("r0"), new Verify()),
                    0x5a5aL), new LateFinish(true), new Verify()),
            // a delete whose calls land late, and one whose calls are dropped
            ops(new Create("r0", MIB), new FailNext(Call.DELETE, Fault.TIMEOUT_LATE, 2),
                new Delete("r0"), new Create("r0", MIB)),
            ops(new Create("r0", MIB), new FailNext(Call.DELETE, Fault.TIMEOUT_LATE, 2),
                new Concurrent(List.of(new Delete("r0")), List.of(new LateFinish(false), new Verify()), 0x3L)),
            // issue 9, Why 2: a restart while the old registry's ops still run
            ops(new Create("r0", MIB),
                new RestartDuring(List.of(new Delete("r0"), new Create("r1", MIB)),
                    List.of(new Create("r0", MIB), new Verify()), 0x0f0fL), new Verify()),
            ops(new FailNext(Call.CREATE, Fault.TIMEOUT_LATE, 1),
                new RestartDuring(List.of(new Create("r0", MIB)), List.of(new Delete("r0"), new Verify()),
                    0b1101L), new Verify(), new Get("r0")),
            // issue 9, Why 3: partial listings prove nothing
            ops(new Create("r0", MIB), new Create("r1", MIB), new HideLvstore(), new Verify(),
                new Get("r0"), new Unreadable("r1"), new LoseLvol("r0"), new Verify(), new Get("r1")));
    for (List<Op> ops : cases) {
      Failure f = harness.run(ops);
      assertNull(f, () -> f + "\n" + Op.renderAll(ops));
    }
  }

  /**
   * Random sequences; every second one runs on the registry built as production builds it (no
   * step listener: its verify takes the listener-free branch, concurrent ops run one thread after
   * the other), the others step by step with a listener.
   */
  @Test
  void randomSequencesHold() {
    int n = Integer.getInteger("property.v4.sequences", 600);
    Harness plain = new Harness(Subject.v4Plain());
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      List<Op> ops = OpCodec.decode(new OpCodec.RandomChoices(i, 12 + i % 20));
      Harness h = i % 2 == 0 ? harness : plain;
      Failure f = h.run(ops);
      if (f != null) {
        PropertyRuns.Found found = PropertyRuns.minimise(h, ops, f, i + 1);
        throw new AssertionError(found.report(h.target().label()));
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("V4PropertyTest: %d random sequences hold (half without a step listener),"
        + " %.1f s, %.0f sequences/s%n", n, secs, n / secs);
  }

  @Test
  void handWrittenSequencesHoldWithoutAListener() {
    Harness plain = new Harness(Subject.v4Plain());
    for (List<Op> ops : List.of(
        ops(new Create("r0", MIB), new LoseLvol("r0"), new PutOrphan("r0", MIB), new Verify(), new Get("r0")),
        ops(new PutOrphan("r1", MIB), new Verify(), new Get("r1"), new Delete("r1")),
        ops(new Create("r0", MIB), new HideLvstore(), new Verify(), new Unreadable("r0"), new Verify()),
        ops(new FailNext(Call.CREATE, Fault.TIMEOUT_LATE, 1), new Create("r0", MIB), new Verify()))) {
      Failure f = plain.run(ops);
      assertNull(f, () -> f + "\n" + Op.renderAll(ops));
    }
  }

  /** Snapshots (issue 11): with faults on the snapshot call, a restart, a loss, concurrency. */
  @Test
  void snapshotSequencesHold() {
    Harness plain = new Harness(Subject.v4Plain());
    List<List<Op>> cases = List.of(
        ops(new Create("r0", MIB), new Snapshot("r0", "s1"), new Snapshot("r0", "s2"),
            new DeleteSnapshot("r0", "s1"), new Verify(), new Get("r0"), new Delete("r0")),
        ops(new Create("r0", MIB), new FailNext(Call.SNAPSHOT, Fault.TIMEOUT_AFTER_APPLY, 1),
            new Snapshot("r0", "s1"), new FailNext(Call.SNAPSHOT, Fault.TIMEOUT_BEFORE_APPLY, 1),
            new Snapshot("r0", "s2"), new Verify()),
        ops(new Create("r0", MIB), new Snapshot("r0", "s1"), new Restart(), new Verify(),
            new DeleteSnapshot("r0", "s1"), new Verify()),
        ops(new Create("r0", MIB), new Snapshot("r0", "s1"), new LoseLvol("r0"), new Verify(),
            new Snapshot("r0", "s2"), new Delete("r0")),
        ops(new Create("r0", MIB), new FailNext(Call.DELETE, Fault.TIMEOUT_BEFORE_APPLY, 1),
            new Snapshot("r0", "s1"), new DeleteSnapshot("r0", "s1")),
        ops(new Create("r0", MIB),
            new Concurrent(List.of(new Snapshot("r0", "s1"), new Snapshot("r0", "s2")),
                List.of(new Verify(), new DeleteSnapshot("r0", "s1")), 0x5a5a5a5aL),
            new Verify(), new Get("r0")));
    for (List<Op> c : cases) {
      for (Harness h : List.of(harness, plain)) {
        Failure f = h.run(c);
        assertNull(f, () -> f + "\n" + Op.renderAll(c));
      }
    }
  }

  /**
   * A planted chain bug: a registry whose snapshot answers without recording the snapshot in the
   * chain; the harness names AckedSnapshotKept.
   */
  @Test
  void aSnapshotDroppedFromTheChainIsCaught() {
    Harness buggy = new Harness(new Target("V4-forgets-snapshots", V4PropertyTest::forgetfulSnapshot, true, false),
        java.util.Set.of("AckedSnapshotKept"));
    Failure f = buggy.run(ops(new Create("r0", MIB), new Snapshot("r0", "s1"), new Get("r0")));
    assertNotNull(f, "a snapshot missing from the chain was not noticed");
    assertEquals("AckedSnapshotKept", f.property());
  }

  /**
   * A planted start bug: a registry whose start makes the head it does not find (upstream's
   * prepareHead); the harness names StartNoTwin. And the rebuild operations run through the same
   * harness: a rebuild begun, snapshotted, finished, then an adopted replica started.
   */
  @Test
  void aStartThatMakesAHeadIsCaught() {
    Harness buggy = new Harness(new Target("V4-start-creates", V4PropertyTest::startCreates, true, false),
        java.util.Set.of("StartNoTwin"));
    Failure f = buggy.run(ops(new Create("r0", MIB), new Restart(), new Verify(), new LoseLvol("r0"),
        new Op.Start("r0")));
    assertNotNull(f, "a start that made a head was not noticed");
    assertEquals("StartNoTwin", f.property());
    assertNull(harness.run(ops(new Create("r0", MIB), new Restart(), new Verify(), new LoseLvol("r0"),
        new Op.Start("r0"))));
    assertNull(harness.run(ops(new Op.BeginRebuild("r1", MIB), new Snapshot("r1", "s1"), new Verify(),
        new Op.FinishRebuild("r1"), new Op.BeginRebuild("r2", MIB), new Op.AbortRebuild("r2"), new Restart(),
        new Verify(), new Op.Start("r1"), new Get("r1"))));
  }

  @Test
  void codecRoundTrips() {
    for (int i = 0; i < 200; i++) {
      List<Op> ops = OpCodec.decode(new OpCodec.RandomChoices(i, 1 + i % 30));
      assertEquals(ops, OpCodec.decode(OpCodec.encode(ops)));
    }
  }

  /**
   * A planted bug (delete of a replica in ERROR forgets the lvol): the harness names the property
   * and the minimiser brings 40 random ops down to the few that matter.
   */
  @Test
  void plantedBugIsCaughtAndMinimised() {
    Harness buggy = new Harness(new Target("V4-planted", V4PropertyTest::forgetfulDelete, true, false));
    PropertyRuns.Found found = PropertyRuns.search(buggy, "DeleteIsFinal", 1, 5_000, 40);
    assertNotNull(found, "the planted bug was not found");
    System.out.println(found.report("planted bug"));
    assertTrue(found.minimal().size() <= 5, found::toString);
  }

  /**
   * {@code NoForeignLvolDeleted}: after a restart the map is empty but the lvols are not; a
   * create of a name whose lvol is not adopted yet must fail without touching that lvol, even
   * when its lvol call times out. V4 looks the name up before creating (the property runs found
   * the hazard when it did not); the same sequence on V4 without that look-up (a store whose
   * {@code findLvol} sees nothing, the spec's {@code NoPrecheck} mutant) loses the old data.
   */
  @Test
  void rollbackNeverDeletesAForeignLvol() {
    List<Op> canonical = ops(new Create("r0", MIB), new Restart(),
        new FailNext(Call.CREATE, Fault.TIMEOUT_BEFORE_APPLY, 1), new Create("r0", MIB));
    assertNull(harness.run(canonical));
    Harness strict = new Harness(Subject.v4(), java.util.Set.of("NoForeignLvolDeleted"));
    assertNull(PropertyRuns.search(strict, "NoForeignLvolDeleted", 1, 2_000, 12));

    Harness noPrecheck = new Harness(new Target("V4-NoPrecheck",
        (store, l) -> new Subject.V4Subject(new BlindLookupStore(store), l), true, false));
    Failure f = noPrecheck.run(canonical);
    assertNotNull(f, "without the look-up, the rollback deletes the orphan");
    assertEquals("NoForeignLvolDeleted", f.property());
    System.out.println("V4-NoPrecheck: " + f);
  }

  /** A store whose look-up finds nothing: V4 without its pre-check. */
  private record BlindLookupStore(LvolStore inner) implements LvolStore {
    @Override
    public dev.replicalifecycle.store.Lvol createLvol(String name, long sizeBytes)
        throws dev.replicalifecycle.store.StoreException {
      return inner.createLvol(name, sizeBytes);
    }

    @Override
    public void deleteLvol(String name) throws dev.replicalifecycle.store.StoreException {
      inner.deleteLvol(name);
    }

    @Override
    public dev.replicalifecycle.store.LvolListing listLvols()
        throws dev.replicalifecycle.store.StoreException {
      return inner.listLvols();
    }

    @Override
    public Optional<dev.replicalifecycle.store.Lvol> findLvol(String name) {
      return Optional.empty();
    }
  }

  /** How a planted bug answers a registry call, or null to let the library answer it. */
  @FunctionalInterface
  interface Plant {
    Object answer(ReplicaRegistry library, LvolStore store, String method, Object[] args) throws Exception;
  }

  /** V4 with a planted bug: each call goes to {@code plant} first, then (if it gives null) to the library. */
  static final class Planted implements Subject {
    private final Subject.V4Subject inner;
    private final ReplicaRegistry registry;

    Planted(LvolStore store, dev.replicalifecycle.registry.StepListener l, Plant plant) {
      inner = new Subject.V4Subject(store, l);
      ReplicaRegistry r = inner.registry();
      registry = (ReplicaRegistry) java.lang.reflect.Proxy.newProxyInstance(
          ReplicaRegistry.class.getClassLoader(), new Class<?>[] {ReplicaRegistry.class},
          (proxy, method, args) -> {
            Object planted = plant.answer(r, store, method.getName(), args);
            if (planted != null) {
              return planted;
            }
            try {
              return method.invoke(r, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public ReplicaRegistry registry() {
      return registry;
    }

    @Override
    public int liveObjects(String name) {
      return registry.get(name).isPresent() ? 1 : 0;
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** V4, except that deleting a replica in ERROR only forgets the entry. */
  static Subject forgetfulDelete(LvolStore store, dev.replicalifecycle.registry.StepListener l) {
    List<String> forgotten = new ArrayList<>();
    return new Planted(store, l, (r, s, method, args) -> switch (method) {
      case "create" -> {
        forgotten.remove((String) args[0]);
        yield null;
      }
      case "delete" -> {
        String name = (String) args[0];
        Optional<Replica> e = r.get(name);
        if (e.isPresent() && e.get().state() == ReplicaState.ERROR) {
          forgotten.add(name);
          yield Boolean.TRUE; // answered (a void method: the proxy ignores the value)
        }
        yield null;
      }
      case "get" -> forgotten.contains((String) args[0]) ? Optional.empty() : null;
      case "list" -> r.list().stream().filter(x -> !forgotten.contains(x.name())).toList();
      default -> null;
    });
  }

  /** V4 with a planted bug: {@code snapshot} makes the snapshot lvol but leaves the chain as it was. */
  static Subject forgetfulSnapshot(LvolStore store, dev.replicalifecycle.registry.StepListener l) {
    return new Planted(store, l, (r, s, method, args) -> {
      if (!method.equals("snapshot")) {
        return null;
      }
      String name = (String) args[0];
      s.snapshotLvol(name, dev.replicalifecycle.registry.ReplicaNames.snapshotLvol(name, (String) args[1]));
      return r.get(name).orElseThrow();
    });
  }

  /** V4 with a planted bug: {@code start} first makes the head if it is missing. */
  static Subject startCreates(LvolStore store, dev.replicalifecycle.registry.StepListener l) {
    return new Planted(store, l, (r, s, method, args) -> {
      if (method.equals("start") && s.findLvol((String) args[0]).isEmpty()) {
        s.createLvol((String) args[0], r.get((String) args[0]).map(Replica::sizeBytes).orElse(MIB));
      }
      return null;
    });
  }
}
