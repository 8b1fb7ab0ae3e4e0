package dev.replicalifecycle.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample of nanosecond values. Not thread-safe. */
final class Percentiles {
  private long[] values = new long[1024];
  private int size;

  void add(long v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  /** Adds every value of this sample to {@code other}. */
  void copyInto(Percentiles other) {
    for (int i = 0; i < size; i++) {
      other.add(values[i]);
    }
  }

  int size() {
    return size;
  }

  /** The value at quantile {@code q} (0 &lt; q &le; 1), nearest rank; NaN if empty. */
  double at(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
  }

  double max() {
    return at(1.0);
  }

  double mean() {
    if (size == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (int i = 0; i < size; i++) {
      s += values[i];
    }
    return s / size;
  }

  /** How many values exceed {@code threshold}. */
  int countAbove(long threshold) {
    int c = 0;
    for (int i = 0; i < size; i++) {
      if (values[i] > threshold) {
        c++;
      }
    }
    return c;
  }
}
