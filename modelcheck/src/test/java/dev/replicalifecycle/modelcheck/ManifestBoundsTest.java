package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The project's manifest describes each model's bounds ({@code bounds}) and environment
 * ({@code env}) for the READMEs; the runner ignores those fields. This test keeps them honest: each
 * one must equal the constant its cfg assigns, so a bound changed in a cfg without the manifest
 * (or the other way round) fails the build with the model and the field named.
 */
class ManifestBoundsTest {

    /** Manifest {@code bounds} field → the cfg constant it describes. */
    static final Map<String, String> CONSTANT_OF = Map.ofEntries(
            Map.entry("names", "Names"),
            Map.entry("clients", "Clients"),
            Map.entry("storeFaults", "MaxStoreFaults"),
            Map.entry("losses", "MaxLosses"),
            Map.entry("restarts", "MaxRestarts"),
            Map.entry("rebuilds", "MaxRebuilds"),
            Map.entry("engine", "EngineOn"),
            Map.entry("rebuild", "RebuildOn"),
            Map.entry("lateCalls", "LateOn"),
            Map.entry("partialListings", "MaxUncertain"),
            Map.entry("giveUps", "MaxGiveUps"),
            // ReplicaChains
            Map.entry("running", "Running"),
            Map.entry("snapshots", "Snaps"),
            Map.entry("operations", "MaxOps"));

    private static final Pattern ASSIGNMENT = Pattern.compile("(?m)^\\s+(\\w+)\\s*=\\s*(.+?)\\s*$");

    @Test
    void everyModelsBoundsAndEnvironmentAreWhatItsCfgSets() throws IOException {
        Path spec = Path.of(System.getProperty("modelcheck.specDir", "../spec")).toAbsolutePath().normalize();
        Path file = spec.resolve(Manifest.FILE_NAME);
        assumeTrue(Files.isRegularFile(file), "no manifest at " + file);
        JsonNode models = new ObjectMapper().readTree(file.toFile()).path("models");
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (JsonNode m : models) {
            if (!m.has("bounds")) {
                continue;
            }
            String model = m.path("model").asText();
            Map<String, String> constants = constants(Files.readString(spec.resolve(m.path("config").asText())));
            m.path("bounds").fields().forEachRemaining(e -> {
                String constant = CONSTANT_OF.get(e.getKey());
                if (constant == null) {
                    wrong.add(model + ": unknown bounds field '" + e.getKey() + "'");
                    return;
                }
                String expected = cfgValue(e.getValue());
                String actual = constants.get(constant);
                if (!expected.equals(actual)) {
                    wrong.add(model + ": bounds." + e.getKey() + " is " + expected + ", the cfg sets " + constant
                            + " = " + actual);
                }
            });
            String env = "TRUE".equals(constants.get("LateOn")) ? "spdk" : "classic";
            if (m.has("env") && !env.equals(m.path("env").asText())) {
                wrong.add(model + ": env is " + m.path("env").asText() + ", the cfg's LateOn = "
                        + constants.get("LateOn") + " makes it " + env);
            }
            checked++;
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertTrue(checked > 0, "no model with bounds in " + file);
    }

    @Test
    void aBoundThatDisagreesWithItsCfgIsNamed() {
        Map<String, String> constants = constants("CONSTANTS\n    Names = {n1, n2}\n    MaxLosses = 1\n    LateOn = TRUE\n");
        assertEquals("{n1, n2}", constants.get("Names"));
        assertEquals("1", constants.get("MaxLosses"));
        assertEquals("TRUE", constants.get("LateOn"));
        assertEquals("TRUE", cfgValue(new ObjectMapper().getNodeFactory().booleanNode(true)));
        assertEquals("0", cfgValue(new ObjectMapper().getNodeFactory().numberNode(0)));
    }

    /** The {@code Name = value} lines of a cfg (comments start with {@code \*}). */
    static Map<String, String> constants(String cfg) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher a = ASSIGNMENT.matcher(cfg.replaceAll("\\\\\\*[^\n]*", ""));
        while (a.find()) {
            out.put(a.group(1), a.group(2));
        }
        return out;
    }

    /** A manifest value as the cfg spells it: booleans as TRUE/FALSE. */
    static String cfgValue(JsonNode v) {
        return v.isBoolean() ? (v.asBoolean() ? "TRUE" : "FALSE") : v.asText();
    }
}
