package dev.replicalifecycle.registry;

/**
 * Observes the registry's atomic steps (see {@link SpecAction}). For tracing and conformance
 * testing against the spec; ordinary users do not need it. Without a listener the registry does
 * no work for it beyond one {@code null} check per step.
 *
 * <p>Both methods run on the thread taking the step, outside any registry lock and outside any
 * store call. Every {@code beforeStep} is followed by exactly one {@code afterStep} on the same
 * thread, with no other step of that thread in between; a listener that holds a lock from one to
 * the other therefore sees the steps of all threads in the order they took effect. They must
 * not call the registry. {@link #beforeStep} may block, which is how a deterministic scheduler
 * orders the steps of concurrent operations; {@link #afterStep} should return quickly.
 */
public interface StepListener {

  /**
   * Called just before a step is taken.
   *
   * @param action the step about to be taken
   * @param name the replica name, or {@code null} for verify's round-level steps
   */
  default void beforeStep(SpecAction action, String name) {}

  /** Called right after a step took effect, with its outcome. */
  default void afterStep(Step step) {}
}
