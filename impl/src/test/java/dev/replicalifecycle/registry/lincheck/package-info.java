/**
 * Lincheck tests of the registry against the sequential model ({@link
 * dev.replicalifecycle.registry.model.RegistryModel} via {@link
 * dev.replicalifecycle.registry.lincheck.RegistrySequentialSpec}).
 *
 * <p>{@link dev.replicalifecycle.registry.lincheck.StampedLincheckTest}: V4 in stress and
 * model-checking mode, with what is and is not claimed. {@link
 * dev.replicalifecycle.registry.lincheck.HistoricalLincheckTest}: V0, V1, V2 (and V3) reported
 * not linearizable on their known races, with the interleaving printed. Budgets: {@link
 * dev.replicalifecycle.registry.lincheck.LincheckSupport}.
 */
package dev.replicalifecycle.registry.lincheck;
