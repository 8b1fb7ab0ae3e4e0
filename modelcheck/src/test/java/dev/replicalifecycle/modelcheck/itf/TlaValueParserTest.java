package dev.replicalifecycle.modelcheck.itf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.modelcheck.itf.TlaValue.BoolValue;
import dev.replicalifecycle.modelcheck.itf.TlaValue.FunctionValue;
import dev.replicalifecycle.modelcheck.itf.TlaValue.IntValue;
import dev.replicalifecycle.modelcheck.itf.TlaValue.ModelValue;
import dev.replicalifecycle.modelcheck.itf.TlaValue.RecordValue;
import dev.replicalifecycle.modelcheck.itf.TlaValue.SeqValue;
import dev.replicalifecycle.modelcheck.itf.TlaValue.SetValue;
import dev.replicalifecycle.modelcheck.itf.TlaValue.StringValue;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TlaValueParserTest {

    private static TlaValue p(String s) {
        return TlaValueParser.parse(s);
    }

    private static RecordValue rec(Object... kv) {
        Map<String, TlaValue> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (TlaValue) kv[i + 1]);
        }
        return new RecordValue(m);
    }

    @Test
    void integers() {
        assertEquals(IntValue.of(0), p("0"));
        assertEquals(IntValue.of(-5), p(" -5 "));
        assertEquals(IntValue.of(2147483647), p("2147483647"));
        assertEquals(new IntValue(new BigInteger("123456789012345678901234567890")), p("123456789012345678901234567890"));
    }

    @Test
    void stringsWithEscapes() {
        assertEquals(new StringValue(""), p("\"\""));
        assertEquals(new StringValue("x\"y\\z"), p("\"x\\\"y\\\\z\""));
        assertEquals(new StringValue("line1\nline2\ttab\r\f"), p("\"line1\\nline2\\ttab\\r\\f\""));
        assertEquals(new StringValue("a, b |-> {c}"), p("\"a, b |-> {c}\""));
    }

    @Test
    void booleansAndModelValues() {
        assertEquals(new BoolValue(true), p("TRUE"));
        assertEquals(new BoolValue(false), p("FALSE"));
        assertEquals(new ModelValue("p1"), p("p1"));
        assertEquals(new ModelValue("TRUEish"), p("TRUEish"));
        assertEquals(new ModelValue("_n_1"), p("_n_1"));
    }

    @Test
    void sets() {
        assertEquals(new SetValue(List.of()), p("{}"));
        assertEquals(new SetValue(List.of(IntValue.of(1), IntValue.of(2))), p("{1, 2}"));
        assertEquals(new SetValue(List.of(new SetValue(List.of()), new SetValue(List.of(new SeqValue(List.of()))))),
                p("{{}, {<<>>}}"));
    }

    @Test
    void intervalsReadAsSets() {
        assertEquals(new SetValue(List.of(IntValue.of(1), IntValue.of(2), IntValue.of(3))), p("1..3"));
        assertEquals(new SetValue(List.of()), p("3..2"));
        assertEquals(new SetValue(List.of(IntValue.of(-1), IntValue.of(0))), p("-1 .. 0"));
    }

    @Test
    void sequencesIncludingTlcsEmptyFunction() {
        assertEquals(new SeqValue(List.of()), p("<<>>"));
        assertEquals(new SeqValue(List.of()), p("<< >>"));
        assertEquals(new SeqValue(List.of(new SeqValue(List.of(IntValue.of(0), new StringValue("a"))))),
                p("<<<<0, \"a\">>>>"));
        assertEquals(new SeqValue(List.of(new BoolValue(true), new BoolValue(false), IntValue.of(-5))),
                p("<<TRUE, FALSE, -5>>"));
    }

    @Test
    void records() {
        assertEquals(rec("a", IntValue.of(1), "b", new StringValue("x")), p("[a |-> 1, b |-> \"x\"]"));
        assertEquals(rec("action", new StringValue("Inc"), "proc", new ModelValue("p1"), "n", IntValue.of(0)),
                p("[action |-> \"Inc\", proc |-> p1, n |-> 0]"));
    }

    @Test
    void functions() {
        FunctionValue f = new FunctionValue(List.of(
                new FunctionValue.Entry(new ModelValue("p1"), IntValue.of(0)),
                new FunctionValue.Entry(new ModelValue("p2"), IntValue.of(-3))));
        assertEquals(f, p("(p1 :> 0 @@ p2 :> -3)"));
        assertEquals(new FunctionValue(List.of(new FunctionValue.Entry(new StringValue("k"), new SetValue(List.of())))),
                p("(\"k\" :> {})"));
    }

    @Test
    void multiLineValueAsTlcPrettyPrintsIt() {
        String text = String.join("\n",
                "( p1 :>",
                "      [ name |-> \"n1\",",
                "        state |-> \"creating\",",
                "        ports |-> {1, 2, 3},",
                "        lvols |-> <<\"abc-snap-1\", \"abc-snap-2\">> ] @@",
                "  p2 :>",
                "      [ name |-> \"n1\",",
                "        state |-> \"creating\",",
                "        ports |-> {},",
                "        lvols |-> <<>> ] )");
        FunctionValue f = (FunctionValue) p(text);
        assertEquals(2, f.entries().size());
        RecordValue r = (RecordValue) f.entries().get(0).value();
        assertEquals(new StringValue("creating"), r.get("state"));
        assertEquals(new SeqValue(List.of(new StringValue("abc-snap-1"), new StringValue("abc-snap-2"))), r.get("lvols"));
    }

    @Test
    void toStringReadsBack() {
        for (String s : List.of("0", "-7", "\"q\\\"uo\\\\te\\n\"", "TRUE", "c1", "{1, 2}", "<<>>", "<<1, <<2>>>>",
                "[a |-> 1, b |-> [c |-> {}]]", "(p1 :> <<>> @@ p2 :> {[x |-> 1]})", "{(1 :> 2)}")) {
            TlaValue v = p(s);
            assertEquals(v, p(v.toString()), s);
        }
    }

    @Test
    void toJava() {
        Object j = p("[a |-> 1, s |-> {p1, \"x\"}, q |-> <<TRUE>>, f |-> (1 :> \"one\")]").toJava();
        assertEquals(Map.of("a", 1L, "s", java.util.Set.of("p1", "x"), "q", List.of(true), "f", Map.of(1L, "one")), j);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{1, 2", "{1 2}", "<<1,>>", "[a |-> ]", "[a = 1]", "[]", "\"abc",
            "\"bad \\q escape\"", "(1 :> 2", "(1 2)", "1 2", "-", "12abc", "[S -> T]", "SUBSET {1}", "Nat",
            "{1}}", "<<1>> >>", "[a |-> 1, a |-> 2]", "1..", "0..2000000", "@", "x = 1"})
    void malformedInputFailsWithPosition(String text) {
        TlaValueParseException e = assertThrows(TlaValueParseException.class, () -> p(text));
        assertTrue(e.getMessage().contains("line ") && e.getMessage().contains("column "), e.getMessage());
        assertTrue(e.offset() >= 0 && e.offset() <= text.length(), e.getMessage());
    }

    @Test
    void errorPositionIsLineAndColumn() {
        TlaValueParseException e = assertThrows(TlaValueParseException.class, () -> p("[a |-> 1,\n  b |-> {1 2}]"));
        assertEquals(2, e.line());
        assertEquals(12, e.column());
        assertTrue(e.getMessage().contains("expected ',' or '}'"), e.getMessage());
    }
}
