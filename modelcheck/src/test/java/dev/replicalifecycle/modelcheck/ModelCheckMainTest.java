package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, on the toy specs. */
class ModelCheckMainTest extends CommandLineTestBase {

    @Test
    void usageErrorsExitWith2() {
        String spec = TestPaths.toySpecDir().toString();
        assertEquals(0, run("--help"));
        assertTrue(out.contains("usage: ModelCheckMain"));
        assertEquals(2, run("--bogus", "1"));
        assertTrue(err.contains("unknown option --bogus"), err);
        assertEquals(2, run("--size", "huge"));
        assertEquals(2, run("--workers", "zero"));
        assertEquals(2, run("--timeout", "soon"));
        assertEquals(2, run("--spec-dir", spec, "--models", "NoSuchModel"));
        assertTrue(err.contains("no model in the manifest matches 'NoSuchModel'"), err);
        assertEquals(2, run("--spec-dir", spec, "--models", "Cycle_Holds", "--size", "small"));
        assertEquals(2, run("--spec-dir", spec + "/nowhere"));
        assertTrue(err.contains("manifest.json does not exist"), err);
        assertEquals(2, run("--spec-dir"));
    }

    @Test
    void matchingRunExitsWith0(@TempDir Path outDir) {
        int code = run("--spec-dir", TestPaths.toySpecDir().toString(), "--models", "Counter_S*,Cycle_Stutter",
                "--size", "small", "--workers", "1", "--parallel", "2", "--timeout=5m", "--out", outDir.toString());
        assertEquals(0, code, out + err);
        assertTrue(out.contains("model checking 3 of 8 models"), out);
        assertTrue(out.contains("VERDICT MATRIX"), out);
        assertTrue(out.contains("VIOLATED (2 steps)"), out);
        assertTrue(out.contains("VIOLATED (1 step)"), out);
        assertTrue(out.contains("3 of 3 models match the manifest"), out);
        assertTrue(Files.isRegularFile(outDir.resolve("verdicts.json")));
        assertTrue(Files.isRegularFile(outDir.resolve("traces/Counter_Safety.itf.json")));
        assertTrue(Files.isRegularFile(outDir.resolve("traces/Counter_Safety.steps.txt")));
    }

    @Test
    void mismatchExitsWith1(@TempDir Path dir) throws IOException {
        Path spec = TestPaths.copyToySpec(dir);
        String manifest = Files.readString(spec.resolve("manifest.json"))
                .replace("\"distinctStates\": 13", "\"distinctStates\": 14");
        Files.writeString(spec.resolve("manifest.json"), manifest);
        int code = run("--spec-dir", spec.toString(), "--models", "Counter_Success", "--workers", "1",
                "--out", dir.resolve("out").toString());
        assertEquals(1, code);
        assertTrue(out.contains("MISMATCH Counter_Success: expected 14 distinct states but TLC found 13"), out);
        assertTrue(out.contains("holds !"), out);
    }
}
