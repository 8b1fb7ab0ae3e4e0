package dev.replicalifecycle.registry;

import java.util.Objects;

/**
 * One atomic step the registry took.
 *
 * @param action the spec action
 * @param name the replica name, or {@code null} for {@link SpecAction#VerifyStart} and {@link
 *     SpecAction#VerifyList}
 * @param outcome what happened, with the spec's words: for example {@code ok}, {@code exists},
 *     {@code fail}, {@code timeout}, {@code notfound}, {@code running}, {@code removed}, {@code
 *     error}, {@code absent}, {@code found}, {@code busy} (a {@link SpecAction#DeleteMark} try
 *     that found a create or delete of the name in flight, or a {@link SpecAction#CreateReserve}
 *     try that found a delete in flight: nothing happened and the operation waits for it; not a
 *     spec step), and for {@link SpecAction#VerifyApply} the decision
 *     {@code changed}, {@code inflight}, {@code error}, {@code adopt} or {@code keep}
 * @param version the registry's change counter right after the step (for {@link
 *     SpecAction#VerifyStart}: the round's stamp)
 */
public record Step(SpecAction action, String name, String outcome, long version) {
  /** Checks that action and outcome are present. */
  public Step {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
  }
}
