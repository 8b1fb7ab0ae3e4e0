package dev.replicalifecycle.conformance;

import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The one place where each spec action is tied to its Java counterpart: which process takes it,
 * which registry method and step it is in the library (V4) and in the test-only historical
 * registries (V0..V3), which store call it makes, and how a spec fault outcome is injected into
 * the in-memory store. The replays use {@link #fault}; {@link #markdown()} is the table in
 * {@code conformance/README.md} (a test keeps the two equal).
 */
enum SpecMapping {
  CreateReserve("client", "`create(n)`: reserve the name, a `creating` slot (a delete in flight: `busy`, wait)",
      "`create(n)`: under S, V0 inserts `pending`, V1..V3 look up", null,
      "a scheduled op start: `create(n)` in the client's thread"),
  CreateLvol("client", "`create`: `findLvol(n)`, `findLvol(n-rebuilding)`, then `createLvol(n)`; found or EEXIST: `exists`",
      "`create`: `findLvol(n)` (found: reuse the head), else `createLvol(n)`; EEXIST (a create pending): error", Call.CREATE,
      "fault into CREATE; V4 with the lvol there: into its FIND look-up (the spec's only fault then: `fail`)"),
  CreateExpose("client", "`create`: empty step (the engine exposes)", "`create`: object exposed", null, ""),
  CreatePublish("client", "`create`: slot `running`; returns", "`create`: V0 sets the object, V1..V3 put it under S; returns",
      null, ""),
  CreateRollback("client", "`create`, outcome unknown: `deleteLvol(n)`; ok settles, notfound: probe, else again",
      "(none: V0..V3 never roll back)", Call.DELETE, ""),
  CreateSettle("client", "`create`, rollback found nothing: probe `createLvol(n)` (EEXIST: a create pending)",
      "(none)", Call.CREATE, ""),
  CreateAbort("client", "`create`: slot freed; throws (or gives up at its deadline: slot `error`)", "(none)", null, ""),
  DeleteMark("client", "`delete(n)`: mark `deleting`, or reserve an absent name (a create or delete in flight: `busy`, wait)",
      "`delete(n)`: look up under S; absent: return", null, "a scheduled op start: `delete(n)` in the client's thread"),
  DeleteRlvol("client", "`delete`: `deleteLvol(n-rebuilding)`; busy or timeout: again", "`delete`: under R, unexpose,"
      + " object terminating, `deleteLvol(n-rebuilding)`", Call.DELETE, ""),
  DeleteLvol("client", "`delete`: `deleteLvol(n)`; busy or timeout: again; notfound where a create may be pending: probe",
      "`delete`: under R, `deleteLvol(n)`", Call.DELETE, ""),
  DeleteProbe("client", "`delete`: probe `createLvol(n)` (ok or EEXIST: delete again)", "(none)", Call.CREATE, ""),
  DeleteRemove("client", "`delete`: slot removed, or `error`; returns", "`delete`: entry removed by name under S; returns",
      null, ""),
  VerifyStart("verify", "`verify()`: the round's stamp", "`verify()`: V0/V1 take S; V2/V3 copy the map", null,
      "a scheduled round start: `verify()` in its own thread"),
  VerifyList("verify", "`verify`: `listLvols()`, `ok` or `partial`", "`verify`: `listLvols()`; unreadable entry: the round"
      + " fails; broken: every replica error", Call.LIST,
      "`partial`: the uncovered names' lvol stores hidden, the unread names' entries unreadable, for one listing"),
  VerifyApply("verify", "`verify`: one compare-and-set per known name, in name order",
      "`verify`: one step per round (name None): `installed` or `skipped`", null,
      "V4: a spec name Java does not visit must be a no-op decision (`keep`, `changed`, `uncertain`)"),
  EnginePoll("engine", "test engine model: `get(n)` empty or `ERROR` marks ERR", "same", null, ""),
  RebuildStart("engine", "`store.putLvol(n-rebuilding)`", "same", null, ""),
  RebuildDropHead("engine", "`store.loseLvol(n)` (the rebuild deletes the head)", "same", null, ""),
  RebuildCloneHead("engine", "`store.putLvol(n)` (the head re-cloned: a new UUID, relinked by verify)", "same", null, ""),
  RebuildFinish("engine", "`store.loseLvol(n-rebuilding)`; WO becomes RW", "same", null, ""),
  LoseLvol("env", "`store.loseLvol(n)`", "same", null, ""),
  LateApply("env", "`store.finishLate(lvol, true)`: a pending call lands", "same", null,
      "the store never lands calls on its own in a replay"),
  LateDrop("env", "`store.finishLate(lvol, false)`: a pending call ends with no effect", "same", null, ""),
  Restart("env", "close the registry (its parked operations fail), open a new one over the same store; the calls"
      + " the spec leaves pending are started in the store", "same", null, "");

  /** Spec outcome word to injected fault; timeouts whose effect is a no-op are injected as not applied. */
  static final Map<String, Fault> FAULTS =
      Map.of(
          "fail", Fault.REJECT,
          "broken", Fault.UNAVAILABLE,
          "timeout-applied", Fault.TIMEOUT_AFTER_APPLY,
          "timeout-lost", Fault.TIMEOUT_BEFORE_APPLY,
          "timeout-late", Fault.TIMEOUT_LATE);

  /** The spec's action names (step record words), in declaration order. */
  static java.util.List<String> actions() {
    return Arrays.stream(values()).map(Enum::name).toList();
  }

  final String process;
  final String v4;
  final String historical;
  final Call call;
  final String replay;

  SpecMapping(String process, String v4, String historical, Call call, String replay) {
    this.process = process;
    this.v4 = v4;
    this.historical = historical;
    this.call = call;
    this.replay = replay;
  }

  static Optional<SpecMapping> of(String action) {
    return Arrays.stream(values()).filter(m -> m.name().equals(action)).findFirst();
  }

  /**
   * The store call to fault, and how, for a spec step with this outcome; empty if the outcome is
   * not a fault. {@code noOp}: the call's effect is nothing (create of an existing lvol, delete of
   * an absent one): the in-memory store would answer EEXIST/ENOENT before an injected
   * applied-timeout, so that is injected as a timeout before apply (same effect, same answer).
   */
  Optional<Map.Entry<Call, Fault>> fault(String outcome, boolean noOp) {
    Fault f = FAULTS.get(outcome);
    if (f == null || call == null) {
      return Optional.empty();
    }
    if (f == Fault.TIMEOUT_AFTER_APPLY && noOp) {
      f = Fault.TIMEOUT_BEFORE_APPLY;
    }
    return Optional.of(Map.entry(call, f));
  }

  /** The mapping as a markdown table. */
  static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| spec action | process | Java V4 (library) | Java V0..V3 (`HistoricalRegistry`) | store call | replay |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (SpecMapping m : values()) {
      sb.append("| `").append(m.name()).append("` | ").append(m.process).append(" | ").append(m.v4).append(" | ")
          .append(m.historical).append(" | ").append(m.call == null ? "" : m.call.name()).append(" | ")
          .append(m.replay).append(" |\n");
    }
    sb.append("\nFault outcomes, injected just before the step is granted: `fail` = REJECT, `broken` = UNAVAILABLE, "
        + "`timeout-applied` = TIMEOUT_AFTER_APPLY (TIMEOUT_BEFORE_APPLY when the call would change nothing), "
        + "`timeout-lost` = TIMEOUT_BEFORE_APPLY, `timeout-late` = TIMEOUT_LATE (the call left pending in the store); "
        + "Java reports the three timeouts as `timeout`.\n");
    return sb.toString();
  }
}
