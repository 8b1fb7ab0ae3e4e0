/**
 * The lvol store over SPDK: a JSON-RPC 2.0 client for {@code spdk_tgt}'s Unix socket and an
 * {@link dev.replicalifecycle.store.LvolStore} built on it.
 *
 * <ul>
 *   <li>{@link dev.replicalifecycle.spdk.JsonRpcClient}: one multiplexed connection, per-call
 *       timeouts, reconnect after a broken connection, bounded input. Thread-safe.
 *   <li>{@link dev.replicalifecycle.spdk.SpdkLvolStore}: {@code bdev_get_bdevs}, {@code
 *       bdev_lvol_create}, {@code bdev_lvol_delete} and {@code bdev_lvol_get_lvstores}, with
 *       SPDK's error codes mapped onto the store exceptions (the table is in its documentation).
 *       Thread-safe.
 *   <li>{@link dev.replicalifecycle.spdk.JsonRpcException}: a failed call, by kind.
 * </ul>
 *
 * <p>Everything else in the package is an implementation detail.
 */
package dev.replicalifecycle.spdk;
