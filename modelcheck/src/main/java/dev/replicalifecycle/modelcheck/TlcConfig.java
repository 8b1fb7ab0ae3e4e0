package dev.replicalifecycle.modelcheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a TLC {@code .cfg} file checks: its invariants, its temporal properties and whether
 * deadlock is checked. Only these keywords are read; everything else is skipped. Immutable.
 *
 * @param invariants    names after INVARIANT / INVARIANTS
 * @param properties    names after PROPERTY / PROPERTIES
 * @param checkDeadlock false only if the file says {@code CHECK_DEADLOCK FALSE}
 */
record TlcConfig(List<String> invariants, List<String> properties, boolean checkDeadlock) {

    /** The name a manifest uses for the deadlock check, which has no operator in the spec. */
    static final String DEADLOCK_PROPERTY = "Deadlock";

    private static final Set<String> KEYWORDS = Set.of("CONSTANT", "CONSTANTS", "INIT", "NEXT", "SPECIFICATION",
            "INVARIANT", "INVARIANTS", "PROPERTY", "PROPERTIES", "SYMMETRY", "VIEW", "CONSTRAINT", "CONSTRAINTS",
            "ACTION_CONSTRAINT", "ACTION_CONSTRAINTS", "CHECK_DEADLOCK", "POSTCONDITION", "ALIAS");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z_0-9!]+|\\S");

    TlcConfig {
        invariants = List.copyOf(invariants);
        properties = List.copyOf(properties);
    }

    static TlcConfig read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLC config " + file, e);
        }
    }

    static TlcConfig parse(String text) {
        String clean = text.replaceAll("(?s)\\(\\*.*?\\*\\)", " ").replaceAll("\\\\\\*[^\\n]*", " ");
        List<String> invariants = new ArrayList<>();
        List<String> properties = new ArrayList<>();
        boolean deadlock = true;
        String section = "";
        Matcher m = TOKEN.matcher(clean);
        while (m.find()) {
            String tok = m.group();
            if (KEYWORDS.contains(tok)) {
                section = tok;
                continue;
            }
            switch (section) {
                case "INVARIANT", "INVARIANTS" -> invariants.add(tok);
                case "PROPERTY", "PROPERTIES" -> properties.add(tok);
                case "CHECK_DEADLOCK" -> {
                    deadlock = !"FALSE".equals(tok);
                    section = "";
                }
                default -> {
                }
            }
        }
        return new TlcConfig(invariants, properties, deadlock);
    }

    /** @return whether the config checks a property of this name (see {@link #DEADLOCK_PROPERTY}) */
    boolean checks(String name) {
        return invariants.contains(name) || properties.contains(name) || (checkDeadlock && DEADLOCK_PROPERTY.equals(name));
    }
}
