/**
 * The lvol store SPI: what the replica registry needs from SPDK, and nothing more.
 *
 * <p>{@link dev.replicalifecycle.store.LvolStore} has three calls (create, delete, list) that
 * each behave like one SPDK JSON-RPC request: atomic on the store side, and either applied or
 * not. Failures are the sealed {@link dev.replicalifecycle.store.StoreException} hierarchy, so a
 * caller can handle every case:
 *
 * <ul>
 *   <li>{@link dev.replicalifecycle.store.LvolAlreadyExistsException}: the name is taken (SPDK -17
 *       EEXIST); nothing was applied.
 *   <li>{@link dev.replicalifecycle.store.LvolNotFoundException}: no such lvol (SPDK -19 ENODEV);
 *       nothing was applied.
 *   <li>{@link dev.replicalifecycle.store.StoreRejectedException}: any other error answer, with
 *       the code and message kept; nothing was applied.
 *   <li>{@link dev.replicalifecycle.store.StoreUnavailableException} (store unreachable or the
 *       connection broke), {@link dev.replicalifecycle.store.StoreTimeoutException} (no answer in
 *       time) and {@link dev.replicalifecycle.store.StoreProtocolException} (the store answered
 *       something malformed): the outcome is <em>unknown</em> (the request may or may not have
 *       been applied).
 * </ul>
 *
 * <p>{@link dev.replicalifecycle.store.InMemoryLvolStore} is a thread-safe implementation with
 * fault injection, for tests, examples and benchmarks.
 */
package dev.replicalifecycle.store;
