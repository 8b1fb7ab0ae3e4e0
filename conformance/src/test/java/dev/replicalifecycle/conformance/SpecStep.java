package dev.replicalifecycle.conformance;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One step of a spec behaviour: the {@code step} variable's record {@code [action, proc, name,
 * outcome]}; {@code proc} and {@code name} are null for the spec's {@code None}. Two steps also
 * carry what the replay must make the environment do, read from the state they lead to: a
 * {@code VerifyList} the names whose lvol store it did not cover and whose entries it could not
 * read ({@code vf.uncov}, {@code vf.unread}); a {@code Restart} the store calls that outlive it
 * ({@code late}, as "create n", "delete n", "rdelete n"; every pending call of the state, those
 * pending before the restart included). Null where unknown or not applicable.
 */
record SpecStep(String action, String proc, String name, String outcome, Set<String> uncov,
    Set<String> unread, Set<String> late) {

  SpecStep(String action, String proc, String name, String outcome) {
    this(action, proc, name, outcome, null, null, null);
  }

  /** From a decoded {@code step} record (ITF or TLC text); the strings "None" become null. */
  static SpecStep of(Map<?, ?> record) {
    return new SpecStep(str(record.get("action")), none(record.get("proc")), none(record.get("name")),
        str(record.get("outcome")), names(record.get("uncov")), names(record.get("unread")),
        calls(record.get("late")));
  }

  /** This step with what the state it leads to says about its environment (see the class). */
  SpecStep withState(Map<String, Object> after) {
    if (action.equals("VerifyList") && after.get("vf") instanceof Map<?, ?> vf) {
      return new SpecStep(action, proc, name, outcome, names(vf.get("uncov")), names(vf.get("unread")), late);
    }
    if (action.equals("Restart")) {
      return new SpecStep(action, proc, name, outcome, uncov, unread, calls(after.get("late")));
    }
    return this;
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static String none(Object o) {
    String s = str(o);
    return s == null || s.equals("None") ? null : s;
  }

  private static Set<String> names(Object o) {
    if (o == null) {
      return null;
    }
    Set<String> out = new TreeSet<>();
    if (o instanceof Set<?> s) {
      s.forEach(x -> out.add(x.toString()));
    } else if (!(o instanceof List<?> l && l.isEmpty())) {
      throw new IllegalArgumentException("not a set of names: " + o);
    }
    return out;
  }

  /** The spec's late calls as "create n" / "delete n" / "rdelete n" (started ones only). */
  private static Set<String> calls(Object o) {
    if (o == null) {
      return null;
    }
    Set<String> out = new TreeSet<>();
    if (o instanceof Set<?> s) {
      for (Object x : s) {
        Map<?, ?> r = (Map<?, ?>) x;
        if (!Boolean.FALSE.equals(r.get("started"))) {
          out.add(r.get("call") + " " + r.get("name"));
        }
      }
    }
    return out;
  }

  boolean isClient() {
    return proc != null && !proc.equals("verify") && !proc.equals("engine") && !proc.equals("env");
  }

  @Override
  public String toString() {
    return action + (proc == null ? "" : " " + proc) + (name == null ? "" : " " + name) + " -> " + outcome;
  }
}
