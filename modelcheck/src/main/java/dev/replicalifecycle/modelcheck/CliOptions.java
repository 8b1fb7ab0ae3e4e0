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
                  int parallel, boolean help, Distributed distributed) {

    static final String USAGE = String.join("\n",
            "usage: ModelCheckMain [options]",
            "  --spec-dir DIR     spec directory with manifest.json (default: modelcheck.specDir, else ./spec or ../spec)",
            "  --models LIST      comma-separated model ids or globs (* and ?), default: all",
            "  --size S           small | deep | all (default small)",
            "  --workers W        TLC -workers per model: a number, auto, or per-model (default: 1 when several",
            "                     models run at once; else per-model: 1 for models expected to fail, for shortest",
            "                     repeatable traces, auto otherwise)",
            "  --parallel N       TLC runs at once (default: the number of cores)",
            "  --distributed N    TLC's distributed mode, safety models only: a TLCServer and N local TLCWorkers",
            "                     (one thread each) per model, one model at a time; N may be 0 when workers on",
            "                     other hosts join (see --server-host, --server-port)",
            "  --server-host H    the address remote workers reach the server at (default localhost)",
            "  --server-port P    the server's RMI registry port (default: a free port; fix it for remote workers)",
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
        String size = ModelEntry.SMALL;
        String workers = System.getProperty("modelcheck.workers");
        Duration timeout = Duration.ofMinutes(Long.getLong("modelcheck.timeoutMinutes", 30));
        int parallel = Integer.getInteger("modelcheck.parallel", Runtime.getRuntime().availableProcessors());
        boolean parallelGiven = false;
        boolean workersGiven = false;
        Integer localWorkers = null;
        String serverHost = "localhost";
        Integer serverPort = null;
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
                    workersGiven = true;
                }
                case "--parallel" -> {
                    if (!value.matches("[1-9]\\d*")) {
                        throw new UsageException("--parallel must be a positive number, got '" + value + "'");
                    }
                    parallel = Integer.parseInt(value);
                    parallelGiven = true;
                }
                case "--distributed" -> {
                    if (!value.matches("\\d+") || value.length() > 3) {
                        throw new UsageException("--distributed must be a number of local workers (0 or more), got '"
                                + value + "'");
                    }
                    localWorkers = Integer.parseInt(value);
                }
                case "--server-host" -> {
                    if (value.isBlank()) {
                        throw new UsageException("--server-host must not be empty");
                    }
                    serverHost = value;
                }
                case "--server-port" -> {
                    if (!value.matches("[1-9]\\d{0,4}") || Integer.parseInt(value) > 65535) {
                        throw new UsageException("--server-port must be a port number (1-65535), got '" + value + "'");
                    }
                    serverPort = Integer.parseInt(value);
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
        Distributed distributed = null;
        if (localWorkers != null) {
            if (parallelGiven && parallel != 1) {
                throw new UsageException("--distributed runs one model at a time: leave out --parallel " + parallel);
            }
            if (workersGiven) {
                throw new UsageException("--distributed sets the workers itself (TLCWorker processes): leave out"
                        + " --workers");
            }
            parallel = 1;
            distributed = new Distributed(localWorkers, serverHost, serverPort);
        } else if (!"localhost".equals(serverHost) || serverPort != null) {
            throw new UsageException("--server-host and --server-port need --distributed");
        }
        if (workers == null) {
            workers = parallel > 1 ? "1" : TlcLauncher.PER_MODEL;
        }
        return new CliOptions(specDir, outDir, models, size, workers, timeout, parallel, help, distributed);
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
