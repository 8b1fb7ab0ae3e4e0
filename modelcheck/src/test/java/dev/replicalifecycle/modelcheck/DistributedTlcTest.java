package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLC's own distributed mode ({@code --distributed N}): a TLCServer and N local TLCWorker
 * processes per model. A deep safety model of the project's spec must give the distinct-state
 * count of one TLC JVM (the manifest's, which a one-worker run produced); a planted violation or a
 * wrong count must be a mismatch; liveness models are refused, since distributed TLC does not
 * check them, and so are models expected to fail, since it names no violated invariant.
 */
class DistributedTlcTest extends CommandLineTestBase {

    /** A deep safety model of the project small enough for every build: 112,874 distinct states. */
    static final String DEEP_SAFETY_MODEL = "V1_SpdkEnv_Safety";

    @Test
    void aDeepSafetyModelWithTwoLocalWorkersFindsTheSingleJvmStateCount(@TempDir Path dir) throws IOException {
        Path spec = Path.of(System.getProperty("modelcheck.specDir", "../spec")).toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(spec.resolve(Manifest.FILE_NAME)), "no manifest at " + spec);
        int code = run("--spec-dir", spec.toString(), "--models", DEEP_SAFETY_MODEL, "--size", "all",
                "--distributed", "2", "--timeout", "10m", "--out", dir.toString());
        assertEquals(0, code, out + err);
        assertTrue(out.contains("a TLCServer and 2 local TLCWorkers"), out);
        JsonNode r = new ObjectMapper().readTree(dir.resolve("verdicts.json").toFile()).path("models").get(0);
        long expected = Manifest.load(spec.resolve(Manifest.FILE_NAME)).models().stream()
                .filter(m -> m.model().equals(DEEP_SAFETY_MODEL)).findFirst().orElseThrow().distinctStates();
        assertEquals(expected, r.path("distinctStates").asLong(), "distinct states, 2 workers vs one JVM");
        assertTrue(r.path("matches").asBoolean(), r.toString());
        // both workers computed states: each one's output says how many
        for (int i = 1; i <= 2; i++) {
            String w = Files.readString(dir.resolve("tlc").resolve(DEEP_SAFETY_MODEL).resolve("worker-" + i + ".out"));
            assertTrue(w.contains("work completed"), "worker " + i + ": " + w);
        }
        System.out.println("DistributedTlc: " + DEEP_SAFETY_MODEL + " with 2 local workers: "
                + r.path("distinctStates").asLong() + " distinct states in " + r.path("seconds").asDouble() + " s");
    }

    @Test
    void aModelThatHoldsMatchesAndAPlantedViolationOrWrongCountIsAMismatch(@TempDir Path dir) throws IOException {
        Path spec = TestPaths.copyToySpec(dir);
        // Counter_Success and Counter_View hold (CHECK_DEADLOCK FALSE: the counter stops at Max)
        assertEquals(0, run("--spec-dir", spec.toString(), "--models", "Counter_Success,Counter_View",
                "--distributed", "1", "--timeout", "5m", "--out", dir.resolve("out").toString()), out + err);
        assertTrue(out.contains("2 of 2 models match the manifest"), out);

        String manifest = Files.readString(spec.resolve("manifest.json"));
        Files.writeString(spec.resolve("manifest.json"), manifest.replace("\"distinctStates\": 13", "\"distinctStates\": 14"));
        assertEquals(1, run("--spec-dir", spec.toString(), "--models", "Counter_Success", "--distributed", "1",
                "--out", dir.resolve("out2").toString()));
        assertTrue(out.contains("expected 14 distinct states but TLC found 13"), out);

        // planted: Counter_Safety's cfg (its invariant Small fails) under a manifest that expects it to hold
        String planted = manifest.replace(
                "\"expected\": { \"result\": \"violation\", \"property\": \"Small\", \"kind\": \"safety\" },\n"
                        + "      \"distinctStates\": null, \"depth\": null",
                "\"expected\": { \"result\": \"success\" }, \"distinctStates\": 13, \"depth\": 4");
        assertTrue(!planted.equals(manifest), "the toy manifest changed: the planted edit no longer applies");
        Files.writeString(spec.resolve("manifest.json"), planted);
        assertEquals(1, run("--spec-dir", spec.toString(), "--models", "Counter_Safety", "--distributed", "1",
                "--out", dir.resolve("out3").toString()));
        assertTrue(out.contains("MISMATCH Counter_Safety: expected success"), out);
    }

    @Test
    void livenessModelsAndConflictingOptionsAreRefused() {
        String spec = TestPaths.toySpecDir().toString();
        assertEquals(2, run("--spec-dir", spec, "--models", "Counter_Safety,Cycle_Stutter", "--distributed", "2"));
        assertTrue(err.contains("--distributed checks safety only") && err.contains("Cycle_Stutter")
                && !err.contains("Counter_Safety,"), err);
        assertEquals(2, run("--spec-dir", spec, "--models", "Counter_Success,Counter_Safety", "--distributed", "1"));
        assertTrue(err.contains("expected to fail: Counter_Safety"), err);
        assertEquals(2, run("--spec-dir", spec, "--distributed", "2", "--parallel", "2"));
        assertTrue(err.contains("one model at a time"), err);
        assertEquals(2, run("--spec-dir", spec, "--distributed", "2", "--workers", "2"));
        assertEquals(2, run("--spec-dir", spec, "--distributed", "-1"));
        assertEquals(2, run("--spec-dir", spec, "--server-port", "12000"));
        assertTrue(err.contains("need --distributed"), err);
        assertEquals(2, run("--spec-dir", spec, "--distributed", "1", "--server-port", "70000"));
    }

    @Test
    void violationExitCodesAreTlcs() {
        assertEquals(12, TlcLauncher.violationExitCode("@!@!@STARTMSG 2110:1 @!@!@\nInvariant X is violated."));
        assertEquals(11, TlcLauncher.violationExitCode("@!@!@STARTMSG 2114:1 @!@!@\nDeadlock reached."));
        assertEquals(0, TlcLauncher.violationExitCode("@!@!@STARTMSG 2193:0 @!@!@\nModel checking completed."));
    }
}
