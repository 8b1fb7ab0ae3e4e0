package dev.replicalifecycle.modelcheck;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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

    /** @return {@code dir/spec}, a fresh copy of the toy specs that a test may edit */
    static Path copyToySpec(Path dir) throws IOException {
        Path spec = dir.resolve("spec");
        Files.createDirectories(spec);
        try (Stream<Path> files = Files.list(toySpecDir())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, spec.resolve(f.getFileName()));
            }
        }
        return spec;
    }

    /** The module's build directory (surefire passes it), else ./target. */
    static Path outDir() {
        return Path.of(System.getProperty("modelcheck.outDir", "target"));
    }
}
