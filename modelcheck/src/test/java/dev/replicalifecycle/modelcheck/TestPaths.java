package dev.replicalifecycle.modelcheck;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where the tests find their inputs and put their outputs. */
final class TestPaths {

    private TestPaths() {
    }

    /** The toy specs, as copied to target/test-classes/toyspec. */
    static Path toySpecDir() {
        try {
            return Path.of(TestPaths.class.getResource("/toyspec/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The module's build directory (surefire passes it), else ./target. */
    static Path outDir() {
        return Path.of(System.getProperty("modelcheck.outDir", "target"));
    }
}
