package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The JSON-RPC messages and SPDK payloads, one record each. Field names follow SPDK's JSON;
 * unknown fields are ignored (the codec is configured so), absent fields are {@code null}.
 */
final class Messages {
  private Messages() {}

  /** A request envelope. {@code params} is omitted when null (SPDK's "no params"). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Request(
      @JsonProperty("jsonrpc") String jsonrpc,
      @JsonProperty("id") long id,
      @JsonProperty("method") String method,
      @JsonProperty("params") Object params) {}

  /**
   * A response envelope. {@code id}, {@code result} and {@code error} are kept as trees so that
   * an absent member ({@code null}) can be told apart from a JSON {@code null} ({@code NullNode})
   * and checked by hand.
   */
  record Response(
      @JsonProperty("jsonrpc") String jsonrpc,
      @JsonProperty("id") JsonNode id,
      @JsonProperty("result") JsonNode result,
      @JsonProperty("error") JsonNode error) {}

  /** A JSON-RPC error object. {@code data} is optional and unused. */
  record ErrorObject(
      @JsonProperty("code") Integer code,
      @JsonProperty("message") String message,
      @JsonProperty("data") JsonNode data) {}

  /** Params of {@code bdev_lvol_create}; exactly one of {@code uuid} and {@code lvsName} is set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record CreateParams(
      @JsonProperty("lvol_name") String lvolName,
      @JsonProperty("size_in_mib") long sizeInMib,
      @JsonProperty("thin_provision") boolean thinProvision,
      @JsonProperty("uuid") String uuid,
      @JsonProperty("lvs_name") String lvsName,
      @JsonProperty("clear_method") String clearMethod) {}

  /** Params of {@code bdev_lvol_delete}: a bdev name, UUID or {@code <lvs>/<lvol>} alias. */
  record DeleteParams(@JsonProperty("name") String name) {}

  /** Params of {@code bdev_lvol_snapshot}: the lvol as {@code <lvs>/<lvol>}, the snapshot's name. */
  record SnapshotParams(
      @JsonProperty("lvol_name") String lvolName,
      @JsonProperty("snapshot_name") String snapshotName) {}

  /** Params of {@code bdev_lvol_clone}: the snapshot as {@code <lvs>/<lvol>}, the clone's name. */
  record CloneParams(
      @JsonProperty("snapshot_name") String snapshotName,
      @JsonProperty("clone_name") String cloneName) {}

  /** Params of {@code bdev_lvol_rename}: the lvol as {@code <lvs>/<lvol>}, its new name. */
  record RenameParams(
      @JsonProperty("old_name") String oldName, @JsonProperty("new_name") String newName) {}

  /** Params of {@code bdev_lvol_get_lvstores}; at most one of the two is set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record LvstoreQuery(@JsonProperty("uuid") String uuid, @JsonProperty("lvs_name") String lvsName) {}

  /** Params of {@code bdev_get_bdevs} by name (the store's {@code findLvol}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record BdevQuery(@JsonProperty("name") String name, @JsonProperty("timeout") Long timeout) {}

  /** One entry of {@code bdev_get_bdevs}: the fields the store reads. */
  record Bdev(
      @JsonProperty("name") String name,
      @JsonProperty("aliases") List<String> aliases,
      @JsonProperty("product_name") String productName,
      @JsonProperty("block_size") Long blockSize,
      @JsonProperty("num_blocks") Long numBlocks,
      @JsonProperty("uuid") String uuid,
      @JsonProperty("driver_specific") DriverSpecific driverSpecific) {}

  /** {@code driver_specific} of a bdev; only the lvol part is read. */
  record DriverSpecific(@JsonProperty("lvol") LvolInfo lvol) {}

  /**
   * {@code driver_specific.lvol} (module/bdev/lvol/vbdev_lvol.c {@code vbdev_lvol_dump_info_json});
   * fields present in some SPDK versions only are nullable.
   */
  record LvolInfo(
      @JsonProperty("lvol_store_uuid") String lvolStoreUuid,
      @JsonProperty("base_bdev") String baseBdev,
      @JsonProperty("thin_provision") Boolean thinProvision,
      @JsonProperty("snapshot") Boolean snapshot,
      @JsonProperty("clone") Boolean isClone,
      @JsonProperty("base_snapshot") String baseSnapshot,
      @JsonProperty("clones") List<String> clones,
      @JsonProperty("num_allocated_clusters") Long numAllocatedClusters,
      @JsonProperty("esnap_clone") Boolean esnapClone) {}

  /** One entry of {@code bdev_lvol_get_lvstores}. */
  record LvstoreEntry(
      @JsonProperty("uuid") String uuid,
      @JsonProperty("name") String name,
      @JsonProperty("base_bdev") String baseBdev,
      @JsonProperty("free_clusters") Long freeClusters,
      @JsonProperty("cluster_size") Long clusterSize,
      @JsonProperty("total_data_clusters") Long totalDataClusters,
      @JsonProperty("block_size") Long blockSize) {}
}
