package dev.replicalifecycle.modelcheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A class-data-sharing archive of the classes a TLC child loads (JDK 17's dynamic archive): the
 * first run of a batch writes it ({@code -XX:ArchiveClassesAtExit}), later runs map it ({@code
 * -XX:SharedArchiveFile}) instead of loading and verifying those classes again. Measured on this
 * 2-core machine: a one-second TLC run took 0.63–0.70 s of user CPU with the archive against
 * 0.73–0.91 s without; over the 50 small models that is several seconds of a CPU-bound batch.
 *
 * <p>The archive lives beside the runs ({@code <out>/tlc/cds/<key>.jsa}), keyed by the java
 * binary, its runtime version and the jars of the child's class path (path, size, time), so a
 * changed JDK or jar gets a new one. Runs that start while it is being written run without it. A
 * JVM that cannot use an archive ignores it ({@code -Xshare:auto}); the children's JVM log goes
 * to their stderr, errors only, so that a CDS warning never mixes with TLC's {@code -tool}
 * output. System property {@code modelcheck.cds=false} turns it off. Thread-safe.
 */
final class Cds {

    /** No archive: no flags. */
    static final Cds NONE = new Cds(List.of(), null, null);

    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private static final List<String> LOG = List.of("-Xshare:auto", "-Xlog:disable", "-Xlog:all=error:stderr");

    private final List<String> flags;
    private final Path writing;
    private final Path archive;

    private Cds(List<String> flags, Path writing, Path archive) {
        this.flags = flags;
        this.writing = writing;
        this.archive = archive;
    }

    /** @return what one run does about the archive in {@code tlcDir} (the runs' parent directory) */
    static Cds forRun(Path java, List<Path> classPath, Path tlcDir) {
        if (!Boolean.parseBoolean(System.getProperty("modelcheck.cds", "true")) || tlcDir == null) {
            return NONE;
        }
        Path archive;
        try {
            archive = tlcDir.resolve("cds").resolve(key(java, classPath) + ".jsa").toAbsolutePath();
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
        if (Files.isRegularFile(archive)) {
            return new Cds(concat(LOG, "-XX:SharedArchiveFile=" + archive), null, null);
        }
        if (!WRITING.add(archive)) {
            return NONE; // another run is writing it
        }
        try {
            Files.createDirectories(archive.getParent());
        } catch (IOException e) {
            WRITING.remove(archive);
            return NONE;
        }
        Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        return new Cds(concat(LOG, "-XX:ArchiveClassesAtExit=" + tmp), tmp, archive);
    }

    /** @return the JVM flags for the child, placed before its main class */
    List<String> flags() {
        return flags;
    }

    /** The child ended; {@code ok}: it exited normally, so an archive it wrote is complete. */
    void done(boolean ok) {
        if (writing == null) {
            return;
        }
        try {
            if (ok && Files.isRegularFile(writing) && Files.size(writing) > 0) {
                Files.move(writing, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(writing);
            }
        } catch (IOException e) {
            // no archive this time; the next batch tries again
        } finally {
            WRITING.remove(archive);
        }
    }

    static String key(Path java, List<Path> classPath) throws IOException {
        StringBuilder k = new StringBuilder();
        Path realJava = java.toRealPath();
        k.append(realJava).append('|').append(Files.getLastModifiedTime(realJava));
        if (realJava.equals(TlcLauncher.currentJava().toRealPath())) {
            k.append('|').append(System.getProperty("java.runtime.version"));
        }
        for (Path jar : classPath) {
            k.append('|').append(jar.toAbsolutePath()).append('|').append(Files.size(jar)).append('|')
                    .append(Files.getLastModifiedTime(jar));
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(k.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.add(b);
        return List.copyOf(out);
    }
}
