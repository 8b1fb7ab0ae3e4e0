package dev.replicalifecycle.modelcheck;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The result of checking one model, as expected in the manifest or as TLC produced it:
 * {@code success}, {@code violation} (with the violated {@code property} and its {@code kind}:
 * {@code safety}, {@code liveness} or {@code deadlock}) or {@code error} (with a
 * {@code message}). Immutable.
 *
 * @param result   success, violation or error
 * @param property violated invariant or property; null if unknown or not a violation
 * @param kind     safety, liveness or deadlock for violations, otherwise null
 * @param message  error text for errors, otherwise null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Outcome(String result, String property, String kind, String message) {

    static final String SUCCESS = "success";
    static final String VIOLATION = "violation";
    static final String ERROR = "error";

    static final String SAFETY = "safety";
    static final String LIVENESS = "liveness";
    static final String DEADLOCK = "deadlock";

    static Outcome success() {
        return new Outcome(SUCCESS, null, null, null);
    }

    static Outcome violation(String property, String kind) {
        return new Outcome(VIOLATION, property, kind, null);
    }

    static Outcome error(String message) {
        return new Outcome(ERROR, null, null, message);
    }

    boolean succeeded() {
        return SUCCESS.equals(result);
    }

    boolean violated() {
        return VIOLATION.equals(result);
    }

    boolean failed() {
        return ERROR.equals(result);
    }

    /** Short text for tables: {@code success}, {@code safety:Inv}, {@code error}. */
    String brief() {
        if (violated()) {
            return kind + (property == null ? "" : ":" + property);
        }
        return result;
    }
}
