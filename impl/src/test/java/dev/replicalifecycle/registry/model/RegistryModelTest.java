package dev.replicalifecycle.registry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.VerifyReport;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The model agrees with V4 run one operation at a time: random sequences (fixed seeds) of
 * create, delete, get, recover, verify, store faults (late-landing timeouts included), late calls
 * landing or dropped, partial listings, lvol loss, foreign lvols and restarts, applied to both,
 * with the same results (value or exception type), the same entries and the same lvols after
 * every step.
 */
class RegistryModelTest {
  private static final String[] NAMES = {"r1", "r2", "r1-b"};

  @Test
  void agreesWithStampedRegistrySequentially() {
    for (long seed = 1; seed <= 300; seed++) {
      runOne(seed, 60);
    }
  }

  private static void runOne(long seed, int steps) {
    Random rnd = new Random(seed);
    InMemoryLvolStore store = new InMemoryLvolStore();
    ReplicaRegistry real = open(store);
    RegistryModel model = new RegistryModel();
    List<String> log = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      String n = NAMES[rnd.nextInt(NAMES.length)];
      int k = rnd.nextInt(16);
      String what;
      Object a;
      Object b;
      switch (k) {
        case 0, 1, 2 -> {
          long size = 1 + rnd.nextInt(3);
          what = "create " + n;
          a = outcome(r -> r.create(n, size), real);
          b = outcome(m -> m.create(n, size), model);
        }
        case 3, 4 -> {
          what = "delete " + n;
          a = outcome(r -> { r.delete(n); return "ok"; }, real);
          b = outcome(m -> { m.delete(n); return "ok"; }, model);
        }
        case 5, 6 -> {
          what = "verify";
          a = outcome(r -> changes(r.verify()), real);
          b = outcome(m -> changes(m.verify()), model);
        }
        case 7 -> {
          what = "lose " + n;
          a = store.loseLvol(n);
          b = model.store().loseLvol(n);
        }
        case 8 -> {
          Call c = Call.values()[rnd.nextInt(Call.values().length)];
          Fault f = Fault.values()[rnd.nextInt(Fault.values().length)];
          what = "fault " + c + " " + f;
          store.failNext(c, 1, f);
          model.store().failNext(c, 1, f);
          a = b = "ok";
        }
        case 9 -> {
          String lvol = rnd.nextBoolean() ? n + "-rebuilding" : n + "-snap-1";
          if (rnd.nextInt(3) == 0) {
            lvol = n;
          }
          what = "put " + lvol;
          a = store.putLvol(lvol, 1).uuid();
          b = model.store().putLvol(lvol, 1).uuid();
        }
        case 10 -> {
          what = "restart";
          real.close();
          real = open(store);
          model.restart();
          a = b = "ok";
        }
        case 11 -> {
          what = "hide lvstore";
          store.hideLvstore(InMemoryLvolStore.DEFAULT_LVSTORE, 1);
          model.store().hideLvstore(InMemoryLvolStore.DEFAULT_LVSTORE, 1);
          a = b = "ok";
        }
        case 12 -> {
          what = "unreadable " + n;
          store.unreadable(n, 1);
          model.store().unreadable(n, 1);
          a = b = "ok";
        }
        case 13 -> {
          what = "recover " + n;
          a = outcome(r -> r.recover(n), real);
          b = outcome(m -> m.recover(n), model);
        }
        case 14 -> {
          boolean apply = rnd.nextBoolean();
          what = (apply ? "land" : "drop") + " late calls";
          a = apply ? store.landLate() : store.dropLate();
          b = apply ? model.store().landLate() : model.store().dropLate();
        }
        default -> {
          what = "get " + n;
          a = outcome(r -> r.get(n).map(RegistryModelTest::show).orElse("absent"), real);
          b = model.get(n).map(RegistryModelTest::show).orElse("absent");
        }
      }
      log.add(what + " -> " + a);
      String ctx = "seed " + seed + " after " + log;
      assertEquals(String.valueOf(b), String.valueOf(a), ctx);
      assertEquals(
          model.list().stream().map(RegistryModelTest::show).toList(),
          real.list().stream().map(RegistryModelTest::show).toList(),
          ctx);
      assertEquals(model.store().lvols(), store.lvols(), ctx);
    }
    assertTrue(log.size() == steps);
  }

  /**
   * A create whose lookup of the name fails (any kind of failure: a look-up changes nothing)
   * fails with {@link dev.replicalifecycle.registry.ReplicaStoreException} and deletes nothing:
   * in particular not an lvol that no replica owns yet (an orphan after a restart), which the
   * look-up exists to protect (the spec's NoForeignLvolDeleted). Model and V4 alike.
   */
  @Test
  void aFailedLookupDeletesNothing() {
    for (Fault f : Fault.values()) {
      InMemoryLvolStore store = new InMemoryLvolStore();
      store.putLvol("r1", 1); // an orphan: no replica owns it yet
      ReplicaRegistry real = ReplicaRegistry.builder(store).build();
      store.failNext(Call.FIND, 1, f);
      org.junit.jupiter.api.Assertions.assertThrows(
          dev.replicalifecycle.registry.ReplicaStoreException.class, () -> real.create("r1", 1), "V4, " + f);
      assertTrue(store.contains("r1"), "V4 deleted the orphan after a failed lookup: " + f);
      assertTrue(real.get("r1").isEmpty(), "V4, " + f);

      RegistryModel model = new RegistryModel();
      model.store().putLvol("r1", 1);
      model.store().failNext(Call.FIND, 1, f);
      org.junit.jupiter.api.Assertions.assertThrows(
          dev.replicalifecycle.registry.ReplicaStoreException.class, () -> model.create("r1", 1));
      assertTrue(model.store().contains("r1"));
    }
  }

  private static ReplicaRegistry open(InMemoryLvolStore store) {
    return ReplicaRegistry.builder(store).retryDelay(java.time.Duration.ofNanos(1)).build();
  }

  private static String show(Replica r) {
    return r.name() + ":" + r.state() + ":" + r.lvolUuid() + ":" + r.sizeBytes();
  }

  private static String changes(VerifyReport report) {
    return report.changes().stream().map(c -> c.kind() + " " + show(c.replica())).toList()
        + " skipped=" + report.skipped() + " orphans=" + report.orphanLvols() + " other="
        + report.nonReplicaLvols() + " missing=" + report.missingLvstores() + " unreadable="
        + report.unreadableEntries() + " recoverable=" + report.recoverable();
  }

  private static <S> Object outcome(Function<S, Object> op, S subject) {
    try {
      Object r = op.apply(subject);
      return r instanceof Replica rep ? show(rep) : r;
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }
}
