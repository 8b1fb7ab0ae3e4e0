package dev.replicalifecycle.registry.property;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;

/**
 * Runs a few threads ("lanes") one step at a time, in an order chosen by the caller, so that a
 * concurrent run is a function of its input.
 *
 * <p>Each lane parks at every step boundary ({@link #park}, called from {@code
 * StepListener.beforeStep} and before each op). The controller (the thread calling {@link #run})
 * waits until every lane is parked, finished, or blocked inside the code under test (parked on
 * a lock or a future of the code under test, as {@link LockSupport#getBlocker} shows; or waiting
 * for a monitor for {@value #BLOCKED_MILLIS} ms); then it runs the checkpoint (all lanes are still, so the
 * state can be read), asks the chooser which parked lane goes next, and lets that one lane run
 * to its next boundary. A lane woken from a block by another lane's step runs up to its own next
 * boundary concurrently with it; everything else is sequential.
 *
 * <p>If no lane can go for {@value #HANG_MILLIS} ms (all blocked: a deadlock), {@link #run} throws
 * {@link HangException} after interrupting the lanes.
 */
final class Interleaver {
  static final long BLOCKED_MILLIS = 2;
  static final long HANG_MILLIS = 5_000;

  /** No lane can make progress. */
  static final class HangException extends RuntimeException {
    HangException(String message) {
      super(message);
    }
  }

  private static final class Lane {
    final int id;
    volatile Thread thread;
    String at = "(starting)";
    boolean parked;
    boolean granted;
    boolean finished;
    long blockedSince = -1;

    Lane(int id) {
      this.id = id;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ThreadLocal<Lane> current = new ThreadLocal<>();

  /** The lane the calling thread runs, or {@code -1} (the controller, or any other thread). */
  int laneOfCurrentThread() {
    Lane l = current.get();
    return l == null ? -1 : l.id;
  }

  /** On a lane thread: wait here until the controller lets this lane go. Elsewhere: no-op. */
  void park(String label) {
    Lane l = current.get();
    if (l == null) {
      return;
    }
    lock.lock();
    try {
      l.at = label;
      l.parked = true;
      changed.signalAll();
      while (!l.granted) {
        changed.await();
      }
      l.granted = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("lane " + l.id + " cancelled at " + label, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs each body in its own lane until all are finished.
   *
   * @param bodies the lanes' code; must not throw (catch and record inside)
   * @param chooser given the number of a choice (0, 1, ...) returns a bit: 0 lets the
   *     lowest-numbered parked lane go, 1 the next one (wrapping)
   * @param checkpoint run on this thread whenever every lane is still, before each choice
   */
  void run(List<Runnable> bodies, IntUnaryOperator chooser, Runnable checkpoint) {
    Lane[] ls = new Lane[bodies.size()];
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < ls.length; i++) {
      Lane lane = new Lane(i);
      ls[i] = lane;
      Runnable body = bodies.get(i);
      Thread t =
          new Thread(
              () -> {
                current.set(lane);
                try {
                  body.run();
                } finally {
                  lock.lock();
                  try {
                    lane.finished = true;
                    changed.signalAll();
                  } finally {
                    lock.unlock();
                  }
                }
              },
              "property-lane-" + i);
      t.setDaemon(true);
      lane.thread = t;
      threads.add(t);
    }
    threads.forEach(Thread::start);

    int choice = 0;
    while (true) {
      List<Lane> parked = awaitStill(ls);
      if (parked == null) {
        break; // all finished
      }
      checkpoint.run();
      Lane next = parked.get(0);
      if (parked.size() > 1) {
        int bit = chooser.applyAsInt(choice++);
        next = parked.get(bit % parked.size());
      }
      lock.lock();
      try {
        next.parked = false;
        next.granted = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
    for (Thread t : threads) {
      try {
        t.join(HANG_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Waits until every lane is still; returns the parked ones, or {@code null} if all finished. */
  private List<Lane> awaitStill(Lane[] ls) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANG_MILLIS);
    lock.lock();
    try {
      while (true) {
        long now = System.nanoTime();
        boolean still = true;
        boolean allFinished = true;
        List<Lane> parked = new ArrayList<>();
        for (Lane l : ls) {
          if (l.finished) {
            continue;
          }
          allFinished = false;
          if (l.parked) {
            l.blockedSince = -1;
            parked.add(l);
            continue;
          }
          Thread.State s = l.thread.getState();
          if (l.granted || lock.hasQueuedThread(l.thread)) {
            l.blockedSince = -1;
            still = false; // running, or about to park/finish here
            continue;
          }
          Object blocker = LockSupport.getBlocker(l.thread);
          boolean parkedElsewhere =
              (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && blocker != null;
          boolean maybeBlocked =
              s == Thread.State.BLOCKED || (s == Thread.State.WAITING && blocker == null);
          if (parkedElsewhere) {
            l.blockedSince = now; // waits for a lock or future of the code under test
          } else if (maybeBlocked) {
            // a monitor or Object.wait: blocked, unless it passes within BLOCKED_MILLIS
            if (l.blockedSince < 0) {
              l.blockedSince = now;
            }
            if (now - l.blockedSince < TimeUnit.MILLISECONDS.toNanos(BLOCKED_MILLIS)) {
              still = false;
            }
          } else {
            l.blockedSince = -1;
            still = false; // runnable, or sleeping (injected latency)
          }
        }
        if (allFinished) {
          return null;
        }
        if (still && !parked.isEmpty()) {
          return parked;
        }
        if (now > deadline) {
          StringBuilder where = new StringBuilder();
          for (Lane l : ls) {
            where.append(" lane ").append(l.id).append(l.finished ? " finished" : " at " + l.at
                + " (" + l.thread.getState() + ")");
            if (!l.finished) {
              l.thread.interrupt();
            }
          }
          throw new HangException("no lane can make progress for " + HANG_MILLIS + " ms:" + where);
        }
        changed.awaitNanos(TimeUnit.MICROSECONDS.toNanos(still ? 1000 : 50));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HangException("interrupted while waiting for lanes");
    } finally {
      lock.unlock();
    }
  }
}
