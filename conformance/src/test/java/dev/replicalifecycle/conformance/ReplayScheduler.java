package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link StepListener} that runs each registry operation in its own thread (an "actor") and
 * parks it before every step until {@link #grant} lets it take exactly that step: the replay of
 * a spec behaviour decides which process moves next. It extends the idea of the impl tests'
 * {@code StepScheduler} with what replays need: {@link #abandon} (a server restart: the parked
 * operations never take another step; their {@code beforeStep} throws {@link Abandoned}), and a
 * step that ends in a wait outside any step (V4's {@code busy} tries).
 *
 * <p>Steps of threads that are not actors (the test's own thread) are not parked. Every wait is
 * bounded; a step that does not come back (the registry blocked inside it: the step was not
 * enabled) fails with an {@link AssertionError} naming the actor. Thread-safe.
 */
final class ReplayScheduler implements StepListener {

  /** Thrown from {@code beforeStep} into an abandoned operation (never caught by the registry). */
  static final class Abandoned extends Error {
    private static final long serialVersionUID = 1L;

    Abandoned(String label) {
      super("operation " + label + " abandoned (server restart)", null, false, false);
    }
  }

  /** Where an actor is parked: before this step. */
  record Parked(SpecAction action, String name) {
    @Override
    public String toString() {
      return action + (name == null ? "" : " " + name);
    }
  }

  private final class Actor {
    final String label;
    final List<Step> steps = new ArrayList<>();
    volatile Thread thread;
    Parked parked;
    boolean go;
    boolean abandoned;
    boolean done;
    long blockedSince = -1;
    Object result;
    Throwable error;

    Actor(String label) {
      this.label = label;
    }
  }

  private final long timeoutMs;
  private final Map<Thread, Actor> byThread = new ConcurrentHashMap<>();
  private final Map<String, Actor> byLabel = new LinkedHashMap<>();

  ReplayScheduler(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** Starts {@code body} in a new daemon thread labelled {@code label}; it parks before its first step. */
  synchronized void start(String label, Callable<?> body) {
    if (byLabel.containsKey(label)) {
      throw new IllegalStateException("label in use: " + label);
    }
    Actor a = new Actor(label);
    byLabel.put(label, a);
    Thread t =
        new Thread(
            () -> {
              Object r = null;
              Throwable e = null;
              try {
                r = body.call();
              } catch (Throwable x) {
                e = x;
              }
              synchronized (ReplayScheduler.this) {
                a.result = r;
                a.error = e;
                a.done = true;
                a.parked = null;
                ReplayScheduler.this.notifyAll();
              }
            },
            "replay-" + label);
    t.setDaemon(true);
    a.thread = t;
    byThread.put(t, a);
    t.start();
  }

  @Override
  public void beforeStep(SpecAction action, String name) {
    Actor a = byThread.get(Thread.currentThread());
    if (a == null) {
      return;
    }
    synchronized (this) {
      if (a.abandoned) {
        throw new Abandoned(a.label);
      }
      a.parked = new Parked(action, name);
      notifyAll();
      while (!a.go && !a.abandoned) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Abandoned(a.label);
        }
      }
      if (!a.go) {
        a.parked = null;
        throw new Abandoned(a.label);
      }
      a.go = false;
    }
  }

  @Override
  public void afterStep(Step step) {
    Actor a = byThread.get(Thread.currentThread());
    synchronized (this) {
      if (a != null) {
        a.steps.add(step);
      }
      notifyAll();
    }
  }

  /** Whether the actor exists and has not returned. */
  synchronized boolean alive(String label) {
    Actor a = byLabel.get(label);
    return a != null && !a.done;
  }

  /**
   * Waits until {@code label} is parked, has returned, or is blocked outside a step (waiting for
   * another operation: V4's per-name wait); returns where it is parked, or null.
   */
  synchronized Parked settle(String label) {
    Actor a = actor(label);
    a.blockedSince = -1; // a fresh window: it may have been woken since it was last seen blocked
    await(() -> a.parked != null || a.done || blockedOutside(a), label + " to park");
    return a.parked;
  }

  /**
   * Lets {@code label} take the step it is parked before and waits until the step took effect
   * and the thread parked again, returned, or blocked outside a step.
   *
   * @return the step taken
   */
  synchronized Step grant(String label) {
    Actor a = actor(label);
    await(() -> a.parked != null || a.done, label + " to park");
    if (a.parked == null) {
      throw new IllegalStateException(label + " has returned; no step to grant");
    }
    int before = a.steps.size();
    a.parked = null;
    a.blockedSince = -1;
    a.go = true;
    notifyAll();
    await(
        () -> a.steps.size() > before && (a.parked != null || a.done || blockedOutside(a)),
        label + " to take its step (blocked inside it: not enabled?)");
    return a.steps.get(before);
  }

  /** Makes every live actor's next {@code beforeStep} throw {@link Abandoned}. */
  synchronized void abandonAll() {
    for (Actor a : byLabel.values()) {
      if (!a.done) {
        a.abandoned = true;
      }
    }
    notifyAll();
  }

  /** The value {@code label}'s operation returned (null while running). */
  synchronized Object result(String label) {
    return actor(label).result;
  }

  /** What {@code label}'s operation threw, if it did. */
  synchronized Throwable error(String label) {
    return actor(label).error;
  }

  /** Labels of actors that have not returned, in start order. */
  synchronized List<String> live() {
    List<String> out = new ArrayList<>();
    byLabel.forEach(
        (l, a) -> {
          if (!a.done && !a.abandoned) {
            out.add(l);
          }
        });
    return out;
  }

  @Override
  public synchronized String toString() {
    StringBuilder sb = new StringBuilder("ReplayScheduler{");
    byLabel.forEach(
        (l, a) ->
            sb.append(l)
                .append(a.done ? "=done" : a.abandoned ? "=abandoned" : a.parked != null ? "@" + a.parked : "=running")
                .append(' '));
    return sb.append('}').toString();
  }

  // ------------------------------------------------------------------ internals

  /** How long a thread must stay blocked outside a step to count as waiting (not just woken). */
  static final long BLOCKED_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /**
   * Blocked in the code under test (a future or lock), not in our monitor, for {@link
   * #BLOCKED_NANOS} without a break: a thread just woken by another operation's step still shows
   * as waiting until it is scheduled.
   */
  private static boolean blockedOutside(Actor a) {
    Thread t = a.thread;
    if (t == null) {
      return false;
    }
    Thread.State s = t.getState();
    boolean blocked = (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING)
        && LockSupport.getBlocker(t) != null;
    long now = System.nanoTime();
    if (!blocked) {
      a.blockedSince = -1;
      return false;
    }
    if (a.blockedSince < 0) {
      a.blockedSince = now;
    }
    return now - a.blockedSince >= BLOCKED_NANOS;
  }

  private Actor actor(String label) {
    Actor a = byLabel.get(label);
    if (a == null) {
      throw new IllegalArgumentException("no actor " + label);
    }
    return a;
  }

  private interface Condition {
    boolean holds();
  }

  private void await(Condition c, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!c.holds()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out waiting for " + what + "; " + this);
      }
      try {
        // short slices: a thread blocking outside our monitor does not notify us
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
