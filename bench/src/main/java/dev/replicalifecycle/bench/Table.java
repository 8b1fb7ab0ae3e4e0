package dev.replicalifecycle.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Markdown table, printed with aligned columns (pastes straight into a README). */
final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c == null ? "" : c.toString());
    }
    rows.add(r);
    return this;
  }

  void print(PrintStream out) {
    int[] w = new int[headers.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(3, headers.get(i).length());
      for (List<String> r : rows) {
        if (i < r.size()) {
          w[i] = Math.max(w[i], r.get(i).length());
        }
      }
    }
    out.println(line(headers, w));
    StringBuilder sep = new StringBuilder("|");
    for (int x : w) {
      sep.append('-').append("-".repeat(x)).append("-|");
    }
    out.println(sep);
    for (List<String> r : rows) {
      out.println(line(r, w));
    }
    out.println();
  }

  private static String line(List<String> cells, int[] w) {
    StringBuilder b = new StringBuilder("|");
    for (int i = 0; i < w.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      b.append(' ').append(c).append(" ".repeat(w[i] - c.length())).append(" |");
    }
    return b.toString();
  }

  /** {@code v} with {@code digits} decimals, or "n/a" for NaN/infinite values. */
  static String num(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  /** {@code v} with 3 significant digits (for values from 0.001 to millions). */
  static String sig(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
