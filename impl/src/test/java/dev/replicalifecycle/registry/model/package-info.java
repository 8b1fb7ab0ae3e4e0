/**
 * The sequential model of the replica registry ({@link
 * dev.replicalifecycle.registry.model.RegistryModel}): V4's semantics with every operation one
 * atomic step, the oracle for Lincheck and the property runs. Not thread-safe.
 */
package dev.replicalifecycle.registry.model;
