package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.property.Op.Concurrent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta debugging (Zeller's ddmin) over an op list, then over the threads of each concurrent op:
 * the result still fails the same way and removing any single op makes it pass (1-minimal), up
 * to the determinism of the runs.
 */
final class Minimiser {
  private Minimiser() {}

  /** Schedules tried for a shrunk concurrent op whose old schedule no longer fails. */
  static final int RETRY_SCHEDULES = 64;
  /** Schedules tried, smallest first, to make a failing concurrent op's schedule readable. */
  static final int SIMPLE_SCHEDULES = 256;

  /** A failing sequence shrunk while {@code fails} holds; at most {@code maxRuns} test runs. */
  static List<Op> minimise(List<Op> failing, Predicate<List<Op>> fails, int maxRuns) {
    int[] budget = {maxRuns};
    Predicate<List<Op>> test =
        ops -> {
          if (budget[0] <= 0) {
            return false;
          }
          budget[0]--;
          return fails.test(ops);
        };
    List<Op> ops = ddmin(failing, test);
    // Then shrink inside concurrent ops (fewer ops per thread, or the threads run one after the
    // other), and run ddmin again after each success. Removing a step shifts the schedule's
    // choices, so a smaller concurrent op also gets a few other schedules.
    boolean progress = true;
    while (progress && budget[0] > 0) {
      progress = false;
      for (int i = 0; i < ops.size() && !progress; i++) {
        if (!(ops.get(i) instanceof Concurrent c)) {
          continue;
        }
        for (List<Op> candidate : smallerThan(ops, i, c)) {
          List<Op> found = withSomeSchedule(candidate, i, RETRY_SCHEDULES, test);
          if (found != null) {
            ops = ddmin(found, test);
            progress = true;
            break;
          }
        }
      }
    }
    // Last, the smallest schedule that still fails, for each concurrent op.
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i) instanceof Concurrent c) {
        for (long s = 0; s < SIMPLE_SCHEDULES && Long.compareUnsigned(s, c.schedule()) < 0; s++) {
          List<Op> candidate = new ArrayList<>(ops);
          candidate.set(i, new Concurrent(c.left(), c.right(), s));
          if (test.test(candidate)) {
            ops = candidate;
            break;
          }
        }
      }
    }
    return ops;
  }

  /**
   * {@code ops} if it fails; else, if op {@code i} is concurrent, {@code ops} with the first of
   * schedules {@code 0..tries-1} that fails; else null.
   */
  private static List<Op> withSomeSchedule(
      List<Op> ops, int i, int tries, Predicate<List<Op>> test) {
    if (test.test(ops)) {
      return ops;
    }
    if (i >= ops.size() || !(ops.get(i) instanceof Concurrent c)) {
      return null;
    }
    for (long s = 0; s < tries; s++) {
      if (s == c.schedule()) {
        continue;
      }
      List<Op> candidate = new ArrayList<>(ops);
      candidate.set(i, new Concurrent(c.left(), c.right(), s));
      if (test.test(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Variants of {@code ops} with the concurrent op at {@code i} made smaller. */
  private static List<List<Op>> smallerThan(List<Op> ops, int i, Concurrent c) {
    List<List<Op>> out = new ArrayList<>();
    // the whole concurrent op replaced by its threads run one after the other
    List<Op> seq = new ArrayList<>(ops.subList(0, i));
    seq.addAll(c.left());
    seq.addAll(c.right());
    seq.addAll(ops.subList(i + 1, ops.size()));
    out.add(seq);
    for (int side = 0; side < 2; side++) {
      List<Op> thread = side == 0 ? c.left() : c.right();
      if (thread.size() == 1) {
        continue;
      }
      for (int j = 0; j < thread.size(); j++) {
        List<Op> fewer = new ArrayList<>(thread);
        fewer.remove(j);
        Concurrent smaller =
            side == 0
                ? new Concurrent(fewer, c.right(), c.schedule())
                : new Concurrent(c.left(), fewer, c.schedule());
        List<Op> candidate = new ArrayList<>(ops);
        candidate.set(i, smaller);
        out.add(candidate);
      }
    }
    return out;
  }

  /** Zeller's ddmin: split into n chunks, try each chunk and each complement. */
  static <T> List<T> ddmin(List<T> input, Predicate<List<T>> fails) {
    List<T> current = new ArrayList<>(input);
    int n = 2;
    while (current.size() >= 2) {
      List<List<T>> chunks = split(current, n);
      boolean reduced = false;
      for (List<T> chunk : chunks) {
        if (fails.test(chunk)) {
          current = chunk;
          n = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced && n > 2) {
        for (int k = 0; k < chunks.size(); k++) {
          List<T> complement = new ArrayList<>();
          for (int j = 0; j < chunks.size(); j++) {
            if (j != k) {
              complement.addAll(chunks.get(j));
            }
          }
          if (fails.test(complement)) {
            current = complement;
            n = Math.max(n - 1, 2);
            reduced = true;
            break;
          }
        }
      }
      if (!reduced) {
        if (n >= current.size()) {
          break;
        }
        n = Math.min(current.size(), 2 * n);
      }
    }
    return current;
  }

  private static <T> List<List<T>> split(List<T> list, int n) {
    List<List<T>> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < n; i++) {
      int end = start + (list.size() - start) / (n - i);
      out.add(new ArrayList<>(list.subList(start, end)));
      start = end;
    }
    return out;
  }
}
