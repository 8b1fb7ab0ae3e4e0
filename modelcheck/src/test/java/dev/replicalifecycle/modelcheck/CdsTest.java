package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class-data-sharing archive's life: written by one run, then mapped by the others. */
class CdsTest {

    private static String flag(Cds c, String prefix) {
        return c.flags().stream().filter(f -> f.startsWith(prefix)).findFirst().orElse(null);
    }

    @Test
    void oneRunWritesTheArchiveTheOthersWaitThenMapIt(@TempDir Path dir) throws IOException {
        Path java = TlcLauncher.currentJava();
        List<Path> jar = List.of(TlcLauncher.tlcJar());
        Cds writer = Cds.forRun(java, jar, dir);
        String dump = flag(writer, "-XX:ArchiveClassesAtExit=");
        assertTrue(dump != null, writer.flags().toString());
        assertTrue(writer.flags().contains("-Xlog:all=error:stderr"), "CDS warnings must not reach TLC's stdout");
        assertEquals(Cds.NONE, Cds.forRun(java, jar, dir), "while one run writes it, the others run without");

        Path tmp = Path.of(dump.substring(dump.indexOf('=') + 1));
        Files.writeString(tmp, "an archive");
        writer.done(true);
        assertFalse(Files.exists(tmp));
        Cds reader = Cds.forRun(java, jar, dir);
        String map = flag(reader, "-XX:SharedArchiveFile=");
        assertTrue(map != null && Files.isRegularFile(Path.of(map.substring(map.indexOf('=') + 1))), reader.flags().toString());
        reader.done(true); // a reader writes nothing
    }

    @Test
    void aFailedWriterLeavesNothingAndTheNextRunTriesAgain(@TempDir Path dir) throws IOException {
        Path java = TlcLauncher.currentJava();
        List<Path> jar = List.of(TlcLauncher.tlcJar());
        Cds writer = Cds.forRun(java, jar, dir);
        String dump = flag(writer, "-XX:ArchiveClassesAtExit=");
        Path tmp = Path.of(dump.substring(dump.indexOf('=') + 1));
        Files.writeString(tmp, "half an archive");
        writer.done(false);
        assertFalse(Files.exists(tmp));
        assertTrue(flag(Cds.forRun(java, jar, dir), "-XX:ArchiveClassesAtExit=") != null);
    }

    @Test
    void offByProperty(@TempDir Path dir) {
        System.setProperty("modelcheck.cds", "false");
        try {
            assertEquals(Cds.NONE, Cds.forRun(TlcLauncher.currentJava(), List.of(TlcLauncher.tlcJar()), dir));
        } finally {
            System.clearProperty("modelcheck.cds");
        }
    }
}
