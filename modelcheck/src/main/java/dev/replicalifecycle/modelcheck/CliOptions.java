package dev.replicalifecycle.modelcheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Command-line options of {@link ModelCheckMain}. Defaults come from system properties
 * ({@code modelcheck.specDir}, {@code modelcheck.outDir}, {@code modelcheck.workers},
 * {@code modelcheck.parallel}, {@code modelcheck.timeoutMinutes}) and flags override them.
 * Immutable.
 */
record CliOptions(Path specDir, Path outDir, List<String> models, String size, String workers, Duration timeout,
                  int parallel, boolean help) {

    static final String USAGE = String.join("\n",
            "usage: ModelCheckMain [options]",
            "  --spec-dir DIR     spec directory with manifest.json (default: modelcheck.specDir, else ./spec or ../spec)",
            "  --models LIST      comma-separated model ids or globs (* and ?), default: all",
            "  --size S           small | deep | all (default all)",
            "  --workers W        TLC -workers per model: a number, auto, or per-model (default per-model:",
            "                     1 for models expected to fail, for shortest repeatable traces; auto otherwise)",
            "  --parallel N       TLC runs at once (default 1)",
            "  --timeout T        per-model limit: 90s, 30m, 2h, or minutes (default 30m)",
            "  --out DIR          output directory for verdicts.json, traces/, tlc/ (default modelcheck/target)",
            "  --help             this text",
            "exit code: 0 all models match the manifest, 1 a mismatch or error, 2 usage error");

    CliOptions {
        models = List.copyOf(models);
    }

    /** Bad command line; the message says what is wrong. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static CliOptions parse(String... args) {
        Path specDir = null;
        Path outDir = null;
        List<String> models = new ArrayList<>();
        String size = "all";
        String workers = System.getProperty("modelcheck.workers", TlcLauncher.PER_MODEL);
        Duration timeout = Duration.ofMinutes(Long.getLong("modelcheck.timeoutMinutes", 30));
        int parallel = Integer.getInteger("modelcheck.parallel", 1);
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
                continue;
            }
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(a + " needs a value");
                }
                value = args[++i];
            }
            switch (a) {
                case "--spec-dir" -> specDir = Path.of(value);
                case "--out" -> outDir = Path.of(value);
                case "--models" -> {
                    for (String s : value.split(",")) {
                        if (!s.isBlank()) {
                            models.add(s.trim());
                        }
                    }
                }
                case "--size" -> {
                    if (!List.of("small", "deep", "all").contains(value)) {
                        throw new UsageException("--size must be small, deep or all, got '" + value + "'");
                    }
                    size = value;
                }
                case "--workers" -> {
                    if (!value.equals("auto") && !value.equals(TlcLauncher.PER_MODEL) && !value.matches("[1-9]\\d*")) {
                        throw new UsageException("--workers must be a positive number, auto or per-model, got '"
                                + value + "'");
                    }
                    workers = value;
                }
                case "--parallel" -> {
                    if (!value.matches("[1-9]\\d*")) {
                        throw new UsageException("--parallel must be a positive number, got '" + value + "'");
                    }
                    parallel = Integer.parseInt(value);
                }
                case "--timeout" -> timeout = duration(value);
                default -> throw new UsageException("unknown option " + a);
            }
        }
        if (specDir == null) {
            specDir = defaultSpecDir();
        }
        if (outDir == null) {
            String prop = System.getProperty("modelcheck.outDir");
            outDir = prop != null ? Path.of(prop) : Files.isDirectory(Path.of("modelcheck")) ? Path.of("modelcheck", "target")
                    : Path.of("target");
        }
        return new CliOptions(specDir, outDir, models, size, workers, timeout, parallel, help);
    }

    static Path defaultSpecDir() {
        String prop = System.getProperty("modelcheck.specDir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        for (Path p : List.of(Path.of("spec"), Path.of("..", "spec"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return Path.of("spec");
    }

    static Duration duration(String v) {
        var m = Pattern.compile("(\\d+)\\s*(s|m|h)?").matcher(v.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException("--timeout must look like 90s, 30m, 2h or a number of minutes, got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "m" : m.group(2);
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
        };
    }

    /**
     * Selects models by {@code --size} and {@code --models}.
     *
     * @throws UsageException if a name without wildcards matches no model
     */
    List<ModelEntry> select(Manifest manifest) {
        List<ModelEntry> out = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        for (String name : models) {
            Pattern p = glob(name);
            if (manifest.models().stream().noneMatch(m -> p.matcher(m.model()).matches())) {
                throw new UsageException("no model in the manifest matches '" + name + "'");
            }
            patterns.add(p);
        }
        for (ModelEntry m : manifest.models()) {
            boolean sizeOk = size.equals("all") || size.equals(m.size());
            boolean nameOk = patterns.isEmpty() || patterns.stream().anyMatch(p -> p.matcher(m.model()).matches());
            if (sizeOk && nameOk) {
                out.add(m);
            }
        }
        return out;
    }

    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
