package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaState;
import dev.replicalifecycle.registry.variants.Introspectable.LiveObject;
import dev.replicalifecycle.store.InMemoryLvolStore;
import dev.replicalifecycle.store.LvolKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The spec's safety properties, under their spec names, evaluated twice: in Java on the
 * registry and store under replay (with the spec's history variables kept from the Java steps,
 * exactly as the spec keeps them), and on a spec state read from a TLC trace. Comparing the two
 * after every step shows whether Java and the spec agree on <em>when</em> each property breaks.
 */
final class Properties {

  /** The safety properties, in the spec's order. */
  static final List<String> NAMES =
      List.of("NoDeleteWhileCreating", "CreatedStaysVisible", "OneObjectPerName", "DeleteIsFinal",
          "FailedCreateLeavesNothing", "ReservationHasOwner", "RunningIsExposed",
          "NoHealthyReplicaMarkedErr", "NoForeignLvolDeleted");

  // ------------------------------------------------------------------ Java side

  /**
   * The Java side's history variables ({@code created}, {@code deleted}, {@code failed}, {@code
   * harmed}, {@code unjust}, {@code foreign}, {@code fresh}), the engine's view {@code eng} and the
   * operations in flight, fed with every step the replay takes. Not thread-safe: the replay calls
   * it between steps.
   */
  static final class JavaHistory {
    final Set<String> created = new HashSet<>();
    final Set<String> deleted = new HashSet<>();
    final Set<String> failed = new HashSet<>();
    /** Names whose lvol a create call made and no create returned running on since. */
    final Set<String> fresh = new HashSet<>();
    /** Clients whose create in flight had its lvol call time out (outcome unknown). */
    final Set<String> unknown = new HashSet<>();
    final Set<String> harmed = new HashSet<>();
    final Set<String> unjust = new TreeSet<>();
    final Set<String> foreign = new TreeSet<>();
    final Map<String, String> eng = new HashMap<>();
    /** client -> name of its create in flight (CreateReserve ok until its last step). */
    final Map<String, String> creating = new HashMap<>();
    /** client -> name of its delete in flight. */
    final Map<String, String> deleting = new HashMap<>();
    /** client -> the id of the object its create built (its {@code obj}, as introspection names it). */
    final Map<String, Long> creatingObj = new HashMap<>();
    final boolean engineOn;
    final boolean rebuildOn;
    int rebuildsLeft;

    JavaHistory(boolean engineOn, boolean rebuildOn, int rebuilds) {
      this.engineOn = engineOn;
      this.rebuildOn = rebuildOn;
      this.rebuildsLeft = rebuilds;
    }

    private boolean intact(String n, InMemoryLvolStore store) {
      return store.contains(n) && !deleting.containsValue(n);
    }

    /**
     * A client step took effect. {@code lvolBefore}/{@code lvolAfter}: the name's head lvol
     * around the step. {@code endsOp}: the step ends the client's operation.
     */
    void clientStep(String client, String action, String n, String outcome, boolean lvolBefore,
        boolean lvolAfter, boolean endsOp, InMemoryLvolStore store) {
      if (!lvolBefore && lvolAfter
          && (action.equals("CreateLvol") || action.equals("CreateSettle") || action.equals("DeleteProbe"))) {
        fresh.add(n); // a create call made the lvol
      }
      if (lvolBefore && !lvolAfter) {
        fresh.remove(n);
      }
      switch (action) {
        case "CreateReserve" -> {
          deleted.remove(n);
          failed.remove(n);
          if (outcome.equals("ok")) {
            creating.put(client, n);
          }
        }
        case "CreateLvol" -> {
          if (outcome.equals("timeout")) {
            unknown.add(client);
          }
        }
        case "CreatePublish" -> {
          if (outcome.equals("running")) {
            boolean intact = intact(n, store);
            if (intact) {
              created.add(n);
            }
            if (engineOn) {
              eng.put(n, rebuildOn && rebuildsLeft > 0 ? "WO" : "RW");
            }
            if (intact) {
              harmed.remove(n);
            } else {
              harmed.add(n);
            }
            fresh.remove(n);
          } else if (unknown.contains(client)) {
            failed.add(n); // V0..V3 publish an error object after an unknown outcome
          }
        }
        case "CreateRollback" -> {
          // the spec marks foreign on the step's effect, before the fresh bookkeeping above
        }
        case "CreateAbort" -> {
          if (outcome.equals("removed") && unknown.contains(client)) {
            failed.add(n);
          }
        }
        case "DeleteMark" -> {
          harmed.add(n);
          created.remove(n);
          failed.remove(n);
          if (endsOp && outcome.equals("absent")) {
            deleted.add(n);
          } else {
            deleted.remove(n);
            deleting.put(client, n);
          }
        }
        case "DeleteLvol", "DeleteRlvol" -> created.remove(n);
        case "DeleteRemove" -> {
          if (outcome.equals("removed")) {
            deleted.add(n);
          }
          created.remove(n);
        }
        default -> {}
      }
      if (endsOp) {
        creatingObj.remove(client);
        creating.remove(client);
        deleting.remove(client);
        unknown.remove(client);
      }
    }

