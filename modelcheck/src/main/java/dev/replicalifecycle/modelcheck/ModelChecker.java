package dev.replicalifecycle.modelcheck;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks manifest models: for each, runs TLC through a {@link TlcLauncher}, compares the
 * outcome with the manifest, writes the counterexample under {@code <out>/traces/} and
 * returns a {@link ModelResult}. Prints one line when a model starts and ends, and every
 * {@code heartbeat} the latest progress of each model still running.
 *
 * <p>Thread-safe; {@link #run} may check up to {@code parallel} models at once, each in its own
 * child JVM and run directory ({@code <out>/tlc/<model>/}).
 */
final class ModelChecker {

    private static final Pattern PROGRESS = Pattern.compile(
            "Progress\\((\\d+)\\) at .*?: ([\\d,]+) states generated(?: \\(([\\d,]+) s/min\\))?, "
                    + "([\\d,]+) distinct states found(?: \\(([\\d,]+) ds/min\\))?, ([\\d,]+) states left on queue");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path specDir;
    private final Path outDir;
    private final TlcLauncher launcher;
    private final int parallel;
    private final PrintStream log;
    private final Duration heartbeat;

    ModelChecker(Path specDir, Path outDir, TlcLauncher launcher, int parallel, PrintStream log, Duration heartbeat) {
        this.specDir = specDir.toAbsolutePath().normalize();
        this.outDir = outDir.toAbsolutePath().normalize();
        this.launcher = launcher;
        this.parallel = Math.max(1, parallel);
        this.log = log;
        this.heartbeat = heartbeat;
    }

    /** Latest TLC progress of a running model. */
    private static final class Running {
        final long startNanos = System.nanoTime();
        volatile String progress;
        volatile long progressNanos;

        String describe(long now) {
            String p = progress;
            return p == null ? "no progress report from TLC yet"
                    : p + " (TLC's report of " + (now - progressNanos) / 1_000_000_000L + " s ago)";
        }
    }

    /**
     * Checks the models, at most {@code parallel} at a time.
     *
     * @param models the models
     * @return one result per model, in the given order
     */
    List<ModelResult> run(List<ModelEntry> models) {
        Map<String, Running> running = new ConcurrentHashMap<>();
        AtomicInteger started = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, daemon("modelcheck-worker"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("modelcheck-progress"));
        long period = Math.max(1, heartbeat.toMillis());
        ticker.scheduleAtFixedRate(() -> running.forEach((name, r) -> {
            long now = System.nanoTime();
            long millis = (now - r.startNanos) / 1_000_000L;
            if (millis + 500 >= period) {
                say("    " + name + ": " + Math.round(millis / 1000.0) + " s, " + r.describe(now));
            }
        }), period, period, TimeUnit.MILLISECONDS);
        try {
            List<Future<ModelResult>> futures = new ArrayList<>();
            for (ModelEntry m : models) {
                futures.add(pool.submit(() -> {
                    int n = started.incrementAndGet();
                    say("[" + n + "/" + models.size() + "] " + m.model() + ": TLC " + m.module() + " -config "
                            + m.config() + " (" + m.size() + ")");
                    Running r = new Running();
                    running.put(m.model(), r);
                    try {
                        ModelResult res = check(m, line -> onLine(r, line));
                        say("[" + n + "/" + models.size() + "] " + m.model() + ": " + res.actual().brief()
                                + (res.matches() ? " (as expected)" : " MISMATCH") + String.format(" in %.1f s", res.seconds()));
                        return res;
                    } finally {
                        running.remove(m.model());
                    }
                }));
            }
            List<ModelResult> results = new ArrayList<>();
            for (Future<ModelResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        } finally {
            ticker.shutdownNow();
            pool.shutdownNow();
        }
    }

    private static void onLine(Running r, String line) {
        Matcher m = PROGRESS.matcher(line);
        if (m.find()) {
            r.progressNanos = System.nanoTime();
            r.progress = m.group(4) + " distinct states, " + m.group(6) + " on queue, depth " + m.group(1)
                    + (m.group(5) != null ? ", " + m.group(5) + " distinct/min" : "");
        }
    }

    /**
     * Checks one model (no progress output).
     *
     * @param m the model
     * @return its result
     */
    ModelResult check(ModelEntry m) {
        return check(m, line -> { });
    }

    private ModelResult check(ModelEntry m, java.util.function.Consumer<String> onLine) {
        Path cfg = specDir.resolve(m.config());
        Path tla = specDir.resolve(m.module() + ".tla");
        String problem = null;
        if (!Files.isRegularFile(tla)) {
            problem = "module file " + tla + " does not exist";
        } else if (!Files.isRegularFile(cfg)) {
            problem = "config file " + cfg + " does not exist";
        } else {
            TlcConfig config = TlcConfig.read(cfg);
            List<String> unchecked = new ArrayList<>();
            for (String p : m.properties()) {
                if (!config.checks(p)) {
                    unchecked.add(p);
                }
            }
            if (!unchecked.isEmpty()) {
                problem = "manifest lists " + unchecked + " but " + m.config()
                        + " checks none of them (INVARIANT/PROPERTY, or Deadlock)";
            }
            if (problem == null) {
                return checkWithTlc(m, config, onLine);
            }
        }
        TlcReport report = new TlcReport(-1, Outcome.error(problem), null, null, null, null, List.of(), null, false, null, null);
        return result(m, report, 0, null);
    }

    private ModelResult checkWithTlc(ModelEntry m, TlcConfig config, java.util.function.Consumer<String> onLine) {
        Path runDir = outDir.resolve("tlc").resolve(m.model());
        Path traces = outDir.resolve("traces");
        try {
            // a trace left by an earlier run of this model must not outlive a run that has none
            Files.deleteIfExists(traces.resolve(m.model() + ".itf.json"));
            Files.deleteIfExists(traces.resolve(m.model() + ".steps.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean shortRun = m.expected().violated()
                || (m.distinctStates() != null && m.distinctStates() < TlcLauncher.SHORT_RUN_STATES);
        TlcLauncher.TlcRun run = launcher.run(specDir, m.module(), m.config(), runDir, onLine,
                m.expected().violated(), shortRun);
        TlcReport report;
        if (run.timedOut()) {
            report = new TlcReport(-1, Outcome.error("TLC timed out after " + Math.round(run.seconds())
                    + " s and was killed (output so far: " + runDir.resolve("tlc.out") + ")"),
                    null, null, null, null, List.of(), null, false, null, null);
        } else {
            report = TlcReport.analyze(TlcOutput.parse(run.stdout()), run.exitCode(), config, run.stderr());
            if (launcher.distributed() != null) {
                report = report.withWorkers(TlcReport.DISTRIBUTED_WORKERS);
            }
        }
        String trace = null;
        // distributed TLC prints only the last states of a counterexample: not a trace to export
        if (!report.trace().isEmpty() && launcher.distributed() == null) {
            try {
                Path itf = TraceExporter.write(traces, m, report);
                trace = outDir.relativize(itf).toString().replace('\\', '/');
            } catch (RuntimeException e) {
                say("    " + m.model() + ": could not write the trace: " + e.getMessage());
            }
        }
        return result(m, report, run.seconds(), trace);
    }

    private static ModelResult result(ModelEntry m, TlcReport r, double seconds, String trace) {
        List<String> mismatches = ModelResult.compare(m, r);
        Integer length = r.trace().isEmpty() ? null : r.trace().size();
        return new ModelResult(m.model(), m.variant(), m.mutant(), m.size(), m.expected(), r.outcome(),
                mismatches.isEmpty(), mismatches, m.distinctStates(), m.depth(), r.distinctStates(),
                r.statesGenerated(), r.depth(), Math.round(seconds * 10) / 10.0, length, trace);
    }

    /**
     * Writes {@code verdicts.json} into the output directory.
     *
     * @param results the results
     * @return the file
     */
    Path writeVerdicts(List<ModelResult> results) {
        ObjectNode root = JSON.createObjectNode();
        root.put("specDir", specDir.toString());
        root.put("allMatch", results.stream().allMatch(ModelResult::matches));
        ArrayNode arr = root.putArray("models");
        results.forEach(r -> arr.add(JSON.valueToTree(r)));
        Path file = outDir.resolve("verdicts.json");
        try {
            Files.createDirectories(outDir);
            JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /**
     * Writes the HTML report, {@code report/index.html} and a page per counterexample, into the
     * output directory (see {@link HtmlReport}). The pages link to the conformance module's
     * README when it sits next to the spec directory.
     *
     * @param models  the models checked
     * @param results their results
     * @return {@code report/index.html}
     */
    Path writeReport(List<ModelEntry> models, List<ModelResult> results) {
        Path readme = specDir.getParent() == null ? null : specDir.getParent().resolve("conformance").resolve("README.md");
        return new HtmlReport(outDir, readme != null && Files.isRegularFile(readme) ? readme : null).write(models, results);
    }

    private void say(String line) {
        synchronized (log) {
            log.println(line);
            log.flush();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
