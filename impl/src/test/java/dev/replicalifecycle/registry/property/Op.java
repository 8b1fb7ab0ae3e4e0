package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One step of an action sequence: a registry operation, a fault of the environment, or two
 * threads of operations run concurrently under a schedule chosen by the input.
 *
 * <p>Immutable values; {@link #render()} gives the readable form printed for failures.
 */
sealed interface Op {

  /** The one-line readable form. */
  String render();

  /** Whether the op may run inside a {@link Concurrent} thread. */
  default boolean concurrentOk() {
    return true;
  }

  /** {@code registry.create(name, size)}. */
  record Create(String name, long size) implements Op {
    public Create {
      Objects.requireNonNull(name);
    }

    @Override
    public String render() {
      return "create " + name + " (" + size + " B)";
    }
  }

  /** {@code registry.delete(name)}. */
  record Delete(String name) implements Op {
    @Override
    public String render() {
      return "delete " + name;
    }
  }

  /** {@code registry.get(name)}, read as the engine's poll (ReplicaGet). */
  record Get(String name) implements Op {
    @Override
    public String render() {
      return "get " + name;
    }
  }

  /** {@code registry.snapshot(name, snapshot)} (issue 11). */
  record Snapshot(String name, String snapshot) implements Op {
    @Override
    public String render() {
      return "snapshot " + name + " " + snapshot;
    }
  }

  /** {@code registry.deleteSnapshot(name, snapshot)}. */
  record DeleteSnapshot(String name, String snapshot) implements Op {
    @Override
    public String render() {
      return "deleteSnapshot " + name + " " + snapshot;
    }
  }

  /** {@code registry.start(name)}. */
  record Start(String name) implements Op {
    @Override
    public String render() {
      return "start " + name;
    }
  }

  /** {@code registry.beginRebuild(name, size)}. */
  record BeginRebuild(String name, long size) implements Op {
    @Override
    public String render() {
      return "beginRebuild " + name + " (" + size + " B)";
    }
  }

  /** {@code registry.finishRebuild(name)}. */
  record FinishRebuild(String name) implements Op {
    @Override
    public String render() {
      return "finishRebuild " + name;
    }
  }

  /** {@code registry.abortRebuild(name)}. */
  record AbortRebuild(String name) implements Op {
    @Override
    public String render() {
      return "abortRebuild " + name;
    }
  }

  /** {@code registry.verify()}: one round. */
  record Verify() implements Op {
    @Override
    public String render() {
      return "verify";
    }
  }

  /** The next {@code count} store calls of kind {@code call} fail with {@code fault}. */
  record FailNext(Call call, Fault fault, int count) implements Op {
    /**
     * Not inside a thread: the sequential model follows the fault queue across a concurrent op
     * by counting the calls made, which needs the queue to be fixed while the threads run.
     */
    @Override
    public boolean concurrentOk() {
      return false;
    }

    @Override
    public String render() {
      return "fail next " + count + " " + call.name().toLowerCase(Locale.ROOT) + " call"
          + (count == 1 ? "" : "s") + " with " + fault;
    }
  }

  /** The head lvol of {@code name} disappears (disk loss). */
  record LoseLvol(String name) implements Op {
    @Override
    public String render() {
      return "lose lvol " + name;
    }
  }

  /** An lvol named {@code name} appears behind the registry's back, if there is none. */
  record PutOrphan(String name, long size) implements Op {
    @Override
    public String render() {
      return "put orphan lvol " + name + " (" + size + " B)";
    }
  }

  /** The store finishes the calls it started and left pending: they land, or are dropped. */
  record LateFinish(boolean apply) implements Op {
    @Override
    public String render() {
      return apply ? "pending store calls land" : "pending store calls are dropped";
    }
  }

  /** The next listing misses the lvol store (not loaded yet, renamed). */
  record HideLvstore() implements Op {
    @Override
    public String render() {
      return "next listing misses the lvol store";
    }
  }

  /** The next listing cannot read the entry of lvol {@code name}. */
  record Unreadable(String name) implements Op {
    @Override
    public String render() {
      return "next listing cannot read lvol " + name;
    }
  }

  /**
   * A restart while the old registry's operations are still running: the {@code old} ops run on
   * the old registry in one thread; the other thread closes it, opens a new registry over the same
   * store and runs the {@code fresh} ops there. {@code schedule} as for {@link Concurrent}.
   */
  record RestartDuring(List<Op> old, List<Op> fresh, long schedule) implements Op {
    public RestartDuring {
      old = List.copyOf(old);
      fresh = List.copyOf(fresh);
      for (Op op : old) {
        if (!op.concurrentOk()) {
          throw new IllegalArgumentException("not allowed in a thread: " + op);
        }
      }
      for (Op op : fresh) {
        if (!op.concurrentOk()) {
          throw new IllegalArgumentException("not allowed in a thread: " + op);
        }
      }
    }

    @Override
    public String render() {
      return "restart during [" + Concurrent.join(old) + "], then [" + Concurrent.join(fresh)
          + "], schedule 0x" + Long.toHexString(schedule);
    }

    @Override
    public boolean concurrentOk() {
      return false;
    }
  }

  /** The server restarts: the registry is closed, a new one opens over the same store. */
  record Restart() implements Op {
    @Override
    public String render() {
      return "restart";
    }

    @Override
    public boolean concurrentOk() {
      return false;
    }
  }

  /**
   * Two threads, each running its ops in order; at every step where both threads can go, bit
   * {@code i} of {@code schedule} (the i-th such choice; after 64 choices, alternating) says
   * which one takes the next step (0: left, 1: right).
   */
  record Concurrent(List<Op> left, List<Op> right, long schedule) implements Op {
    public Concurrent {
      left = List.copyOf(left);
      right = List.copyOf(right);
      for (Op op : left) {
        if (!op.concurrentOk()) {
          throw new IllegalArgumentException("not allowed in a thread: " + op);
        }
      }
      for (Op op : right) {
        if (!op.concurrentOk()) {
          throw new IllegalArgumentException("not allowed in a thread: " + op);
        }
      }
    }

    @Override
    public String render() {
      return "concurrently [" + join(left) + "] || [" + join(right) + "], schedule 0x"
          + Long.toHexString(schedule);
    }

    @Override
    public boolean concurrentOk() {
      return false;
    }

    static String join(List<Op> ops) {
      return ops.stream().map(Op::render).collect(Collectors.joining("; "));
    }
  }

  /** A numbered list, one op per line, as printed for failures. */
  static String renderAll(List<Op> ops) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ops.size(); i++) {
      sb.append(String.format(Locale.ROOT, "%3d. %s%n", i + 1, ops.get(i).render()));
    }
    return sb.toString();
  }
}
