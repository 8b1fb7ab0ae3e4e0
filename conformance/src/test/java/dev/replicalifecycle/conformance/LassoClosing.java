package dev.replicalifecycle.conformance;

import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Infers the step that closes a liveness counterexample's lasso: the step from the trace's last
 * state back to its loop state. TLC prints only the closing step's action, by the name of the
 * sub-action it took; the step record of that step is not in the trace (the loop state is shown
 * as TLC first reached it, with the step record of the stem).
 *
 * <p>A loop returns to an earlier state, and the spec's budgets ({@code left}), ERR modes and the
 * history sets only move one way, so no store fault, loss, restart, rebuild, late call or engine
 * step can be part of a loop: a closing step is a fault-free client or verify step. Its process,
 * name and outcome follow from the difference between the last state and the loop state, and
 * from the last state as the spec's action reads it.
 *
 * <p>Not thread-safe; stateless, all methods static.
 */
final class LassoClosing {
  private LassoClosing() {}

  /**
   * The spec action (the word of a step record) of a TLC action label: the label itself, or the
   * action whose sub-action it is ({@code VerifyApplyRound} and {@code VerifyApplyName} are
   * {@code VerifyApply}; {@code CreateLvolOk} and {@code CreateLvolFault} are {@code CreateLvol}).
   *
   * @throws IllegalArgumentException if the label names no spec action
   */
  static String specAction(String label) {
    Objects.requireNonNull(label, "label");
    String best = null;
    for (String a : SpecMapping.actions()) {
      if (label.startsWith(a) && (best == null || a.length() > best.length())) {
        best = a;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("TLC action label " + label + " names no spec action");
    }
    return best;
  }

  /** The closing step of {@code t}'s lasso, for the model's variant and V4 mutant (or null). */
  static SpecStep infer(ItfTrace t, String variant, String mutant) {
    Integer loop = t.loop();
    if (loop == null) {
      throw new IllegalArgumentException(t + " is not a lasso");
    }
    String label = t.meta("loopAction");
    int lastIndex = t.size() - 1;
    Map<String, Object> last = t.state(lastIndex);
    Map<String, Object> target = t.state(loop);
    if (label == null) {
      // TLC named no action: the loop repeats the step into the loop state (a stuttering-free
      // self loop on the last state is the only other case, and TLC names it).
      return CounterexampleReplayTest.step(t, loop);
    }
    String action = specAction(label);
    SpecStep inferred = switch (action) {
      case "VerifyStart", "VerifyList" -> new SpecStep(action, "verify", null, "ok");
      case "VerifyApply" -> verifyApply(last, target, variant, mutant);
      default -> clientStep(t, action, last, target, variant, mutant);
    };
    if (inferred == null) {
      throw new IllegalStateException("cannot infer the lasso's closing step " + label + " (" + action
          + ") of " + t);
    }
    return inferred;
  }

  private static SpecStep verifyApply(Map<String, Object> last, Map<String, Object> target, String variant,
      String mutant) {
    Map<?, ?> vf = (Map<?, ?>) last.get("vf");
    Map<?, ?> changed = (Map<?, ?>) last.get("changed");
    if (!"V4".equals(variant)) {
      boolean anyChanged = changed.values().contains(Boolean.TRUE);
      return new SpecStep("VerifyApply", "verify", null,
          "V3".equals(variant) && anyChanged ? "skipped" : "installed");
    }
    Set<String> todo = strings((Set<?>) vf.get("todo"));
    Map<?, ?> vfAfter = (Map<?, ?>) target.get("vf");
    Set<String> left = "apply".equals(String.valueOf(vfAfter.get("pc")))
        ? strings((Set<?>) vfAfter.get("todo")) : Set.of();
    Set<String> applied = new TreeSet<>(todo);
    applied.removeAll(left);
    if (applied.size() != 1) {
      return null;
    }
    String n = applied.iterator().next();
    return new SpecStep("VerifyApply", "verify", n, v4Decision(last, n, mutant));
  }

  /** The spec's V4Decision(n) on a decoded state. */
  static String v4Decision(Map<String, Object> s, String n, String mutant) {
    Map<?, ?> map = (Map<?, ?>) s.get("map");
    Map<?, ?> changed = (Map<?, ?>) s.get("changed");
    Map<?, ?> vf = (Map<?, ?>) s.get("vf");
    Set<String> seen = strings((Set<?>) vf.get("seen"));
    Set<String> rseen = strings((Set<?>) vf.get("rseen"));
    Object e = entry(map, n);
    String st = e instanceof Map<?, ?> entry ? String.valueOf(entry.get("st")) : null;
    boolean nameChanged = Boolean.TRUE.equals(value(changed, n));
    if ("GlobalSkip".equals(mutant) && changed.values().contains(Boolean.TRUE)) {
      return "changed";
    }
    if (nameChanged && !"NoCas".equals(mutant)) {
      return "changed";
    }
    if (st != null && Set.of("creating", "deleting", "reserved").contains(st) && !"JudgeInFlight".equals(mutant)) {
      return "inflight";
    }
    boolean missing = !seen.contains(n) && (!rseen.contains(n) || "NoRebuildExemption".equals(mutant));
    boolean judged = st != null && Set.of("running", "stopped", "creating", "deleting").contains(st) && missing;
    if (judged && strings((Set<?>) vf.get("uncov")).contains(n) && !"JudgeUncovered".equals(mutant)) {
      return "uncertain";
    }
    if (judged && strings((Set<?>) vf.get("unread")).contains(n) && !"JudgeUnreadable".equals(mutant)) {
      return "uncertain";
    }
    if (judged) {
      return "error";
    }
    if (st == null && seen.contains(n)) {
      return "adopt";
    }
    return "keep";
  }

  private static SpecStep clientStep(ItfTrace t, String action, Map<String, Object> last,
      Map<String, Object> target, String variant, String mutant) {
    boolean v4 = "V4".equals(variant);
    Map<?, ?> clBefore = (Map<?, ?>) last.get("cl");
    Map<?, ?> clAfter = (Map<?, ?>) target.get("cl");
    Set<?> lvols = (Set<?>) last.get("lvols");
    Set<?> rlvols = (Set<?>) last.get("rlvols");
    Set<String> pending = new TreeSet<>();
    for (Object x : (Set<?>) last.get("late")) {
      Map<?, ?> call = (Map<?, ?>) x;
      if (Boolean.TRUE.equals(call.get("started"))) {
        pending.add(call.get("call") + " " + call.get("name"));
      }
    }
    List<SpecStep> found = new ArrayList<>();
    for (Map.Entry<?, ?> e : clBefore.entrySet()) {
      Map<?, ?> c = (Map<?, ?>) e.getValue();
      Map<?, ?> after = (Map<?, ?>) value(clAfter, e.getKey().toString());
      if (c.equals(after)) {
        continue;
      }
      String proc = e.getKey().toString();
      String op = String.valueOf(c.get("op"));
      String pc = String.valueOf(c.get("pc"));
      String res = String.valueOf(c.get("res"));
      String n = "idle".equals(op) ? String.valueOf(after.get("name")) : String.valueOf(c.get("name"));
      // a store call's answer, as the spec's CreateCall, DeleteCall, RdeleteCall give it without a fault
      String create = lvols.contains(n) || pending.contains("create " + n) ? "exists" : "ok";
      String delete = pending.contains("delete " + n) ? "busy" : lvols.contains(n) ? "ok" : "notfound";
      String rdelete = pending.contains("rdelete " + n) ? "busy" : rlvols.contains(n) ? "ok" : "notfound";
      boolean creating = "create".equals(op);
      boolean deleting = "delete".equals(op);
      String outcome = switch (action) {
        case "CreateReserve" -> "idle".equals(op) ? "ok" : null;
        case "DeleteMark" -> "idle".equals(op) ? (entry((Map<?, ?>) last.get("map"), n) == null ? "absent" : "found")
            : null;
        case "CreateLvol" -> !creating || !"lvol".equals(pc) ? null
            : v4 && !"NoPrecheck".equals(mutant) && (lvols.contains(n) || rlvols.contains(n)) ? "exists"
            : !v4 && lvols.contains(n) ? "ok" // V0..V3 reuse the head
            : create;
        case "CreateExpose" -> "expose".equals(pc) ? "ok" : null;
        case "CreatePublish" -> "publish".equals(pc) ? ("ok".equals(res) ? "running" : "error") : null;
        case "CreateRollback" -> creating && "rollback".equals(pc) ? delete : null;
        case "CreateSettle" -> creating && "settle".equals(pc) ? create : null;
        case "CreateAbort" -> creating && "abort".equals(pc) ? "removed" : null;
        case "DeleteRlvol" -> deleting && "rlvol".equals(pc) ? rdelete : null;
        case "DeleteLvol" -> deleting && "lvol".equals(pc) ? delete : null;
        case "DeleteProbe" -> deleting && "probe".equals(pc) ? create : null;
        case "DeleteRemove" -> deleting && "remove".equals(pc) ? ("ok".equals(res) ? "removed" : "error") : null;
        default -> null;
      };
      if (outcome != null) {
        found.add(new SpecStep(action, proc, n, outcome));
      }
    }
    if (found.size() == 1) {
      return found.get(0);
    }
    if (!found.isEmpty()) {
      return null;
    }
    // No client's state changed: an operation start that changes no client (a V0..V3 delete of an
    // absent name, a create of a taken name). Any idle client takes it; the name is the one the
    // trace last used for that action, else the first name the outcome fits.
    for (int i = t.size() - 1; i >= 1; i--) {
      SpecStep s = CounterexampleReplayTest.step(t, i);
      if (s.action().equals(action) && s.isClient()) {
        return s;
      }
    }
    Map<?, ?> map = (Map<?, ?>) last.get("map");
    String idle = null;
    for (Map.Entry<?, ?> e : new java.util.TreeMap<>(stringKeys(clBefore)).entrySet()) {
      if ("idle".equals(String.valueOf(((Map<?, ?>) e.getValue()).get("op")))) {
        idle = e.getKey().toString();
        break;
      }
    }
    if (idle == null) {
      return null;
    }
    for (String n : new TreeSet<>(strings(map.keySet()))) {
      boolean absent = entry(map, n) == null;
      if (action.equals("DeleteMark") && absent) {
        return new SpecStep(action, idle, n, "absent");
      }
      if (action.equals("CreateReserve") && !absent) {
        return new SpecStep(action, idle, n, "exists");
      }
    }
    return null;
  }

  private static Object entry(Map<?, ?> map, String n) {
    Object e = value(map, n);
    return e instanceof Map<?, ?> ? e : null;
  }

  private static Object value(Map<?, ?> m, String key) {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (e.getKey().toString().equals(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new java.util.HashMap<>();
    m.forEach((k, v) -> out.put(k.toString(), v));
    return out;
  }

  private static Set<String> strings(Set<?> s) {
    Set<String> out = new TreeSet<>();
    s.forEach(x -> out.add(x.toString()));
    return out;
  }
}
