package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.SpecAction;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The actions of {@code spec/ReplicaChains.tla} tied to their Java steps: which process takes
 * each, which operation it starts, and which library steps ({@link SpecAction}) the replay
 * grants for it, in V4 (the library and its mutants) and in V0 (the test-only {@code
 * HistoricalRegistry}). A spec step may be several Java steps (a rebuild's begin and abort are a
 * create and a delete of the library); the replay grants them all and compares the spec's
 * outcome with the first one's. {@link #markdown()} is the second table of {@code
 * conformance/README.md} (a test keeps the two equal). That spec has no store faults, so no
 * fault is ever injected here.
 */
enum ChainMapping {
  SnapMark("client", "snapshot(n, s)", List.of(SpecAction.SnapMark), List.of(SpecAction.SnapMark),
      "mark the name (V0: R, no mark); outcome: the snapshot's name"),
  SnapCall("client", null, List.of(SpecAction.SnapCall), List.of(SpecAction.SnapCall),
      "`snapshotLvol(data lvol, n-snap-s)`"),
  SnapPublish("client", null, List.of(SpecAction.SnapPublish), List.of(SpecAction.SnapPublish),
      "the chain grows (`ok`) or not (`failed`); returns"),
  SnapDelMark("client", "deleteSnapshot(n, s)", List.of(SpecAction.SnapDelMark), List.of(SpecAction.SnapDelMark),
      "mark the name; outcome: the snapshot's name"),
  SnapDelCall("client", null, List.of(SpecAction.SnapDelCall), List.of(SpecAction.SnapDelCall),
      "`deleteLvol(n-snap-s)`; `notfound` is done"),
  SnapDelPublish("client", null, List.of(SpecAction.SnapDelPublish), List.of(SpecAction.SnapDelPublish),
      "the snapshot leaves the chain; returns"),
  StartMark("client", "start(n)", List.of(SpecAction.StartMark), List.of(SpecAction.StartMark),
      "mark a STOPPED replica"),
  StartLook("client", null, List.of(SpecAction.StartLook), List.of(SpecAction.StartLook),
      "look the head and chain up: `running`, or `nohead` (V4: nothing made; V0: `created`, upstream's prepareHead)"),
  RebuildBegin("client", "beginRebuild(n)", List.of(SpecAction.CreateReserve), List.of(),
      "V4: the create's `CreateReserve` of a REBUILDING slot"),
  RebuildLvol("client", null, List.of(SpecAction.CreateLvol, SpecAction.CreateExpose, SpecAction.CreatePublish),
      List.of(), "V4: `createLvol(n-rebuilding)`, then the create's expose and publish (REBUILDING); returns"),
  RebuildFinishMark("client", "finishRebuild(n)", List.of(SpecAction.RebuildFinishMark), List.of(),
      "mark a REBUILDING replica"),
  RebuildRename("client", null, List.of(SpecAction.RebuildRename), List.of(),
      "`renameLvol(n-rebuilding, n)`"),
  RebuildFinishPublish("client", null, List.of(SpecAction.RebuildFinishPublish), List.of(),
      "RUNNING on its new head; returns"),
  RebuildAbortMark("client", "abortRebuild(n)", List.of(SpecAction.DeleteMark), List.of(),
      "V4: the delete's `DeleteMark` (`found`) of a REBUILDING replica"),
  RebuildAbortDelete("client", null, List.of(SpecAction.DeleteRlvol, SpecAction.DeleteLvol, SpecAction.DeleteProbe),
      List.of(), "V4: `deleteLvol(n-rebuilding)`, of its chain, of `n` (`notfound`)"),
  RebuildAbortRemove("client", null, List.of(SpecAction.DeleteRemove), List.of(), "V4: slot removed; returns"),
  VerifyStart("verify", "verify()", List.of(SpecAction.VerifyStart), List.of(SpecAction.VerifyStart),
      "the round's stamp"),
  VerifyList("verify", null, List.of(SpecAction.VerifyList), List.of(SpecAction.VerifyList), "`listLvols()`"),
  VerifyApply("verify", null, List.of(SpecAction.VerifyApply), List.of(SpecAction.VerifyApply),
      "V4: one compare-and-set per name (`skip` = `changed` or `inflight`; a name Java does not visit: `keep`);"
          + " V0: one step for the round (its prune, adoption and validateAndUpdate), compared name by name"),
  VerifyDone("verify", null, List.of(), List.of(), "the round's thread returns"),
  LoseHead("env", null, List.of(), List.of(), "`store.loseLvol(n)`"),
  Restart("env", null, List.of(), List.of(), "close the registry, open a new one over the same store");

  final String process;
  /** The registry call a step of this action starts, or null (a later step of an operation). */
  final String starts;
  final List<SpecAction> v4;
  final List<SpecAction> v0;
  final String what;

  ChainMapping(String process, String starts, List<SpecAction> v4, List<SpecAction> v0, String what) {
    this.process = process;
    this.starts = starts;
    this.v4 = v4;
    this.v0 = v0;
    this.what = what;
  }

  static Optional<ChainMapping> of(String action) {
    return Arrays.stream(values()).filter(m -> m.name().equals(action)).findFirst();
  }

  /** The Java steps of this action in {@code variant}'s registry (V0..V3: {@code HistoricalRegistry}). */
  List<SpecAction> steps(dev.replicalifecycle.registry.variants.Variant variant) {
    return variant == dev.replicalifecycle.registry.variants.Variant.V4 ? v4 : v0;
  }

  /** Whether Java's first step's {@code java} outcome is the spec's {@code spec} outcome. */
  boolean outcomeMatches(String spec, String java) {
    return switch (this) {
      case VerifyApply -> spec.equals(java) || (spec.equals("skip") && Set.of("changed", "inflight").contains(java));
      case RebuildAbortMark -> spec.equals("ok") && java.equals("found");
      case RebuildAbortDelete -> spec.equals("ok") && java.equals("ok"); // its rebuilding lvol is there
      default -> spec.equals(java);
    };
  }

  /** The mapping as a markdown table. */
  static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| spec action (`ReplicaChains`) | process | starts | Java V4 steps | Java V0..V3 steps | what |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (ChainMapping m : values()) {
      sb.append("| `").append(m.name()).append("` | ").append(m.process).append(" | ")
          .append(m.starts == null ? "" : "`" + m.starts + "`").append(" | ").append(names(m.v4)).append(" | ")
          .append(m.v0.isEmpty() && !m.v4.isEmpty() ? "(not in V0's traces)" : names(m.v0)).append(" | ")
          .append(m.what).append(" |\n");
    }
    return sb.toString();
  }

  private static String names(List<SpecAction> steps) {
    return String.join(", ", steps.stream().map(s -> "`" + s + "`").toList());
  }
}
