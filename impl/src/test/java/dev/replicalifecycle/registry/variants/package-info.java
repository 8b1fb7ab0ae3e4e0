/**
 * Test-only registries of every behaviour of {@code spec/ReplicaLifecycle.tla}: the historical
 * V0..V3 ({@code HistoricalRegistry}, one class whose methods are the spec's actions) and V4 (the
 * library's registry behind an adapter), opened with {@link
 * dev.replicalifecycle.registry.variants.Variants#open}. Each reports its atomic steps to a
 * {@link dev.replicalifecycle.registry.StepListener} with the spec's action names and outcome
 * words, so that the same schedules (hand-written, fuzzed, or replayed from TLC traces) can drive
 * any variant, and each implements {@link dev.replicalifecycle.registry.variants.Introspectable}
 * so that {@code OneObjectPerName} can be checked in Java.
 *
 * <p>{@link dev.replicalifecycle.registry.variants.StepScheduler} orders the steps of concurrent
 * operations for deterministic tests. All types here are thread-safe unless they say otherwise.
 */
package dev.replicalifecycle.registry.variants;