    /**
     * A rollback deleted lvol {@code n}, which existed before: foreign unless fresh. Call before
     * {@link #clientStep} for that step (which forgets the lvol's freshness).
     */
    void rollbackDeleted(String n) {
      if (!fresh.contains(n)) {
        foreign.add(n);
      }
    }

    /** A pending call landed: a create made a fresh lvol, a delete removed one. */
    void lateApplied(String n, boolean create) {
      if (create) {
        fresh.add(n);
      } else {
        fresh.remove(n);
      }
    }

    void loseLvol(String n) {
      harmed.add(n);
      created.remove(n);
      fresh.remove(n);
    }

    void restart() {
      created.clear();
      eng.clear();
      creating.clear();
      creatingObj.clear();
      deleting.clear();
      unknown.clear();
    }

    /** The engine's poll found n missing or in error: ERR, unjust unless harmed. */
    void markErr(String n) {
      eng.put(n, "ERR");
      if (!harmed.contains(n)) {
        unjust.add(n);
      }
    }

    void rebuildStarted() {
      rebuildsLeft--;
    }

    /**
     * Evaluates every property on the registry and store: property name to a description of the
     * violation, absent if it holds.
     */
    Map<String, String> violations(Subject subject, InMemoryLvolStore store, Set<String> names) {
      Map<String, String> out = new LinkedHashMap<>();
      List<LiveObject> live = subject.introspection().liveObjects();
      if (subject.insertsFirst()) {
        for (Map.Entry<String, String> c : creating.entrySet()) {
          String n = c.getValue();
          Long id = creatingObj.get(c.getKey());
          boolean owned = live.stream().anyMatch(o -> o.name().equals(n) && o.inMap()
              && (id == null || o.id() == id) && o.state() == ReplicaState.CREATING);
          if (!owned) {
            out.putIfAbsent("NoDeleteWhileCreating", "the create of " + n + " by " + c.getKey()
                + " is in flight but its entry is " + subject.registry().get(n).map(Replica::state).orElse(null));
          }
        }
      }
      for (String n : new TreeSet<>(created)) {
        if (subject.registry().get(n).isEmpty()) {
          out.putIfAbsent("CreatedStaysVisible", n + " returned running and has no entry");
        }
      }
      for (String n : names) {
        long count = live.stream().filter(o -> o.name().equals(n)).count();
        if (count > 1) {
          out.putIfAbsent("OneObjectPerName", count + " live objects hold " + n);
        }
      }
      for (String n : new TreeSet<>(deleted)) {
        Optional<Replica> e = subject.registry().get(n);
        if (e.isPresent() || store.contains(n) || store.contains(n + LvolKind.REBUILDING_SUFFIX)
            || store.pendingCreate(n).orElse(false)) {
          out.putIfAbsent("DeleteIsFinal", n + " was deleted but has " + (e.isPresent() ? "an entry " + e.get()
              : "an lvol, or a create of it pending"));
        }
      }
      for (String n : new TreeSet<>(failed)) {
        Optional<Replica> e = subject.registry().get(n);
        if (e.isPresent() || store.contains(n) || store.pendingCreate(n).orElse(false)) {
          out.putIfAbsent("FailedCreateLeavesNothing", "a failed create of " + n + " left "
              + (e.isPresent() ? "an entry " + e.get() : "an lvol, or a create of it pending"));
        }
      }
      for (LiveObject o : live) {
        if (!o.inMap()) {
          continue;
        }
        boolean reservation = o.state() == ReplicaState.CREATING
            || (o.state() == ReplicaState.DELETING && !subject.terminatingIsDeleting());
        if (reservation && !creating.containsValue(o.name()) && !deleting.containsValue(o.name())) {
          out.putIfAbsent("ReservationHasOwner", o.name() + " is " + o.state() + " with no operation in flight");
        }
        if (o.state() == ReplicaState.RUNNING && !o.exposed()) {
          out.putIfAbsent("RunningIsExposed", o.name() + " is running but its object holds no exposure");
        }
      }
      if (!unjust.isEmpty()) {
        out.put("NoHealthyReplicaMarkedErr", "the engine marked " + unjust + " ERR");
      }
      if (!foreign.isEmpty()) {
        out.put("NoForeignLvolDeleted", "a rollback deleted the lvol of " + foreign + " it did not make");
      }
      return out;
    }
  }

