package dev.replicalifecycle.modelcheck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The parsed {@code spec/manifest.json}: the list of models with their expected verdicts.
 * Unknown fields are ignored; a missing or invalid required field fails with a
 * {@link ManifestException} that names the model and the field. Immutable.
 *
 * @param models the models, in manifest order
 */
record Manifest(List<ModelEntry> models) {

    static final String FILE_NAME = "manifest.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Set<String> VARIANTS = Set.of("V0", "V1", "V2", "V3", "V4");
    private static final Set<String> KINDS = Set.of(Outcome.SAFETY, Outcome.LIVENESS, Outcome.DEADLOCK);

    Manifest {
        models = List.copyOf(models);
    }

    /**
     * Reads and validates a manifest file.
     *
     * @param file the manifest
     * @return the manifest
     * @throws ManifestException if it cannot be read, is not JSON, or misses required fields
     */
    static Manifest load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ManifestException("manifest " + file + " does not exist");
        }
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ManifestException("cannot read manifest " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses and validates manifest JSON.
     *
     * @param json the manifest text
     * @return the manifest
     * @throws ManifestException if it is not a valid manifest
     */
    static Manifest parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ManifestException("manifest is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.path("models").isArray()) {
            throw new ManifestException("manifest needs a top-level \"models\" array");
        }
        List<ModelEntry> models = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonNode node : root.get("models")) {
            String where = "models[" + i + "]";
            if (!node.isObject()) {
                throw new ManifestException(where + " is not an object");
            }
            if (node.hasNonNull("model")) {
                where = "model '" + node.get("model").asText() + "'";
            }
            ModelEntry m;
            try {
                m = MAPPER.treeToValue(node, ModelEntry.class);
            } catch (JsonProcessingException e) {
                throw new ManifestException(where + ": " + e.getOriginalMessage(), e);
            }
            validate(m, where);
            if (!ids.add(m.model())) {
                throw new ManifestException(where + ": duplicate model id");
            }
            models.add(m);
            i++;
        }
        return new Manifest(models);
    }

    private static void validate(ModelEntry m, String where) {
        require(m.model(), where, "model");
        require(m.module(), where, "module");
        require(m.config(), where, "config");
        require(m.variant(), where, "variant");
        require(m.size(), where, "size");
        if (m.expected() == null) {
            throw new ManifestException(where + ": missing required field 'expected'");
        }
        require(m.expected().result(), where, "expected.result");
        if (!VARIANTS.contains(m.variant())) {
            throw new ManifestException(where + ": field 'variant' must be one of V0..V4, got '" + m.variant() + "'");
        }
        if (!ModelEntry.SMALL.equals(m.size()) && !ModelEntry.DEEP.equals(m.size())) {
            throw new ManifestException(where + ": field 'size' must be small or deep, got '" + m.size() + "'");
        }
        if (m.properties().isEmpty()) {
            throw new ManifestException(where + ": missing required field 'properties' (a non-empty list)");
        }
        Outcome e = m.expected();
        switch (e.result()) {
            case Outcome.SUCCESS -> {
                if (m.distinctStates() == null) {
                    throw new ManifestException(where + ": missing required field 'distinctStates' (success models assert it)");
                }
                if (m.depth() == null) {
                    throw new ManifestException(where + ": missing required field 'depth' (success models assert it)");
                }
            }
            case Outcome.VIOLATION -> {
                require(e.kind(), where, "expected.kind");
                if (!KINDS.contains(e.kind())) {
                    throw new ManifestException(where + ": field 'expected.kind' must be safety, liveness or deadlock, got '"
                            + e.kind() + "'");
                }
                if (!Outcome.DEADLOCK.equals(e.kind())) {
                    require(e.property(), where, "expected.property");
                }
            }
            default -> throw new ManifestException(where + ": field 'expected.result' must be success or violation, got '"
                    + e.result() + "'");
        }
    }

    private static void require(String value, String where, String field) {
        if (value == null || value.isBlank()) {
            throw new ManifestException(where + ": missing required field '" + field + "'");
        }
    }

    /** @return the union of all models' properties, in manifest order */
    List<String> propertyColumns() {
        List<String> out = new ArrayList<>();
        for (ModelEntry m : models) {
            for (String p : m.properties()) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
