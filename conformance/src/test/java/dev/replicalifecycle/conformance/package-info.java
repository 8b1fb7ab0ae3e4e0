/**
 * Conformance between {@code spec/ReplicaLifecycle.tla} and the Java registries, in both
 * directions (test-only; see {@code conformance/README.md}):
 *
 * <ul>
 *   <li>spec to Java: {@link dev.replicalifecycle.conformance.CounterexampleReplayTest} replays
 *       TLC's counterexamples on the Java variants with {@link
 *       dev.replicalifecycle.conformance.Replayer} and {@link
 *       dev.replicalifecycle.conformance.ReplayScheduler};
 *   <li>Java to spec: {@link dev.replicalifecycle.conformance.TraceValidationTest} records Java
 *       executions with {@link dev.replicalifecycle.conformance.Recorder} and validates them with
 *       TLC ({@link dev.replicalifecycle.conformance.TraceValidator});
 *   <li>spec to tests: {@link dev.replicalifecycle.conformance.GeneratedBehaviourTest} replays
 *       behaviours from TLC's simulation mode ({@link dev.replicalifecycle.conformance.Simulation}).
 * </ul>
 *
 * <p>{@link dev.replicalifecycle.conformance.SpecMapping} is the one table that ties spec actions
 * to Java steps. TLC always runs in child JVMs ({@link dev.replicalifecycle.conformance.Tlc}).
 * Classes here are not thread-safe unless they say so.
 */
package dev.replicalifecycle.conformance;
