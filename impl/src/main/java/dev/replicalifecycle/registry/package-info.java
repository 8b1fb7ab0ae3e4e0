/**
 * The replica registry: the map from replica name to replica that an SPDK storage engine keeps,
 * reconciled with the store's lvols by verify rounds that can never lose a replica to a
 * concurrent create (the "stamped verify" design, variant V4 of {@code spec/}).
 *
 * <p>Start with {@link dev.replicalifecycle.registry.ReplicaRegistry#builder}. Everything
 * returned is immutable ({@link dev.replicalifecycle.registry.Replica}, {@link
 * dev.replicalifecycle.registry.VerifyReport}); failures are the sealed {@link
 * dev.replicalifecycle.registry.ReplicaException} hierarchy plus {@link
 * dev.replicalifecycle.registry.InvalidReplicaNameException} for bad names. {@link
 * dev.replicalifecycle.registry.SpecAction} and {@link
 * dev.replicalifecycle.registry.StepListener} expose the atomic steps, named as in the spec, for
 * tracing and conformance tests.
 *
 * <p>Thread-safety and linearizability are stated on {@link
 * dev.replicalifecycle.registry.ReplicaRegistry}.
 */
package dev.replicalifecycle.registry;
