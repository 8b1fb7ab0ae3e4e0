package dev.replicalifecycle.conformance;

import java.util.Map;

/**
 * One step of a spec behaviour: the {@code step} variable's record {@code [action, proc, name,
 * outcome]}; {@code proc} and {@code name} are null for the spec's {@code None}.
 */
record SpecStep(String action, String proc, String name, String outcome) {

  /** From a decoded {@code step} record (ITF or TLC text); the strings "None" become null. */
  static SpecStep of(Map<?, ?> record) {
    return new SpecStep(str(record.get("action")), none(record.get("proc")), none(record.get("name")),
        str(record.get("outcome")));
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static String none(Object o) {
    String s = str(o);
    return s == null || s.equals("None") ? null : s;
  }

  boolean isClient() {
    return proc != null && !proc.equals("verify") && !proc.equals("engine") && !proc.equals("env");
  }

  @Override
  public String toString() {
    return action + (proc == null ? "" : " " + proc) + (name == null ? "" : " " + name) + " -> " + outcome;
  }
}