  // ------------------------------------------------------------------ spec side

  /**
   * The properties on a spec state decoded from ITF ({@code ItfTrace.state(i)}): the violated
   * ones. {@code insertsFirst} is the spec's {@code InsertsFirst}.
   */
  static Set<String> specViolations(Map<String, Object> s, boolean insertsFirst) {
    Set<String> out = new TreeSet<>();
    Map<?, ?> map = (Map<?, ?>) s.get("map");
    Map<?, ?> cl = (Map<?, ?>) s.get("cl");
    Set<?> lvols = set(s.get("lvols"));
    Set<?> rlvols = set(s.get("rlvols"));
    if (insertsFirst) {
      for (Map.Entry<?, ?> c : cl.entrySet()) {
        Map<?, ?> st = (Map<?, ?>) c.getValue();
        if (st.get("op").equals("create") && !st.get("pc").equals("idle")) {
          Object e = map.get(st.get("name"));
          if (!(e instanceof Map<?, ?> entry) || !entry.get("obj").equals(c.getKey())
              || !(entry.get("st").equals("pending") || entry.get("st").equals("creating"))) {
            out.add("NoDeleteWhileCreating");
          }
        }
      }
    }
    for (Object n : set(s.get("created"))) {
      if (!(map.get(n) instanceof Map<?, ?> e) || e.get("st").equals("reserved")) {
        out.add("CreatedStaysVisible");
      }
    }
    Set<?> exposed = set(s.get("exposed"));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Set<Object> objs = new HashSet<>();
      if (e.getValue() instanceof Map<?, ?> entry && !entry.get("st").equals("reserved")) {
        objs.add(entry.get("obj"));
      }
      for (Object x : exposed) {
        List<?> pair = (List<?>) x;
        if (pair.get(0).equals(e.getKey())) {
          objs.add(pair.get(1));
        }
      }
      if (objs.size() > 1) {
        out.add("OneObjectPerName");
      }
    }
    Set<Object> pendingCreates = new HashSet<>();
    for (Object x : set(s.get("late"))) {
      Map<?, ?> r = (Map<?, ?>) x;
      if ("create".equals(r.get("call")) && Boolean.TRUE.equals(r.get("started"))) {
        pendingCreates.add(r.get("name"));
      }
    }
    for (Object n : set(s.get("deleted"))) {
      if (map.get(n) instanceof Map<?, ?> || lvols.contains(n) || rlvols.contains(n) || pendingCreates.contains(n)) {
        out.add("DeleteIsFinal");
      }
    }
    for (Object n : set(s.get("failed"))) {
      boolean found = map.get(n) instanceof Map<?, ?> e && !e.get("st").equals("reserved");
      if (found || lvols.contains(n) || pendingCreates.contains(n)) {
        out.add("FailedCreateLeavesNothing");
      }
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof Map<?, ?> entry)) {
        continue;
      }
      Object st = entry.get("st");
      if (Set.of("pending", "creating", "deleting", "reserved").contains(st)) {
        boolean owned = cl.values().stream().anyMatch(c -> {
          Map<?, ?> cs = (Map<?, ?>) c;
          return !cs.get("op").equals("idle") && cs.get("name").equals(e.getKey()) && cs.get("obj").equals(entry.get("obj"));
        });
        if (!owned) {
          out.add("ReservationHasOwner");
        }
      }
      if ("running".equals(st) && !exposed.contains(List.of(e.getKey(), entry.get("obj")))) {
        out.add("RunningIsExposed");
      }
    }
    if (!set(s.get("unjust")).isEmpty()) {
      out.add("NoHealthyReplicaMarkedErr");
    }
    if (s.containsKey("foreign") && !set(s.get("foreign")).isEmpty()) {
      out.add("NoForeignLvolDeleted");
    }
    return out;
  }

  /** ITF sets decode to Set; a function with an empty domain decodes to an empty List. */
  static Set<?> set(Object o) {
    if (o instanceof Set<?> s) {
      return s;
    }
    if (o instanceof List<?> l && l.isEmpty()) {
      return Set.of();
    }
    if (o == null) {
      return Set.of();
    }
    throw new IllegalArgumentException("not a set: " + o);
  }

  static List<String> sorted(Set<String> s) {
    List<String> out = new ArrayList<>(s);
    out.sort(null);
    return out;
  }
}
