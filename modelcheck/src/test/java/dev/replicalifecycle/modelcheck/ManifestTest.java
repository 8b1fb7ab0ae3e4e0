package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {

    private static final String OK = """
            { "version": 3, "models": [
              { "model": "V0_NoDeleteWhileCreating", "module": "MCReplicaLifecycle",
                "config": "MCReplicaLifecycle_V0_NoDeleteWhileCreating.cfg", "variant": "V0", "mutant": null,
                "size": "small", "properties": ["NoDeleteWhileCreating", "TypeOK"],
                "expected": { "result": "violation", "property": "NoDeleteWhileCreating", "kind": "safety", "why": "x" },
                "distinctStates": null, "depth": null, "note": "free text", "someFutureField": [1, 2] },
              { "model": "V4_All", "module": "MC", "config": "MC_V4.cfg", "variant": "V4",
                "size": "deep", "properties": ["TypeOK", "LostLvolDetected"],
                "expected": { "result": "success" }, "distinctStates": 1234, "depth": 17 },
              { "model": "V4_NoStamp", "module": "MC", "config": "MC_V4_NoStamp.cfg", "variant": "V4", "mutant": "NoStamp",
                "size": "small", "properties": ["Deadlock"], "expected": { "result": "violation", "kind": "deadlock" } }
            ] }
            """;

    @Test
    void parsesAndIgnoresUnknownFields() {
        Manifest m = Manifest.parse(OK);
        assertEquals(3, m.models().size());
        ModelEntry v0 = m.models().get(0);
        assertEquals("MCReplicaLifecycle", v0.module());
        assertEquals(Outcome.violation("NoDeleteWhileCreating", "safety"), v0.expected());
        assertNull(v0.distinctStates());
        assertNull(v0.mutant());
        assertEquals("V0", v0.row());
        assertEquals(1234L, m.models().get(1).distinctStates());
        assertEquals(17, m.models().get(1).depth());
        assertEquals("V4-NoStamp", m.models().get(2).row());
        assertEquals(List.of("NoDeleteWhileCreating", "TypeOK", "LostLvolDetected", "Deadlock"), m.propertyColumns());
    }

    private static String error(String json) {
        return assertThrows(ManifestException.class, () -> Manifest.parse(json)).getMessage();
    }

    private static String one(String fields) {
        return "{\"models\":[{" + fields + "}]}";
    }

    private static final String BASE = "\"model\":\"M1\",\"module\":\"X\",\"config\":\"X.cfg\",\"variant\":\"V1\","
            + "\"size\":\"small\",\"properties\":[\"P\"]";

    @Test
    void missingFieldsAreNamedWithTheModel() {
        assertEquals("model 'M1': missing required field 'config'",
                error(one("\"model\":\"M1\",\"module\":\"X\",\"variant\":\"V1\",\"size\":\"small\","
                        + "\"properties\":[\"P\"],\"expected\":{\"result\":\"success\"},\"distinctStates\":1,\"depth\":1")));
        assertEquals("models[0]: missing required field 'model'",
                error(one("\"module\":\"X\",\"config\":\"X.cfg\",\"variant\":\"V1\",\"size\":\"small\","
                        + "\"properties\":[\"P\"],\"expected\":{\"result\":\"success\"}")));
        assertEquals("model 'M1': missing required field 'expected'", error(one(BASE)));
        assertEquals("model 'M1': missing required field 'distinctStates' (success models assert it)",
                error(one(BASE + ",\"expected\":{\"result\":\"success\"},\"depth\":3")));
        assertEquals("model 'M1': missing required field 'depth' (success models assert it)",
                error(one(BASE + ",\"expected\":{\"result\":\"success\"},\"distinctStates\":3")));
        assertEquals("model 'M1': missing required field 'expected.property'",
                error(one(BASE + ",\"expected\":{\"result\":\"violation\",\"kind\":\"safety\"}")));
        assertEquals("model 'M1': missing required field 'expected.kind'",
                error(one(BASE + ",\"expected\":{\"result\":\"violation\",\"property\":\"P\"}")));
        assertEquals("model 'M1': missing required field 'properties' (a non-empty list)",
                error(one(BASE.replace(",\"properties\":[\"P\"]", "") + ",\"expected\":{\"result\":\"violation\","
                        + "\"kind\":\"deadlock\"}")));
    }

    @Test
    void invalidValues() {
        assertTrue(error(one(BASE.replace("V1", "V9") + ",\"expected\":{\"result\":\"success\"}"))
                .contains("'variant' must be one of V0..V4"));
        assertTrue(error(one(BASE.replace("small", "huge") + ",\"expected\":{\"result\":\"success\"}"))
                .contains("'size' must be small or deep"));
        assertTrue(error(one(BASE + ",\"expected\":{\"result\":\"violation\",\"property\":\"P\",\"kind\":\"x\"}"))
                .contains("'expected.kind' must be safety, liveness or deadlock"));
        assertTrue(error(one(BASE + ",\"expected\":{\"result\":\"maybe\"}")).contains("'expected.result' must be"));
        assertTrue(error(one(BASE + ",\"expected\":{\"result\":\"success\"},\"distinctStates\":\"many\",\"depth\":1"))
                .startsWith("model 'M1': "));
        assertTrue(error("{\"models\":[{" + BASE + ",\"expected\":{\"result\":\"violation\",\"kind\":\"deadlock\"}},{"
                + BASE + ",\"expected\":{\"result\":\"violation\",\"kind\":\"deadlock\"}}]}").contains("duplicate"));
        assertTrue(error("{").startsWith("manifest is not valid JSON"));
        assertEquals("manifest needs a top-level \"models\" array", error("{\"model\":[]}"));
    }
}
