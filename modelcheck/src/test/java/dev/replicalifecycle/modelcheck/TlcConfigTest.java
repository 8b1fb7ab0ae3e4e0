package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TlcConfigTest {

    @Test
    void readsInvariantsPropertiesAndDeadlock() {
        TlcConfig c = TlcConfig.parse("""
                \\* a comment INVARIANT Commented
                (* block
                   PROPERTY AlsoCommented *)
                CONSTANTS Names = {n1, n2}  Max = 3
                SPECIFICATION Spec
                INVARIANTS TypeOK
                           NoDeleteWhileCreating
                PROPERTY LostLvolDetected
                SYMMETRY Sym
                VIEW View
                """);
        assertEquals(List.of("TypeOK", "NoDeleteWhileCreating"), c.invariants());
        assertEquals(List.of("LostLvolDetected"), c.properties());
        assertTrue(c.checkDeadlock());
        assertTrue(c.checks("TypeOK") && c.checks("LostLvolDetected") && c.checks("Deadlock"));
        assertFalse(c.checks("Commented") || c.checks("AlsoCommented") || c.checks("Sym"));
        TlcConfig d = TlcConfig.parse("INIT Init NEXT Next INVARIANT A CHECK_DEADLOCK FALSE");
        assertFalse(d.checkDeadlock());
        assertFalse(d.checks("Deadlock"));
        assertEquals(List.of("A"), d.invariants());
    }
}
