/**
 * Stateful property runs of the replica registry (test-only): a typed action-sequence harness
 * that does not depend on the fuzzer.
 *
 * <ul>
 *   <li>{@link dev.replicalifecycle.registry.property.Op}: operations as records (create, delete,
 *       get, verify, store faults, lvol loss, orphan lvols, restart, and two threads run under a
 *       schedule);
 *   <li>{@link dev.replicalifecycle.registry.property.Harness}: the model loop, checking the
 *       properties of {@code spec/ReplicaLifecycle.tla} under their spec names after every step,
 *       plus agreement with {@link dev.replicalifecycle.registry.property.SequentialModel} and a
 *       settle phase;
 *   <li>{@link dev.replicalifecycle.registry.property.Interleaver}: runs the two threads of a
 *       concurrent op one step at a time, in the order the input chooses (deterministic);
 *   <li>{@link dev.replicalifecycle.registry.property.Minimiser}: ddmin over failing sequences;
 *   <li>{@link dev.replicalifecycle.registry.property.OpCodec}: bytes or a seeded random source to
 *       ops, and ops to bytes (seed files);
 *   <li>{@link dev.replicalifecycle.registry.property.Subject}: the registry under test (V4 from
 *       the library, or any variant of {@code registry.variants}).
 * </ul>
 *
 * <p>Drivers: {@code RegistryPropertyFuzzTest} (Jazzer, V4), {@code V4PropertyTest}, {@code
 * VariantPropertiesTest} (the same properties catch V0..V3), {@code UpstreamScenarioTest} (the
 * upstream reproducer, ported), {@code FuzzSeedsTest} (the committed seed inputs).
 */
package dev.replicalifecycle.registry.property;
