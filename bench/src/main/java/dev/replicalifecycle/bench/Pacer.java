package dev.replicalifecycle.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop pacing: waits until an absolute {@link System#nanoTime()} deadline. Parks until
 * about 100 µs before it, then spins, so that the wake-up slack of {@code parkNanos} (tens of
 * µs on Linux) does not end up in latencies measured from the intended start.
 */
final class Pacer {
  private Pacer() {}

  static void awaitUntil(long deadlineNanos) {
    long rem;
    while ((rem = deadlineNanos - System.nanoTime()) > 0) {
      if (rem > 200_000) {
        LockSupport.parkNanos(rem - 100_000);
      } else {
        Thread.onSpinWait();
      }
    }
  }
}
