package dev.replicalifecycle.bench;

import java.io.PrintStream;

/** The detail tables, one per benchmark, in Markdown. */
final class Report {
  private Report() {}

  static void details(
      PrintStream o,
      CreateLatency.Result r1,
      ChurnProgress.Result r2,
      VerifyScale.Result r3,
      Throughput.Result r4,
      ModelCheckCost.Result r5) {
    if (r1 != null) {
      var c = r1.config();
      o.printf(
          "### 1. Create latency (listing L = %d ms; %d creates/s, Poisson, from %d client threads; population %d;"
              + " verify gap %d ms; %d idle/verify blocks alternating, pooled)%n%n",
          c.listLatency().toMillis(), c.ratePerSecond(), c.clients(), c.population(), c.verifyGap().toMillis(),
          c.blocks());
      Table t =
          new Table(
              "variant", "store create", "verify", "creates", "p50 µs", "p99 µs", "p99.9 µs", "max µs",
              "> create+1 ms", "call alone p50 / p99 µs", "rounds", "mean round ms");
      for (CreateLatency.Row r : r1.rows()) {
        t.row(
            Registries.label(r.variant()),
            Table.num(r.createLatencyMs(), 0) + " ms",
            r.condition().equals("idle") ? "none" : "back to back",
            r.creates(),
            Table.sig(r.p50Us()),
            Table.sig(r.p99Us()),
            Table.sig(r.p999Us()),
            Table.sig(r.maxUs()),
            r.over1ms(),
            Table.sig(r.serviceP50Us()) + " / " + Table.sig(r.serviceP99Us()),
            r.rounds(),
            Table.sig(r.meanRoundMs()));
      }
      t.print(o);
      o.println(
          "Latency is from each create's intended (scheduled) start; \"call alone\" is from the moment"
              + " the client thread actually called create, so it leaves out the thread's wake-up"
              + " lateness and any wait behind the same client's previous create.");
      o.println();
    }
    if (r2 != null) {
      var c = r2.config();
      o.printf(
          "### 2. Verify progress under churn (listing L = %d ms, %d trials, cap %d rounds)%n%n",
          c.listLatency().toMillis(), c.trials(), c.roundCap());
      Table t =
          new Table(
              "variant", "R ops/s", "achieved ops/s", "detected", "rounds to detect", "median", "rounds not judging the victim",
              "mean round ms");
      for (ChurnProgress.Row r : r2.rows()) {
        t.row(
            Registries.label(r.variant()),
            r.ratePerSecond(),
            Table.num(r.achievedRate(), 0),
            r.detected() + "/" + r.trials(),
            r.roundsToDetect().toString(),
            r.medianRounds() < 0 ? "> " + r.roundCap() : String.valueOf(r.medianRounds()),
            r.skippedRounds() + "/" + r.totalRounds(),
            Table.sig(r.meanRoundMs()));
      }
      t.print(o);
    }
    if (r3 != null) {
      o.println("### 3. Verify round cost, instant store (listing excluded)");
      o.println();
      o.println(
          "\"sorted names (listener only)\": a TreeSet of every name, timed alone on the same names. A round"
              + " builds it only when a StepListener is attached (it then visits names in order); the"
              + " rounds measured here have none, so it is not part of their time. \"bare map pass\": a"
              + " reference, not part of the round: one pass over a ConcurrentHashMap of the names with a"
              + " HashMap lookup and a no-op computeIfPresent per name (the least a per-name round touches).");
      o.println();
      Table t =
          new Table(
              "replicas", "CPU ms/round (median)", "sorted names (listener only)", "CPU ns/replica", "alloc B/round",
              "alloc B/replica", "wall ms (median)", "rounds", "in-memory listing ms", "bare map pass ms",
              "bare map pass ns/name");
      for (VerifyScale.ProbeRow r : r3.probe()) {
        t.row(
            r.replicas(),
            Table.sig(r.cpuMsMedian()),
            Table.sig(r.nameOrderingCpuMsMedian()),
            Table.sig(r.cpuNsPerReplica()),
            Table.sig(r.allocBytesMedian()),
            Table.sig(r.allocBytesPerReplica()),
            Table.sig(r.wallMsMedian()),
            r.rounds(),
            Table.sig(r.inMemoryListingMsMedian()),
            Table.sig(r.mapPassCpuMsMedian()),
            Table.sig(r.mapPassCpuMsMedian() * 1e6 / r.replicas()));
      }
      t.print(o);
      if (!r3.jmh().isEmpty()) {
        o.println("JMH (" + r3.config().jmh() + ", -prof gc):");
        o.println();
        Table j =
            new Table(
                "replicas", "verify ms/round", "±", "sorted names ms (listener only)", "ns/replica", "alloc B/round",
                "alloc B/replica", "in-memory listing ms");
        for (VerifyScale.JmhRow r : r3.jmh()) {
          j.row(
              r.replicas(),
              Table.sig(r.verifyMs()),
              Table.sig(r.verifyMsError()),
              Table.sig(r.nameOrderingMs()),
              Table.sig(r.nsPerReplica()),
              Table.sig(r.allocBytesPerRound()),
              Table.sig(r.allocBytesPerReplica()),
              Table.sig(r.inMemoryListingMs()));
        }
        j.print(o);
      }
    }
    if (r4 != null) {
      o.println("### 4. Create+delete pairs per second (JMH, " + r4.config().jmh() + ")");
      o.println();
      Table t =
          new Table(
              "threads", "CHM pairs/s", "V4 pairs/s (no-op store)", "V4 / CHM", "V4 pairs/s (in-memory store)",
              "/ CHM", "V4 B/pair", "CHM B/pair");
      for (Throughput.Row r : r4.rows()) {
        t.row(
            r.threads(),
            Table.sig(r.chm()) + " ± " + Table.sig(r.chmError()),
            Table.sig(r.v4()) + " ± " + Table.sig(r.v4Error()),
            Table.num(100 * r.v4OverChm(), 1) + " %",
            Table.sig(r.v4InMemory()) + " ± " + Table.sig(r.v4InMemoryError()),
            Table.num(100 * r.v4InMemoryOverChm(), 1) + " %",
            Table.sig(r.v4AllocBytesPerPair()),
            Table.sig(r.chmAllocBytesPerPair()));
      }
      t.print(o);
    }
    if (r5 != null) {
      o.println("### 5. Model checking cost");
      o.println();
      o.println("Manifest models: " + r5.manifestNote() + ".");
      o.println(
          "Wall s is the TLC child JVM's, start-up and parsing (a few seconds) included, so distinct/s"
              + " of the small models mostly measures start-up; workers as the modelcheck command's"
              + " per-model default (1 for models expected to fail, auto otherwise).");
      o.println();
      if (!r5.manifest().isEmpty()) {
        Table t =
            new Table(
                "model", "size", "expected", "actual", "distinct", "generated", "depth", "wall s",
                "distinct/s", "generated/s", "workers");
        for (ModelCheckCost.ManifestRow m : r5.manifest()) {
          t.row(
              m.model(),
              m.size(),
              m.expected(),
              m.actual() + (m.matches() ? "" : " (≠ manifest)"),
              m.distinctStates(),
              m.statesGenerated(),
              m.depth(),
              m.seconds() == null ? "" : Table.num(m.seconds(), 1),
              Table.sig(m.distinctPerSecond()),
              Table.sig(m.generatedPerSecond()),
              m.workers());
        }
        t.print(o);
      }
      o.println(
          "V4 state space by number of names (model "
              + r5.scalingModel()
              + " with Names and SYMMETRY changed; TLC -workers auto):");
      o.println();
      Table s =
          new Table("names", "symmetry", "result", "distinct", "generated", "depth", "wall s", "TLC s", "distinct/s");
      for (ModelCheckCost.ScalingRow r : r5.scaling()) {
        boolean capped = !r.result().equals("ok");
        s.row(
            r.names(),
            r.symmetry() ? "yes" : "no",
            r.result(),
            r.distinctStates() == null ? "" : (capped ? "≥ " : "") + r.distinctStates(),
            r.statesGenerated() == null ? "" : (capped ? "≥ " : "") + r.statesGenerated(),
            r.depth() == null ? "" : (capped ? "≥ " : "") + r.depth(),
            Table.num(r.wallSeconds(), 1),
            r.tlcMillis() == null ? "" : Table.num(r.tlcMillis() / 1e3, 1),
            Table.sig(r.distinctPerSecond()));
      }
      s.print(o);
      o.println(
          "Rows \"> cap\": the run was killed at the cap; counts (≥) are from TLC's last progress"
              + " report, which TLC 2.18 prints once a minute, so they are lower bounds, often far below.");
      o.println();
    }
  }
}
