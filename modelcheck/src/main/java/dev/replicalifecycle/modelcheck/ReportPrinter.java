package dev.replicalifecycle.modelcheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders results as text: the verdict matrix (rows: variants V0..V4, then mutant rows
 * {@code V4-<mutant>}; columns: the properties the models list, in manifest order) and the
 * per-model table. Stateless and thread-safe.
 *
 * <p>A cell combines every model of its row that lists the property: {@code VIOLATED (n steps)}
 * if one of them violated it (the shortest counterexample is shown), else {@code ERROR} if one
 * failed, else {@code holds} if one succeeded, else {@code ?} (each stopped at another
 * violation first); {@code ·} if no model of the row checks it. A trailing {@code !} marks a
 * cell with a model whose outcome differs from the manifest.
 */
final class ReportPrinter {

    private ReportPrinter() {
    }

    static String matrix(List<ModelEntry> models, List<ModelResult> results) {
        List<String> columns = columns(models);
        Map<String, ModelResult> byModel = byModel(results);
        List<List<String>> table = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("variant");
        header.addAll(columns);
        table.add(header);
        for (String row : rows(models)) {
            List<String> line = new ArrayList<>();
            line.add(row);
            for (String prop : columns) {
                line.add(cell(models, byModel, row, prop).text());
            }
            table.add(line);
        }
        return render(table) + "legend: holds | VIOLATED (n steps) | ERROR | ? = stopped at another violation first"
                + " | · = not checked | ! = differs from the manifest\n";
    }

    /** @return the matrix columns: the properties the models list, in manifest order */
    static List<String> columns(List<ModelEntry> models) {
        List<String> columns = new ArrayList<>();
        for (ModelEntry m : models) {
            for (String p : m.properties()) {
                if (!columns.contains(p)) {
                    columns.add(p);
                }
            }
        }
        return columns;
    }

    /** @return the matrix rows: the variants sorted, then the mutant rows in manifest order */
    static List<String> rows(List<ModelEntry> models) {
        List<String> rows = new ArrayList<>(new TreeSet<>(models.stream().filter(m -> m.mutant() == null)
                .map(ModelEntry::row).toList()));
        models.stream().filter(m -> m.mutant() != null).map(ModelEntry::row).distinct().forEach(rows::add);
        return rows;
    }

    static Map<String, ModelResult> byModel(List<ModelResult> results) {
        Map<String, ModelResult> byModel = new LinkedHashMap<>();
        results.forEach(r -> byModel.put(r.model(), r));
        return byModel;
    }

    /**
     * One matrix cell.
     *
     * @param text     the cell as the text matrix prints it
     * @param shortest for a violated cell, the model with the shortest counterexample; else null
     */
    record Cell(String text, ModelResult shortest) {
    }

    static Cell cell(List<ModelEntry> models, Map<String, ModelResult> byModel, String row, String prop) {
        ModelResult shortest = null;
        boolean violated = false;
        boolean error = false;
        boolean holds = false;
        boolean any = false;
        boolean mismatch = false;
        for (ModelEntry m : models) {
            ModelResult r = byModel.get(m.model());
            if (r == null || !m.row().equals(row) || !m.properties().contains(prop)) {
                continue;
            }
            any = true;
            mismatch |= !r.matches();
            Outcome a = r.actual();
            if (a.violated() && prop.equals(violatedName(a))) {
                violated = true;
                if (shortest == null || (r.steps() != null && (shortest.steps() == null || r.steps() < shortest.steps()))) {
                    shortest = r;
                }
            } else if (a.failed()) {
                error = true;
            } else if (a.succeeded()) {
                holds = true;
            }
        }
        String text;
        if (!any) {
            return new Cell("·", null);
        } else if (violated) {
            Integer violatedSteps = shortest.steps();
            text = "VIOLATED" + (violatedSteps == null ? "" : " (" + violatedSteps + (violatedSteps == 1 ? " step)" : " steps)"));
        } else if (error) {
            text = "ERROR";
        } else if (holds) {
            text = "holds";
        } else {
            text = "?";
        }
        return new Cell(mismatch ? text + " !" : text, violated ? shortest : null);
    }

    static String violatedName(Outcome a) {
        if (a.property() == null && Outcome.DEADLOCK.equals(a.kind())) {
            return TlcConfig.DEADLOCK_PROPERTY;
        }
        return a.property();
    }

    static String table(List<ModelResult> results) {
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("model", "expected", "actual", "ok?", "distinct states", "depth", "seconds"));
        for (ModelResult r : results) {
            table.add(List.of(r.model(), r.expected().brief(), r.actual().brief(), r.matches() ? "ok" : "MISMATCH",
                    r.distinctStates() == null ? "-" : String.format("%,d", r.distinctStates()),
                    r.depth() == null ? "-" : r.depth().toString(), String.format("%.1f", r.seconds())));
        }
        StringBuilder sb = new StringBuilder(render(table));
        for (ModelResult r : results) {
            if (!r.matches()) {
                for (String why : r.mismatches()) {
                    sb.append("MISMATCH ").append(r.model()).append(": ").append(why).append('\n');
                }
            }
            if (r.actual().failed()) {
                sb.append("ERROR ").append(r.model()).append(":\n");
                for (String line : r.actual().message().split("\\R")) {
                    sb.append("    ").append(line).append('\n');
                }
            }
            if (r.trace() != null) {
                sb.append("trace ").append(r.model()).append(": ").append(r.trace())
                        .append(" (").append(r.traceLength()).append(r.traceLength() == 1 ? " state)\n" : " states)\n");
            }
        }
        long ok = results.stream().filter(ModelResult::matches).count();
        sb.append(ok).append(" of ").append(results.size()).append(" models match the manifest\n");
        return sb.toString();
    }

    private static String render(List<List<String>> table) {
        int cols = table.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : table) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < table.size(); r++) {
            List<String> row = table.get(r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(i == 0 ? "" : "  ").append(row.get(i)).append(" ".repeat(width[i] - row.get(i).length()));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w;
                }
                sb.append("-".repeat(total + 2 * (cols - 1))).append('\n');
            }
        }
        return sb.toString();
    }
}
