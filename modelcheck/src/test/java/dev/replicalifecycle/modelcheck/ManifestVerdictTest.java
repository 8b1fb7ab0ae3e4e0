package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks every model of {@code spec/manifest.json} against its expected verdict: the "small"
 * ones by default, all of them with {@code -Dmodelcheck.size=all} (the {@code deep} profile).
 * Writes {@code target/verdicts.json}, the traces and the HTML report
 * ({@code target/report/index.html}), prints the verdict matrix, and reports
 * one test per model. Skipped while the manifest does not exist.
 *
 * <p>System properties: {@code modelcheck.specDir}, {@code modelcheck.outDir},
 * {@code modelcheck.size} (small | deep | all), {@code modelcheck.workers},
 * {@code modelcheck.parallel}, {@code modelcheck.timeoutMinutes}.
 */
class ManifestVerdictTest {

    @TestFactory
    Stream<DynamicTest> everyManifestModelMatchesItsExpectedVerdict() {
        Path spec = Path.of(System.getProperty("modelcheck.specDir", "../spec")).toAbsolutePath().normalize();
        Path file = spec.resolve(Manifest.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return skipped("skipped: " + file + " does not exist yet (the spec author adds it)");
        }
        Manifest manifest = Manifest.load(file);
        String size = System.getProperty("modelcheck.size", ModelEntry.SMALL);
        List<ModelEntry> models = new ArrayList<>();
        for (ModelEntry m : manifest.models()) {
            if (size.equals("all") || size.equals(m.size())) {
                models.add(m);
            }
        }
        if (models.isEmpty()) {
            return skipped("skipped: the manifest has no model of size " + size);
        }

        ModelChecker checker = new ModelChecker(spec, TestPaths.outDir(),
                new TlcLauncher(System.getProperty("modelcheck.workers", TlcLauncher.PER_MODEL),
                        Duration.ofMinutes(Long.getLong("modelcheck.timeoutMinutes", 30))),
                Integer.getInteger("modelcheck.parallel", 1), System.out, Duration.ofSeconds(10));
        List<ModelResult> results = checker.run(models);
        Path verdicts = checker.writeVerdicts(results);
        System.out.println();
        System.out.print(ReportPrinter.matrix(models, results));
        System.out.println();
        System.out.print(ReportPrinter.table(results));
        System.out.println("verdicts: " + verdicts);
        System.out.println("report: " + checker.writeReport(models, results));

        return results.stream().map(r -> DynamicTest.dynamicTest(r.model(), () -> assertTrue(r.matches(),
                () -> r.model() + " does not match the manifest: " + String.join("; ", r.mismatches())
                        + (r.actual().failed() ? "\nTLC error:\n" + r.actual().message() : "")
                        + (r.trace() != null ? "\ntrace: " + TestPaths.outDir().resolve(r.trace()) : ""))));
    }

    /** One test that reports as skipped, so the reason shows in the build's test summary. */
    private static Stream<DynamicTest> skipped(String reason) {
        System.out.println("ManifestVerdictTest " + reason);
        return Stream.of(DynamicTest.dynamicTest("manifest", () -> assumeTrue(false, reason)));
    }
}
