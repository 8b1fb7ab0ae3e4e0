package dev.replicalifecycle.modelcheck;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Command line: checks the manifest's models with TLC, prints a verdict matrix and a per-model
 * table, writes {@code verdicts.json}, the counterexample traces and the HTML report
 * ({@code report/index.html}). Run with
 * {@code mvn -B -q -pl modelcheck compile exec:java -Dexec.args="--size small"}; see
 * {@code modelcheck/README.md}.
 *
 * <p>Exit code 0 if every model matches the manifest, 1 on a mismatch or error, 2 on a usage
 * error. Under {@code exec:java} (system property {@code modelcheck.noExit=true}, set by the
 * module's pom) a non-zero result is thrown as an exception instead, so that Maven reports a
 * failed build rather than being ended by {@code System.exit}.
 *
 * <p>Stateless: {@link #run} may be called repeatedly and from several threads, though
 * concurrent runs with the same output directory overwrite each other's files.
 */
public final class ModelCheckMain {

    private ModelCheckMain() {
    }

    /**
     * Entry point.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            if (Boolean.getBoolean("modelcheck.noExit")) {
                throw new IllegalStateException("model check failed with exit code " + code
                        + (code == 2 ? " (usage error)" : " (a model does not match the manifest)"));
            }
            System.exit(code);
        }
    }

    /**
     * Runs the command without exiting.
     *
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CliOptions opts;
        Manifest manifest;
        List<ModelEntry> models;
        try {
            opts = CliOptions.parse(args);
            if (opts.help()) {
                out.println(CliOptions.USAGE);
                return 0;
            }
            manifest = Manifest.load(opts.specDir().resolve(Manifest.FILE_NAME));
            models = opts.select(manifest);
        } catch (CliOptions.UsageException | ManifestException e) {
            err.println("error: " + e.getMessage());
            err.println(CliOptions.USAGE);
            return 2;
        }
        if (models.isEmpty()) {
            err.println("error: no model selected (--size " + opts.size() + ", --models " + opts.models() + ")");
            return 2;
        }
        Path spec = opts.specDir().toAbsolutePath().normalize();
        if (opts.distributed() != null) {
            List<String> liveness = livenessModels(spec, models);
            if (!liveness.isEmpty()) {
                err.println("error: --distributed checks safety only (TLC's distributed mode does not check temporal"
                        + " properties), and these selected models check one: " + String.join(", ", liveness)
                        + "; select safety models with --models");
                return 2;
            }
            List<String> failing = models.stream().filter(m -> m.expected().violated()).map(ModelEntry::model).toList();
            if (!failing.isEmpty()) {
                err.println("error: --distributed is for models expected to hold: TLC 2.18's distributed mode prints"
                        + " neither the violated invariant nor the whole counterexample, so a violation could not be"
                        + " matched or exported; these selected models are expected to fail: "
                        + String.join(", ", failing) + "; check them in one JVM (leave out --distributed)");
                return 2;
            }
        }
        out.println("model checking " + models.size() + " of " + manifest.models().size() + " models in " + spec
                + (opts.distributed() == null
                        ? " (workers " + opts.workers() + ", " + opts.parallel() + " at a time, timeout "
                        : " (distributed: a TLCServer and " + opts.distributed().localWorkers()
                                + " local TLCWorkers of one thread each, one model at a time, timeout ")
                + opts.timeout().toSeconds() + " s)");
        ModelChecker checker = new ModelChecker(spec, opts.outDir(),
                new TlcLauncher(opts.workers(), opts.timeout(), opts.distributed()),
                opts.parallel(), out, Duration.ofSeconds(10));
        List<ModelResult> results = checker.run(models);
        Path verdicts = checker.writeVerdicts(results);
        out.println();
        out.println("VERDICT MATRIX");
        out.print(ReportPrinter.matrix(models, results));
        out.println();
        out.print(ReportPrinter.table(results));
        out.println("verdicts: " + verdicts);
        out.println("report: " + checker.writeReport(models, results));
        return results.stream().allMatch(ModelResult::matches) ? 0 : 1;
    }

    /** @return the models whose cfg checks a temporal property (an unreadable cfg counts as none: the run reports it) */
    static List<String> livenessModels(Path spec, List<ModelEntry> models) {
        List<String> out = new java.util.ArrayList<>();
        for (ModelEntry m : models) {
            try {
                if (!TlcConfig.read(spec.resolve(m.config())).properties().isEmpty()) {
                    out.add(m.model());
                }
            } catch (RuntimeException e) {
                // reported as that model's error by the run
            }
        }
        return out;
    }
}
