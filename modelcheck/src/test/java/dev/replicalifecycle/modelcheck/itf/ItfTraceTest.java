package dev.replicalifecycle.modelcheck.itf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItfTraceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode enc(String tla) {
        return ItfValues.encode(TlaValueParser.parse(tla));
    }

    @Test
    void encodingFollowsAdr015() throws Exception {
        assertEquals(JSON.readTree("42"), enc("42"));
        assertEquals(JSON.readTree("-42"), enc("-42"));
        assertEquals(JSON.readTree("9007199254740991"), enc("9007199254740991"));
        assertEquals(JSON.readTree("{\"#bigint\":\"9007199254740992\"}"), enc("9007199254740992"));
        assertEquals(JSON.readTree("{\"#bigint\":\"-9007199254740992\"}"), enc("-9007199254740992"));
        assertEquals(JSON.readTree("\"s\""), enc("\"s\""));
        assertEquals(JSON.readTree("\"c1\""), enc("c1"));
        assertEquals(JSON.readTree("true"), enc("TRUE"));
        assertEquals(JSON.readTree("{\"#set\":[1,2]}"), enc("{1, 2}"));
        assertEquals(JSON.readTree("{\"#tup\":[]}"), enc("<< >>"));
        assertEquals(JSON.readTree("{\"a\":{\"#tup\":[\"x\"]}}"), enc("[a |-> <<\"x\">>]"));
        assertEquals(JSON.readTree("{\"#map\":[[\"p1\",0],[\"p2\",{\"#set\":[]}]]}"), enc("(p1 :> 0 @@ p2 :> {})"));
    }

    @Test
    void decodingIntoJava() throws Exception {
        assertEquals(7L, ItfValues.decode(JSON.readTree("7")));
        assertEquals(7L, ItfValues.decode(JSON.readTree("{\"#bigint\":\"7\"}")));
        assertEquals(new BigInteger("99999999999999999999"),
                ItfValues.decode(JSON.readTree("{\"#bigint\":\"99999999999999999999\"}")));
        assertEquals(Set.of(1L, 2L), ItfValues.decode(JSON.readTree("{\"#set\":[1,2]}")));
        assertEquals(List.of("a", true), ItfValues.decode(JSON.readTree("{\"#tup\":[\"a\",true]}")));
        assertEquals(Map.of("p1", List.of()), ItfValues.decode(JSON.readTree("{\"#map\":[[\"p1\",{\"#tup\":[]}]]}")));
        assertEquals(Map.of("x", 1L), ItfValues.decode(JSON.readTree("{\"x\":1}")));
        assertEquals("TLC text", ItfValues.decode(JSON.readTree("{\"#unserializable\":\"TLC text\"}")));
        assertThrows(IllegalArgumentException.class, () -> ItfValues.decode(JSON.readTree("[1]")));
        assertThrows(IllegalArgumentException.class, () -> ItfValues.decode(JSON.readTree("1.5")));
        assertThrows(IllegalArgumentException.class, () -> ItfValues.decode(JSON.readTree("{\"#map\":[[1]]}")));
        assertThrows(IllegalArgumentException.class, () -> ItfValues.decode(JSON.readTree("{\"#what\":1, \"y\":2}")));
    }

    @Test
    void encodeDecodeAgreesWithToJava() {
        for (String s : List.of("[a |-> 1, s |-> {p1, \"x\"}, q |-> <<TRUE, -3>>, f |-> (1 :> \"one\" @@ 2 :> {})]",
                "123456789012345678901234567890", "<<>>", "{[x |-> 1], [x |-> 2]}")) {
            TlaValue v = TlaValueParser.parse(s);
            assertEquals(v.toJava(), ItfValues.decode(ItfValues.encode(v)), s);
        }
    }

    private static ItfTrace sample(Integer loop) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", "X.cfg");
        meta.put("model", "M1");
        meta.put("mutant", null);
        Map<String, JsonNode> s0 = new LinkedHashMap<>();
        s0.put("x", enc("0"));
        s0.put("step", enc("[action |-> \"Init\"]"));
        Map<String, JsonNode> s1 = new LinkedHashMap<>();
        s1.put("x", enc("1"));
        s1.put("step", enc("[action |-> \"Inc\", proc |-> c1]"));
        return ItfTrace.of(meta, List.of("x", "step"), List.of(s0, s1), List.of("Init", "Inc"), loop);
    }

    @Test
    void roundTripThroughAFile(@TempDir Path dir) throws Exception {
        ItfTrace t = sample(0);
        Path f = dir.resolve("sub/M1.itf.json");
        t.write(f);
        ItfTrace back = ItfTrace.read(f);
        assertEquals(t, back);
        assertEquals(2, back.size());
        assertEquals(List.of("x", "step"), back.vars());
        assertEquals(0, back.loop());
        assertEquals("ITF", back.meta("format"));
        assertEquals(ItfTrace.FORMAT_DESCRIPTION, back.meta("format-description"));
        assertEquals("M1", back.meta("model"));
        assertNull(back.meta("mutant"));
        assertEquals("Inc", back.action(1));
        assertEquals(1L, back.value(1, "x"));
        assertEquals(Map.of("action", "Inc", "proc", "c1"), back.value(1, "step"));
        assertEquals(Map.of("x", 1L, "step", Map.of("action", "Inc", "proc", "c1")), back.state(1));
        JsonNode json = JSON.readTree(f.toFile());
        assertEquals(0, json.get("states").get(0).get("#meta").get("index").asInt());
        assertEquals(0, json.get("loop").asInt());
        assertThrows(IllegalArgumentException.class, () -> back.value(0, "nope"));
        assertThrows(IllegalArgumentException.class, () -> back.value(0, "#meta"));
    }

    @Test
    void finiteTraceHasNoLoopField() {
        ItfTrace t = sample(null);
        assertNull(t.loop());
        assertTrue(!t.toJson().has("loop"));
    }

    @Test
    void invalidTracesAreRejected() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> sample(2));
        assertThrows(IllegalArgumentException.class, () -> ItfTrace.fromJson(JSON.readTree("[]")));
        assertThrows(IllegalArgumentException.class, () -> ItfTrace.fromJson(JSON.readTree("{\"states\":[]}")));
        assertThrows(IllegalArgumentException.class,
                () -> ItfTrace.fromJson(JSON.readTree("{\"vars\":[\"x\"],\"states\":[{\"y\":1}]}")));
    }
}
