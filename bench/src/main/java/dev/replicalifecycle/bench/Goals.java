package dev.replicalifecycle.bench;

import java.util.ArrayList;
import java.util.List;

/** The ratios the issue asks for, each against its goal (or informational, {@code met == null}). */
final class Goals {
  private Goals() {}

  /**
   * One line of the summary.
   *
   * @param met {@code true}/{@code false} against the goal; {@code null} if informational
   */
  record Goal(String bench, String metric, double value, String shown, String goal, Boolean met, String note) {}

  static List<Goal> evaluate(
      CreateLatency.Result r1,
      ChurnProgress.Result r2,
      VerifyScale.Result r3,
      Throughput.Result r4,
      ModelCheckCost.Result r5) {
    List<Goal> g = new ArrayList<>();
    if (r1 != null) {
      for (var cl : r1.config().createLatencies()) {
        double ms = cl.toNanos() / 1e6;
        String at = "store create " + Table.num(ms, 0) + " ms";
        CreateLatency.Row v4i = r1.find("V4", ms, "idle");
        CreateLatency.Row v4v = r1.find("V4", ms, "verify");
        CreateLatency.Row v1i = r1.find("V1", ms, "idle");
        CreateLatency.Row v1v = r1.find("V1", ms, "verify");
        if (v4i != null && v4v != null) {
          double x = v4v.p99Us() / v4i.p99Us();
          g.add(
              new Goal(
                  "1",
                  "V4 create p99 under back-to-back verify / V4 idle p99 (" + at + ")",
                  x,
                  Table.num(x, 2) + "× (" + Table.sig(v4v.p99Us()) + " / " + Table.sig(v4i.p99Us()) + " µs)",
                  "≤ 1.5×",
                  x <= 1.5,
                  null));
        }
        if (v4v != null && v1v != null) {
          double x = v1v.p99Us() / v4v.p99Us();
          g.add(
              new Goal(
                  "1",
                  "locked verify (V1) p99 / V4 p99, both under verify (" + at + ")",
                  x,
                  Table.sig(x) + "× (" + Table.sig(v1v.p99Us() / 1e3) + " ms / " + Table.sig(v4v.p99Us()) + " µs)",
                  "≥ 10×",
                  x >= 10,
                  null));
        }
        if (v1i != null && v1v != null) {
          double x = v1v.p99Us() / v1i.p99Us();
          g.add(
              new Goal(
                  "1",
                  "V1 create p99 under verify / V1 idle p99 (" + at + ")",
                  x,
                  Table.sig(x) + "×",
                  "(info)",
                  null,
                  null));
        }
      }
    }
    if (r2 != null) {
      int worstV4 = 0;
      boolean allV4 = true;
      for (ChurnProgress.Row r : r2.rows()) {
        if (r.variant().equals("V4")) {
          allV4 &= r.detected() == r.trials();
          for (int x : r.roundsToDetect()) {
            worstV4 = Math.max(worstV4, x);
          }
        }
      }
      g.add(
          new Goal(
              "2",
              "V4 rounds until the lost lvol is marked error, worst trial over all churn rates",
              allV4 ? worstV4 : Double.NaN,
              allV4 ? String.valueOf(worstV4) : "not detected in some trial",
              "= 1",
              allV4 && worstV4 == 1,
              null));
      for (ChurnProgress.Row r : r2.rows()) {
        if (r.variant().equals("V4")) {
          continue;
        }
        String shown =
            r.detected()
                + "/"
                + r.trials()
                + " detected, median "
                + (r.medianRounds() < 0 ? "> " + r.roundCap() : String.valueOf(r.medianRounds()))
                + " rounds; "
                + r.skippedRounds()
                + "/"
                + r.totalRounds()
                + " rounds skipped";
        g.add(
            new Goal(
                "2",
                r.variant() + " at R = " + r.ratePerSecond() + " ops/s (cap " + r.roundCap() + " rounds)",
                r.medianRounds(),
                shown,
                "(info)",
                null,
                null));
      }
    }
    if (r3 != null && !r3.probe().isEmpty()) {
      VerifyScale.ProbeRow small = r3.probe().get(0);
      VerifyScale.ProbeRow big = r3.probe().get(r3.probe().size() - 1);
      VerifyScale.JmhRow jbig = r3.jmh().isEmpty() ? null : r3.jmh().get(r3.jmh().size() - 1);
      g.add(
          new Goal(
              "3",
              "V4 verify round CPU beyond the listing, " + big.replicas() + " replicas (probe median)",
              big.cpuMsMedian(),
              Table.sig(big.cpuMsMedian())
                  + " ms"
                  + (jbig == null ? "" : " (JMH mean wall " + Table.sig(jbig.verifyMs()) + " ms)"),
              "≤ 50 ms",
              big.cpuMsMedian() <= 50,
              null));
      double growth = big.cpuNsPerReplica() / small.cpuNsPerReplica();
      g.add(
          new Goal(
              "3",
              "CPU per replica at " + big.replicas() + " / at " + small.replicas() + " (linear = 1)",
              growth,
              Table.num(growth, 2) + "× (" + Table.sig(big.cpuNsPerReplica()) + " / " + Table.sig(small.cpuNsPerReplica()) + " ns)",
              "≤ 2× (≈ linear)",
              growth <= 2,
              null));
      double passGrowth =
          (big.mapPassCpuMsMedian() / big.replicas()) / (small.mapPassCpuMsMedian() / small.replicas());
      g.add(
          new Goal(
              "3",
              "reference: bare map pass, CPU per name at " + big.replicas() + " / at " + small.replicas(),
              passGrowth,
              Table.num(passGrowth, 2) + "× ("
                  + Table.sig(big.mapPassCpuMsMedian() * 1e6 / big.replicas()) + " / "
                  + Table.sig(small.mapPassCpuMsMedian() * 1e6 / small.replicas()) + " ns)",
              "(info)",
              null,
              null));
      g.add(
          new Goal(
              "3",
              "allocation per replica per round, " + big.replicas() + " replicas",
              big.allocBytesPerReplica(),
              Table.sig(big.allocBytesPerReplica()) + " B",
              "(info)",
              null,
              null));
    }
    if (r4 != null) {
      for (Throughput.Row r : r4.rows()) {
        g.add(
            new Goal(
                "4",
                "V4 create+delete pairs/s / ConcurrentHashMap pairs/s, " + r.threads() + " thread(s), no-op store",
                r.v4OverChm(),
                Table.num(100 * r.v4OverChm(), 1) + " % (" + Table.sig(r.v4()) + " / " + Table.sig(r.chm()) + ")",
                "≥ 50 %",
                r.v4OverChm() >= 0.5,
                null));
        g.add(
            new Goal(
                "4",
                "same with the in-memory store, " + r.threads() + " thread(s)",
                r.v4InMemoryOverChm(),
                Table.num(100 * r.v4InMemoryOverChm(), 1) + " %",
                "(info)",
                null,
                null));
      }
      if (r4.rows().size() >= 2) {
        Throughput.Row a = r4.rows().get(0);
        Throughput.Row b = r4.rows().get(r4.rows().size() - 1);
        g.add(
            new Goal(
                "4",
                "scaling " + a.threads() + " → " + b.threads() + " threads: V4 / CHM",
                b.v4() / a.v4(),
                Table.num(b.v4() / a.v4(), 2) + "× / " + Table.num(b.chm() / a.chm(), 2) + "×",
                "(info)",
                null,
                null));
      }
    }
    if (r5 != null) {
      for (boolean sym : List.of(true, false)) {
        ModelCheckCost.ScalingRow prev = null;
        for (ModelCheckCost.ScalingRow r : r5.scaling()) {
          if (r.symmetry() != sym) {
            continue;
          }
          if (prev != null) {
            boolean both = prev.result().equals("ok") && r.result().equals("ok");
            double x = both ? (double) r.distinctStates() / prev.distinctStates() : Double.NaN;
            g.add(
                new Goal(
                    "5",
                    "V4 distinct states, " + r.names() + " names / " + prev.names() + (sym ? " (symmetry)" : " (no symmetry)"),
                    x,
                    both ? Table.sig(x) + "×" : (r.result().equals("ok") ? "n/a" : r.names() + " names: " + r.result()),
                    "(info)",
                    null,
                    null));
          }
          prev = r;
        }
      }
      for (int n : r5.config().namesWithoutSymmetry()) {
        ModelCheckCost.ScalingRow s = r5.find(n, true);
        ModelCheckCost.ScalingRow ns = r5.find(n, false);
        if (s != null && ns != null && s.result().equals("ok") && ns.result().equals("ok")) {
          double x = (double) ns.distinctStates() / s.distinctStates();
          g.add(new Goal("5", "symmetry reduction at " + n + " name(s): states without / with", x, Table.sig(x) + "×", "(info)", null, null));
        }
      }
      double total = 0;
      int count = 0;
      for (ModelCheckCost.ManifestRow m : r5.manifest()) {
        if (m.seconds() != null) {
          total += m.seconds();
          count++;
        }
      }
      if (count > 0) {
        g.add(new Goal("5", "manifest models: TLC wall time, all " + count + " models", total, Table.num(total, 0) + " s", "(info)", null, null));
      }
    }
    return g;
  }

  static Table table(List<Goal> goals) {
    Table t = new Table("#", "metric", "value", "goal", "met");
    for (Goal g : goals) {
      t.row(g.bench(), g.metric(), g.shown(), g.goal(), g.met() == null ? "" : g.met() ? "yes" : "**no**");
    }
    return t;
  }
}
