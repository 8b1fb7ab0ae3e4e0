package dev.replicalifecycle.registry.variants;

import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.Step;
import dev.replicalifecycle.registry.StepListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link StepListener} that orders the atomic steps of concurrent registry operations, for
 * deterministic tests: each operation runs in its own thread, named by a label, and parks before
 * every step until the test lets it take that step.
 *
 * <pre>{@code
 * StepScheduler s = new StepScheduler();
 * ReplicaRegistry reg = Variants.open(Variant.V0, store, s);
 * s.start("create", () -> reg.create("r1", 1));
 * s.step("create");                 // CreateReserve
 * s.start("verify", reg::verify);
 * s.finish("verify");               // the whole round
 * Replica r = s.finish("create");   // the rest of the create
 * }</pre>
 *
 * <p>Threads that were not started here (the test's own thread) never park. A step that the
 * registry blocks inside (a lock held by a parked thread: the step is not enabled in the spec's
 * sense) makes {@link #step} fail after the timeout with a message saying so; use {@link
 * #release} and {@link #awaitStep} for a step that is expected to wait. Thread-safe; every wait
 * is bounded by the timeout.
 */
public final class StepScheduler implements StepListener {

  /** Where a thread is parked: before this step. */
  public record Parked(SpecAction action, String name) {}

  private final class Actor {
    final String label;
    final CompletableFuture<Object> result = new CompletableFuture<>();
    final List<Step> steps = new ArrayList<>();
    Parked parked;
    boolean go;
    boolean free;

    Actor(String label) {
      this.label = label;
    }
  }

  private final long timeoutMs;
  private final Map<Thread, Actor> byThread = new ConcurrentHashMap<>();
  private final Map<String, Actor> byLabel = new HashMap<>();
  private final List<String> trace = new ArrayList<>();

  /** A scheduler whose waits give up after 5 seconds. */
  public StepScheduler() {
    this(5_000);
  }

  /** A scheduler whose waits give up after {@code timeoutMs}. */
  public StepScheduler(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** Starts {@code body} in a new thread labelled {@code label}; it parks before its first step. */
  public synchronized void start(String label, Callable<?> body) {
    if (byLabel.containsKey(label)) {
      throw new IllegalStateException("label in use: " + label);
    }
    Actor a = new Actor(label);
    byLabel.put(label, a);
    Thread t =
        new Thread(
            () -> {
              try {
                a.result.complete(body.call());
              } catch (Throwable e) {
                a.result.completeExceptionally(e);
              } finally {
                synchronized (StepScheduler.this) {
                  StepScheduler.this.notifyAll();
                }
              }
            },
            "step-" + label);
    t.setDaemon(true);
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
      if (a.free) {
        return;
      }
      a.parked = new Parked(action, name);
      notifyAll();
      while (!a.go && !a.free) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while parked", e);
        }
      }
      a.go = false;
    }
  }

  @Override
  public void afterStep(Step step) {
    Actor a = byThread.get(Thread.currentThread());
    synchronized (this) {
      trace.add(
          (a == null ? Thread.currentThread().getName() : a.label)
              + ": "
              + step.action()
              + (step.name() == null ? "" : " " + step.name())
              + " -> "
              + step.outcome());
      if (a != null) {
        a.steps.add(step);
      }
      notifyAll();
    }
  }

  /**
   * Waits until {@code label} is parked before a step, and says which; {@code null} if its
   * operation has returned.
   */
  public synchronized Parked awaitParked(String label) {
    Actor a = actor(label);
    await(() -> a.parked != null || a.result.isDone(), label + " to park or return");
    return a.parked;
  }

  /**
   * Lets {@code label} take the step it is parked before, and waits until that step took effect
   * and the thread parked again (or returned).
   *
   * @return the step taken
   */
  public synchronized Step step(String label) {
    Actor a = actor(label);
    int before = release(a);
    await(
        () -> a.steps.size() > before && (a.parked != null || a.result.isDone()),
        label + " to take its step " + a.steps.size() + " (blocked inside it: not enabled?)");
    return a.steps.get(before);
  }

  /** Steps {@code label} until it is parked before {@code action}; returns the steps taken. */
  public synchronized List<Step> runUntil(String label, SpecAction action) {
    List<Step> taken = new ArrayList<>();
    while (true) {
      Parked p = awaitParked(label);
      if (p == null) {
        throw new IllegalStateException(label + " returned before reaching " + action);
      }
      if (p.action() == action) {
        return taken;
      }
      taken.add(step(label));
    }
  }

  /** Lets {@code label} take its next step without waiting for it (a step expected to block). */
  public synchronized void release(String label) {
    Actor a = actor(label);
    awaitParked(label);
    release(a);
  }

  /** Waits until {@code label} has taken {@code count} steps in all. */
  public synchronized void awaitStep(String label, int count) {
    Actor a = actor(label);
    await(() -> a.steps.size() >= count, label + " to take " + count + " steps");
  }

  /** Whether {@code label} is parked before a step right now. */
  public synchronized boolean isParked(String label) {
    return actor(label).parked != null;
  }

  /** Lets {@code label} run freely to the end and returns what its operation returned. */
  @SuppressWarnings("unchecked")
  public <T> T finish(String label) {
    Actor a;
    synchronized (this) {
      a = actor(label);
      a.free = true;
      a.parked = null;
      notifyAll();
    }
    try {
      return (T) a.result.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    } catch (TimeoutException e) {
      throw new AssertionError(label + " did not return within " + timeoutMs + " ms; " + this);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Like {@link #finish} but returns the exception the operation threw (or fails). */
  public Throwable finishExceptionally(String label) {
    try {
      Object r = finish(label);
      throw new AssertionError(label + " returned " + r + " instead of throwing");
    } catch (RuntimeException | Error e) {
      if (e instanceof AssertionError ae && ae.getMessage() != null && ae.getMessage().startsWith(label)) {
        throw ae;
      }
      return e;
    }
  }

  /** Every step taken, in order: {@code label: Action name -> outcome}. */
  public synchronized List<String> trace() {
    return List.copyOf(trace);
  }

  @Override
  public synchronized String toString() {
    StringBuilder sb = new StringBuilder("StepScheduler{");
    byLabel.forEach(
        (l, a) ->
            sb.append(l)
                .append(a.result.isDone() ? "=done" : a.parked != null ? "@" + a.parked : "=running")
                .append(' '));
    return sb.append("trace=").append(trace).append('}').toString();
  }

  // ------------------------------------------------------------------ internals

  private int release(Actor a) {
    await(() -> a.parked != null || a.result.isDone(), a.label + " to park");
    if (a.parked == null) {
      throw new IllegalStateException(a.label + " has returned; no step to take");
    }
    int before = a.steps.size();
    a.parked = null;
    a.go = true;
    notifyAll();
    return before;
  }

  private Actor actor(String label) {
    Actor a = byLabel.get(label);
    if (a == null) {
      throw new IllegalArgumentException("no thread labelled " + label);
    }
    return a;
  }

  private interface Condition {
    boolean holds();
  }

  /** Waits, holding the monitor, until {@code c} holds or the timeout passes. */
  private void await(Condition c, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!c.holds()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out waiting for " + what + "; " + this);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
