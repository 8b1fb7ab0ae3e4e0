package dev.replicalifecycle.modelcheck.itf;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A TLA+ value as TLC prints it in a counterexample: the closed set of forms that occur in
 * states. {@link #toString()} renders TLA+ text in TLC's one-line style, which
 * {@link TlaValueParser#parse(String)} reads back to an equal value.
 *
 * <p>Sets and functions keep the element order TLC printed (TLC normalises sets, so two
 * printings of one set agree); equality of {@link SetValue} and {@link FunctionValue} is
 * therefore order-sensitive. Instances are immutable and safe to share between threads.
 */
public sealed interface TlaValue {

    /**
     * The value decoded into plain Java: {@link Long} (or {@link BigInteger} beyond the long
     * range), {@link String}, {@link Boolean}, unmodifiable {@link Set}, {@link List} and
     * {@link Map} (records with {@link String} keys, functions with decoded keys). Model
     * values become their name as a {@link String}, as in ITF.
     *
     * @return the decoded value, never null
     */
    Object toJava();

    /** An integer (TLC's are 32-bit, but any size is kept). */
    record IntValue(BigInteger value) implements TlaValue {
        public IntValue {
            Objects.requireNonNull(value, "value");
        }

        public static IntValue of(long value) {
            return new IntValue(BigInteger.valueOf(value));
        }

        @Override
        public Object toJava() {
            return value.bitLength() < 64 ? (Object) value.longValue() : value;
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    /** A string; {@link #toString()} quotes and escapes it as TLC does. */
    record StringValue(String value) implements TlaValue {
        public StringValue {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Object toJava() {
            return value;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\t' -> sb.append("\\t");
                    case '\r' -> sb.append("\\r");
                    case '\f' -> sb.append("\\f");
                    default -> sb.append(c);
                }
            }
            return sb.append('"').toString();
        }
    }

    /** TRUE or FALSE. */
    record BoolValue(boolean value) implements TlaValue {
        @Override
        public Object toJava() {
            return value;
        }

        @Override
        public String toString() {
            return value ? "TRUE" : "FALSE";
        }
    }

    /** A model value (a bare identifier such as {@code c1}); ITF has none, so it maps to a string. */
    record ModelValue(String name) implements TlaValue {
        public ModelValue {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Object toJava() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A finite set, in TLC's printed order. */
    record SetValue(List<TlaValue> elements) implements TlaValue {
        public SetValue {
            elements = List.copyOf(elements);
        }

        @Override
        public Object toJava() {
            Set<Object> out = new LinkedHashSet<>();
            for (TlaValue e : elements) {
                out.add(e.toJava());
            }
            return Collections.unmodifiableSet(out);
        }

        @Override
        public String toString() {
            return join("{", elements, "}");
        }
    }

    /** A sequence or tuple {@code <<a, b>>}; TLC prints both, and functions on 1..n, alike. */
    record SeqValue(List<TlaValue> elements) implements TlaValue {
        public SeqValue {
            elements = List.copyOf(elements);
        }

        @Override
        public Object toJava() {
            List<Object> out = new ArrayList<>(elements.size());
            for (TlaValue e : elements) {
                out.add(e.toJava());
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        public String toString() {
            return join("<<", elements, ">>");
        }
    }

    /** A record {@code [a |-> 1, b |-> "x"]}, fields in printed order. */
    record RecordValue(Map<String, TlaValue> fields) implements TlaValue {
        public RecordValue {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        /**
         * The value of one field.
         *
         * @param name field name
         * @return the value, or null if the record has no such field
         */
        public TlaValue get(String name) {
            return fields.get(name);
        }

        @Override
        public Object toJava() {
            Map<String, Object> out = new LinkedHashMap<>();
            fields.forEach((k, v) -> out.put(k, v.toJava()));
            return Collections.unmodifiableMap(out);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[");
            boolean first = true;
            for (Map.Entry<String, TlaValue> e : fields.entrySet()) {
                sb.append(first ? "" : ", ").append(e.getKey()).append(" |-> ").append(e.getValue());
                first = false;
            }
            return sb.append(']').toString();
        }
    }

    /** A function printed as {@code (k1 :> v1 @@ k2 :> v2)}, pairs in printed order. */
    record FunctionValue(List<Entry> entries) implements TlaValue {
        public FunctionValue {
            entries = List.copyOf(entries);
        }

        @Override
        public Object toJava() {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Entry e : entries) {
                out.put(e.key().toJava(), e.value().toJava());
            }
            return Collections.unmodifiableMap(out);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                sb.append(i == 0 ? "" : " @@ ").append(e.key()).append(" :> ").append(e.value());
            }
            return sb.append(')').toString();
        }

        /** One pair {@code key :> value}. */
        public record Entry(TlaValue key, TlaValue value) {
            public Entry {
                Objects.requireNonNull(key, "key");
                Objects.requireNonNull(value, "value");
            }
        }
    }

    private static String join(String open, List<TlaValue> elements, String close) {
        StringBuilder sb = new StringBuilder(open);
        for (int i = 0; i < elements.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(elements.get(i));
        }
        return sb.append(close).toString();
    }
}
