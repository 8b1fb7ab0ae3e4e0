package dev.replicalifecycle.modelcheck.itf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Conversions between {@link TlaValue}, ITF JSON and plain Java values.
 *
 * <table>
 *   <caption>ITF encoding</caption>
 *   <tr><th>TLA+</th><th>ITF JSON</th><th>Java ({@link #decode})</th></tr>
 *   <tr><td>integer, |n| &lt; 2^53</td><td>number</td><td>{@link Long}</td></tr>
 *   <tr><td>other integer</td><td>{@code {"#bigint": "n"}}</td><td>{@link Long} if it fits, else {@link BigInteger}</td></tr>
 *   <tr><td>string</td><td>string</td><td>{@link String}</td></tr>
 *   <tr><td>model value</td><td>string (ITF has no model values)</td><td>{@link String}</td></tr>
 *   <tr><td>TRUE / FALSE</td><td>boolean</td><td>{@link Boolean}</td></tr>
 *   <tr><td>set</td><td>{@code {"#set": [...]}}</td><td>{@link Set}</td></tr>
 *   <tr><td>sequence / tuple</td><td>{@code {"#tup": [...]}}</td><td>{@link List}</td></tr>
 *   <tr><td>record</td><td>object</td><td>{@link Map} with {@link String} keys</td></tr>
 *   <tr><td>function {@code k :> v @@ ...}</td><td>{@code {"#map": [[k, v], ...]}}</td><td>{@link Map}</td></tr>
 * </table>
 *
 * <p>Decoded collections are unmodifiable and keep the file's order. Stateless and thread-safe.
 */
public final class ItfValues {

    private static final BigInteger SAFE = BigInteger.ONE.shiftLeft(53);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ItfValues() {
    }

    /**
     * Encodes a TLA+ value as ITF JSON.
     *
     * @param value the value
     * @return a fresh JSON node
     */
    public static JsonNode encode(TlaValue value) {
        if (value instanceof TlaValue.IntValue i) {
            BigInteger n = i.value();
            if (n.bitLength() < 32) {
                return NODES.numberNode(n.intValue()); // the node type Jackson reads back, so trees compare equal
            }
            if (n.abs().compareTo(SAFE) < 0) {
                return NODES.numberNode(n.longValue());
            }
            ObjectNode o = NODES.objectNode();
            o.put("#bigint", n.toString());
            return o;
        }
        if (value instanceof TlaValue.StringValue s) {
            return NODES.textNode(s.value());
        }
        if (value instanceof TlaValue.ModelValue m) {
            return NODES.textNode(m.name());
        }
        if (value instanceof TlaValue.BoolValue b) {
            return NODES.booleanNode(b.value());
        }
        if (value instanceof TlaValue.SetValue set) {
            return tagged("#set", set.elements());
        }
        if (value instanceof TlaValue.SeqValue seq) {
            return tagged("#tup", seq.elements());
        }
        if (value instanceof TlaValue.RecordValue r) {
            ObjectNode o = NODES.objectNode();
            r.fields().forEach((k, v) -> o.set(k, encode(v)));
            return o;
        }
        TlaValue.FunctionValue f = (TlaValue.FunctionValue) value;
        ArrayNode pairs = NODES.arrayNode();
        for (TlaValue.FunctionValue.Entry e : f.entries()) {
            pairs.add(NODES.arrayNode().add(encode(e.key())).add(encode(e.value())));
        }
        ObjectNode o = NODES.objectNode();
        o.set("#map", pairs);
        return o;
    }

    private static ObjectNode tagged(String tag, List<TlaValue> elements) {
        ArrayNode a = NODES.arrayNode();
        for (TlaValue e : elements) {
            a.add(encode(e));
        }
        ObjectNode o = NODES.objectNode();
        o.set(tag, a);
        return o;
    }

    /**
     * Decodes an ITF JSON value into plain Java (see the class table). {@code #unserializable}
     * decodes to its text.
     *
     * @param node an ITF value
     * @return the Java value, never null
     * @throws IllegalArgumentException if the node is not a valid ITF value
     */
    public static Object decode(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException("ITF value is missing or null");
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            throw new IllegalArgumentException("ITF integers are whole numbers, got " + node);
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            throw new IllegalArgumentException("bare JSON array is not an ITF value (use #tup or #set): " + node);
        }
        if (node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode inner = node.get(key);
            switch (key) {
                case "#bigint":
                    BigInteger n = new BigInteger(inner.asText());
                    return n.bitLength() < 64 ? (Object) n.longValue() : n;
                case "#tup":
                    return Collections.unmodifiableList(decodeList(inner, key));
                case "#set":
                    return Collections.unmodifiableSet(new LinkedHashSet<>(decodeList(inner, key)));
                case "#map": {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (JsonNode pair : array(inner, key)) {
                        if (!pair.isArray() || pair.size() != 2) {
                            throw new IllegalArgumentException("#map entries are [key, value] pairs, got " + pair);
                        }
                        m.put(decode(pair.get(0)), decode(pair.get(1)));
                    }
                    return Collections.unmodifiableMap(m);
                }
                case "#unserializable":
                    return inner.asText();
                default:
                    break;
            }
        }
        Map<String, Object> record = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("#")) {
                throw new IllegalArgumentException("unknown ITF tag '" + e.getKey() + "' in " + node);
            }
            record.put(e.getKey(), decode(e.getValue()));
        }
        return Collections.unmodifiableMap(record);
    }

    private static List<Object> decodeList(JsonNode inner, String tag) {
        List<Object> out = new ArrayList<>();
        for (JsonNode e : array(inner, tag)) {
            out.add(decode(e));
        }
        return out;
    }

    private static JsonNode array(JsonNode inner, String tag) {
        if (!inner.isArray()) {
            throw new IllegalArgumentException(tag + " needs a JSON array, got " + inner);
        }
        return inner;
    }
}
