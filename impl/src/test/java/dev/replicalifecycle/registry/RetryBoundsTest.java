package dev.replicalifecycle.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bounds on retrying (ReplicaRegistry's "Blocking" section, Builder#retryDelay and
 * Builder#operationTimeout): tries of a store call whose outcome is unknown are spaced by pauses
 * that start at 0.1 ms and double up to the retry delay; an operation gives up at its operation
 * timeout, starts no store call after it, and ends by then (a pause never outlasts the deadline).
 * One test per retry loop: the head's and the rebuilding lvol's delete, and a create's settling.
 */
class RetryBoundsTest {
  private final InMemoryLvolStore inner = new InMemoryLvolStore();
  private final Unreachable store = new Unreachable(inner);

  /** A store that cannot be reached for some calls (unknown outcome), timing every call. */
  static final class Unreachable implements LvolStore {
    final LvolStore inner;
    final List<Long> callTimes = new CopyOnWriteArrayList<>();
    volatile String deletesOf;
    volatile boolean creates;

    Unreachable(LvolStore inner) {
      this.inner = inner;
    }

    private void tick() {
      callTimes.add(System.nanoTime());
    }

    @Override
    public Lvol createLvol(String name, long sizeBytes) throws StoreException {
      tick();
      if (creates) {
        throw new StoreUnavailableException("injected: unreachable");
      }
      return inner.createLvol(name, sizeBytes);
    }

    @Override
    public void deleteLvol(String name) throws StoreException {
      tick();
      if (name.equals(deletesOf)) {
        throw new StoreUnavailableException("injected: unreachable");
      }
      inner.deleteLvol(name);
    }

    @Override
    public LvolListing listLvols() throws StoreException {
      tick();
      return inner.listLvols();
    }

    @Override
    public Optional<Lvol> findLvol(String name) throws StoreException {
      tick();
      return inner.findLvol(name);
    }
  }

  private ReplicaRegistry registry(Duration operationTimeout, Duration retryDelay) {
    return ReplicaRegistry.builder(store).operationTimeout(operationTimeout).retryDelay(retryDelay).build();
  }

  /**
   * Over 300 ms with a 20 ms retry delay: 8 doubling pauses (25.5 ms), then about 14 of 20 ms, so
   * about 23 tries; never hundreds (no pause), never a handful (pauses longer than the delay).
   */
  private static void assertBackedOff(long tries) {
    assertTrue(tries >= 8 && tries <= 45, "tries in 300 ms with a 20 ms retry delay: " + tries);
  }

  @Test
  void rebuildingLvolDeleteBacksOff() {
    ReplicaRegistry registry = registry(Duration.ofMillis(300), Duration.ofMillis(20));
    registry.create("r1", 1);
    store.deletesOf = "r1-rebuilding";
    int before = store.callTimes.size();
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r1"));
    assertBackedOff(store.callTimes.size() - before);
  }

  @Test
  void headDeleteBacksOff() {
    ReplicaRegistry registry = registry(Duration.ofMillis(300), Duration.ofMillis(20));
    registry.create("r1", 1);
    store.deletesOf = "r1";
    int before = store.callTimes.size();
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r1"));
    assertBackedOff(store.callTimes.size() - before - 1); // less the rebuilding lvol's delete
  }

  /** Settling a create: each try is a rollback delete ("not found") and a probe create. */
  @Test
  void settlingACreateBacksOff() {
    ReplicaRegistry registry = registry(Duration.ofMillis(300), Duration.ofMillis(20));
    store.creates = true;
    int before = store.callTimes.size();
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.create("r1", 1));
    long calls = store.callTimes.size() - before - 3; // the two look-ups and the create
    assertBackedOff(calls / 2);
    assertTrue(registry.get("r1").orElseThrow().state() == ReplicaState.ERROR);
  }

  /**
   * With a retry delay far beyond the operation timeout, the doubling pauses reach the deadline
   * mid-pause (0.1 ms x 2^13 = 819 ms of pauses before the 14th, which would last 819 ms more):
   * the pause ends at the deadline, no call starts after it, and the delete ends by it (plus
   * scheduling slack), not 640 ms later.
   */
  @Test
  void noCallStartsAfterTheDeadlineAndNoPauseOutlastsIt() {
    Duration timeout = Duration.ofMillis(1000);
    ReplicaRegistry registry = registry(timeout, Duration.ofSeconds(10));
    registry.create("r1", 1);
    store.deletesOf = "r1-rebuilding";
    store.callTimes.clear();
    long t0 = System.nanoTime();
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r1"));
    long took = System.nanoTime() - t0;
    long deadline = t0 + timeout.toNanos();
    for (long t : store.callTimes) {
      assertTrue(t < deadline, "a call started " + TimeUnit.NANOSECONDS.toMillis(t - deadline)
          + " ms after the deadline");
    }
    assertTrue(took >= timeout.toNanos(), "gave up early: " + took);
    assertTrue(took < timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(400), "overran: " + took / 1_000_000 + " ms");
    assertEquals(ReplicaState.ERROR, registry.get("r1").orElseThrow().state());
  }

  /**
   * The pauses double from 0.1 ms: with a retry delay (1 s) far above the operation timeout
   * (200 ms), 0.1 + 0.2 + ... + 25.6 ms = 51 ms of pauses allow 10 tries and 102 ms allow 11;
   * the 12th would need 204 ms. Pauses that skipped the doubling (jumping to the retry delay)
   * would leave a handful of tries.
   */
  @Test
  void pausesDoubleFromATenthOfAMillisecond() {
    Duration timeout = Duration.ofMillis(200);
    Duration delay = Duration.ofSeconds(1);

    ReplicaRegistry registry = registry(timeout, delay);
    registry.create("r1", 1);
    store.deletesOf = "r1-rebuilding";
    int before = store.callTimes.size();
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r1"));
    // minus the look-up of the rebuilding lvol's chain before the deletes
    assertDoubling(store.callTimes.size() - before - 1, "rebuilding lvol's delete");

    registry.create("r2", 1);
    store.deletesOf = "r2";
    before = store.callTimes.size();
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.delete("r2"));
    assertDoubling(store.callTimes.size() - before - 2, "head's delete"); // look-up, rebuilding lvol

    store.deletesOf = null;
    store.creates = true;
    before = store.callTimes.size();
    assertThrows(ReplicaOutcomeUnknownException.class, () -> registry.create("r3", 1));
    assertDoubling((store.callTimes.size() - before - 3) / 2, "settling a create");
  }

  private static void assertDoubling(long tries, String what) {
    assertTrue(tries >= 10 && tries <= 12, what + ": tries in 200 ms, pauses doubling from 0.1 ms: " + tries);
  }

  /** An interrupt during a pause ends the operation: no further store call, status kept. */
  @Test
  void anInterruptDuringAPauseEndsTheOperation() throws Exception {
    ReplicaRegistry registry = registry(Duration.ofMinutes(1), Duration.ofSeconds(10));
    registry.create("r1", 1);
    store.deletesOf = "r1-rebuilding";
    java.util.concurrent.CompletableFuture<Object[]> out = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        registry.delete("r1");
        out.complete(new Object[] {null, Thread.currentThread().isInterrupted()});
      } catch (RuntimeException e) {
        out.complete(new Object[] {e, Thread.currentThread().isInterrupted()});
      }
    });
    t.start();
    Thread.sleep(300); // by now it pauses 51.2 ms, 102.4 ms, 204.8 ms: mostly pausing
    long interruptedAt = System.nanoTime();
    t.interrupt();
    Object[] got = out.get(10, TimeUnit.SECONDS);
    assertTrue(got[0] instanceof ReplicaOutcomeUnknownException, String.valueOf(got[0]));
    assertEquals(Boolean.TRUE, got[1], "interrupt status kept");
    for (long at : store.callTimes) {
      assertTrue(at < interruptedAt, "a call started after the interrupt");
    }
  }
}
