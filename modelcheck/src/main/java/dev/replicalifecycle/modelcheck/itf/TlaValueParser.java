package dev.replicalifecycle.modelcheck.itf;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads TLA+ values in the form TLC prints them in traces ({@code /\ var = value}), possibly
 * spread over several lines:
 *
 * <ul>
 *   <li>integers, negative ones included, of any size;</li>
 *   <li>strings with TLC's escapes {@code \" \\ \n \t \r \f};</li>
 *   <li>{@code TRUE}, {@code FALSE}; any other identifier is a model value;</li>
 *   <li>sets {@code {a, b}}, and integer intervals {@code m..n} (read as the set);</li>
 *   <li>sequences and tuples {@code <<a, b>>}; the empty function prints as {@code << >>} and
 *       reads as the empty sequence;</li>
 *   <li>records {@code [a |-> 1, b |-> "x"]};</li>
 *   <li>functions {@code (k1 :> v1 @@ k2 :> v2)}.</li>
 * </ul>
 *
 * <p>Anything else (for example {@code [S -> T]}, {@code SUBSET S}, {@code Nat}) is rejected
 * with a {@link TlaValueParseException} that gives the position. Stateless and thread-safe.
 */
public final class TlaValueParser {

    /** Intervals {@code m..n} larger than this are rejected rather than expanded. */
    static final int MAX_INTERVAL = 1_000_000;

    private final String text;
    private int pos;

    private TlaValueParser(String text) {
        this.text = text;
    }

    /**
     * Parses one complete value; surrounding whitespace is allowed, anything else is not.
     *
     * @param text TLA+ value text as TLC prints it
     * @return the value
     * @throws TlaValueParseException if the text is not exactly one supported value
     */
    public static TlaValue parse(String text) {
        TlaValueParser p = new TlaValueParser(text);
        TlaValue v = p.value();
        p.skipWs();
        if (p.pos < text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    private TlaValue value() {
        skipWs();
        if (pos >= text.length()) {
            throw error("expected a value but the text ended");
        }
        char c = text.charAt(pos);
        if (c == '"') {
            return new TlaValue.StringValue(string());
        }
        if (c == '-' || isDigit(c)) {
            return numberOrInterval();
        }
        if (c == '{') {
            pos++;
            return new TlaValue.SetValue(list("}"));
        }
        if (text.startsWith("<<", pos)) {
            pos += 2;
            return new TlaValue.SeqValue(list(">>"));
        }
        if (c == '[') {
            return record();
        }
        if (c == '(') {
            return function();
        }
        if (isIdentStart(c)) {
            int start = pos;
            String id = identifier();
            switch (id) {
                case "TRUE":
                    return new TlaValue.BoolValue(true);
                case "FALSE":
                    return new TlaValue.BoolValue(false);
                case "SUBSET":
                case "UNION":
                case "DOMAIN":
                case "Nat":
                case "Int":
                case "STRING":
                case "BOOLEAN":
                    pos = start;
                    throw error("unsupported TLA+ value form '" + id + "' (not an enumerated value)");
                default:
                    return new TlaValue.ModelValue(id);
            }
        }
        throw error("expected a value");
    }

    private List<TlaValue> list(String close) {
        List<TlaValue> out = new ArrayList<>();
        skipWs();
        if (text.startsWith(close, pos)) {
            pos += close.length();
            return out;
        }
        while (true) {
            out.add(value());
            skipWs();
            if (text.startsWith(",", pos)) {
                pos++;
            } else if (text.startsWith(close, pos)) {
                pos += close.length();
                return out;
            } else {
                throw error("expected ',' or '" + close + "'");
            }
        }
    }

    private TlaValue record() {
        pos++; // '['
        Map<String, TlaValue> fields = new LinkedHashMap<>();
        skipWs();
        if (text.startsWith("]", pos)) {
            throw error("empty record '[]' is not a TLC value");
        }
        while (true) {
            skipWs();
            if (pos >= text.length() || !isIdentStart(text.charAt(pos))) {
                throw error("expected a record field name");
            }
            String name = identifier();
            skipWs();
            if (!text.startsWith("|->", pos)) {
                throw error("expected '|->' after record field '" + name + "'");
            }
            pos += 3;
            TlaValue v = value();
            if (fields.putIfAbsent(name, v) != null) {
                throw error("duplicate record field '" + name + "'");
            }
            skipWs();
            if (text.startsWith(",", pos)) {
                pos++;
            } else if (text.startsWith("]", pos)) {
                pos++;
                return new TlaValue.RecordValue(fields);
            } else {
                throw error("expected ',' or ']' in record");
            }
        }
    }

    private TlaValue function() {
        pos++; // '('
        List<TlaValue.FunctionValue.Entry> entries = new ArrayList<>();
        while (true) {
            TlaValue key = value();
            skipWs();
            if (!text.startsWith(":>", pos)) {
                throw error("expected ':>' in function");
            }
            pos += 2;
            TlaValue v = value();
            entries.add(new TlaValue.FunctionValue.Entry(key, v));
            skipWs();
            if (text.startsWith("@@", pos)) {
                pos += 2;
            } else if (text.startsWith(")", pos)) {
                pos++;
                return new TlaValue.FunctionValue(entries);
            } else {
                throw error("expected '@@' or ')' in function");
            }
        }
    }

    private TlaValue numberOrInterval() {
        BigInteger from = integer();
        int save = pos;
        skipWs();
        if (!text.startsWith("..", pos)) {
            pos = save;
            return new TlaValue.IntValue(from);
        }
        pos += 2;
        skipWs();
        if (pos >= text.length() || !(text.charAt(pos) == '-' || isDigit(text.charAt(pos)))) {
            throw error("expected an integer after '..'");
        }
        int toPos = pos;
        BigInteger to = integer();
        BigInteger count = to.subtract(from).add(BigInteger.ONE);
        if (count.compareTo(BigInteger.valueOf(MAX_INTERVAL)) > 0) {
            pos = toPos;
            throw error("interval " + from + ".." + to + " is too large to expand");
        }
        List<TlaValue> elements = new ArrayList<>();
        for (BigInteger i = from; i.compareTo(to) <= 0; i = i.add(BigInteger.ONE)) {
            elements.add(new TlaValue.IntValue(i));
        }
        return new TlaValue.SetValue(elements);
    }

    private BigInteger integer() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digits) {
            throw error("expected digits");
        }
        if (pos < text.length() && isIdentPart(text.charAt(pos))) {
            throw error("malformed number");
        }
        return new BigInteger(text.substring(start, pos));
    }

    private String string() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                pos = start;
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                pos = start;
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'f' -> sb.append('\f');
                default -> {
                    pos -= 2;
                    throw error("unknown escape '\\" + e + "' in string");
                }
            }
        }
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && isIdentPart(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private void skipWs() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c);
    }

    private TlaValueParseException error(String message) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < pos && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        String found = pos >= text.length() ? "end of text" : "'" + snippet() + "'";
        return new TlaValueParseException(message + " at line " + line + ", column " + col
                + " (offset " + pos + "), found " + found, pos, line, col);
    }

    private String snippet() {
        int end = Math.min(text.length(), pos + 20);
        int nl = text.indexOf('\n', pos);
        if (nl >= 0 && nl < end) {
            end = nl;
        }
        return text.substring(pos, end);
    }
}
