package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreTimeoutException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@link LvolStore} over one SPDK lvol store, through a {@link JsonRpcClient}.
 *
 * <table>
 *   <caption>Store calls and the SPDK methods they use</caption>
 *   <tr><th>store call</th><th>SPDK request</th></tr>
 *   <tr><td>{@link #listLvols()}</td><td>{@code bdev_get_bdevs} without params; keeps the
 *       bdevs with {@code product_name} "Logical Volume" and a {@code driver_specific.lvol}
 *       object that belong to the configured lvol store; the lvol name is the part after
 *       {@code <lvs>/} of the single alias, the size is {@code num_blocks * block_size}</td></tr>
 *   <tr><td>{@link #createLvol(String, long)}</td><td>{@code bdev_lvol_create} with {@code
 *       thin_provision: true}, {@code size_in_mib} rounded up from bytes, {@code clear_method:
 *       "unmap"}, and {@code uuid} or {@code lvs_name} as configured</td></tr>
 *   <tr><td>{@link #deleteLvol(String)}</td><td>{@code bdev_lvol_delete} with {@code name:
 *       "<lvs>/<lvol>"}</td></tr>
 *   <tr><td>{@link #lvstore()}</td><td>{@code bdev_lvol_get_lvstores} with {@code uuid} or
 *       {@code lvs_name}</td></tr>
 * </table>
 *
 * <table>
 *   <caption>How SPDK answers become store exceptions</caption>
 *   <tr><th>answer</th><th>create</th><th>delete</th><th>list, lvstore</th></tr>
 *   <tr><td>-17 (EEXIST)</td><td>{@link LvolAlreadyExistsException}</td>
 *       <td>{@link StoreRejectedException}</td><td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>-19 (ENODEV)</td><td>{@link StoreRejectedException} (no such lvol store)</td>
 *       <td>{@link LvolNotFoundException}</td><td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>-32602 "File exists" (async create failure)</td><td>{@link
 *       LvolAlreadyExistsException}</td><td>{@link StoreRejectedException}</td>
 *       <td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>-32603 "No such device" (async delete failure)</td><td>{@link
 *       StoreRejectedException}</td><td>{@link LvolNotFoundException}</td>
 *       <td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>any other error answer (-16 EBUSY, -22 EINVAL, -32602/-32603 with another text,
 *       ...)</td><td colspan="3">{@link StoreRejectedException} with the code and message as
 *       SPDK sent them</td></tr>
 *   <tr><td>no answer within the timeout</td><td colspan="3">{@link StoreTimeoutException}
 *       (outcome unknown)</td></tr>
 *   <tr><td>connection refused, broken or closed</td><td colspan="3">{@link
 *       StoreUnavailableException} (outcome unknown)</td></tr>
 *   <tr><td>malformed answer (bad JSON, limits exceeded, unknown id, wrong types, result of the
 *       wrong shape)</td><td colspan="3">{@link StoreUnavailableException} whose cause is a
 *       {@link JsonRpcException} of kind {@link JsonRpcException.Kind#PROTOCOL} (outcome
 *       unknown)</td></tr>
 * </table>
 *
 * <p>The lvol store is named by UUID or by name. The other one, and the cluster size (lvols are
 * allocated in whole clusters, so {@link #createLvol} reports the size rounded up to it, as the
 * listing shows it), come from {@code bdev_lvol_get_lvstores} on first need and are cached; a
 * listing that shows the store under a new name (renamed lvol store) updates the cached name.
 *
 * <p>The store does not own the client: close the client when done.
 *
 * <p><b>Thread-safety:</b> safe for concurrent use. Each method is one SPDK request (plus, once,
 * the lvol store lookup), atomic on the SPDK side; ordering between threads is SPDK's.
 */
public final class SpdkLvolStore implements LvolStore {

  /** What {@code bdev_get_bdevs} reports as {@code product_name} for an lvol. */
  static final String LVOL_PRODUCT_NAME = "Logical Volume";

  static final long MIB = 1L << 20;

  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Facts about the lvol store, from {@code bdev_lvol_get_lvstores}. */
  public record LvstoreInfo(
      String name,
      String uuid,
      String baseBdev,
      long clusterSize,
      long blockSize,
      long freeClusters,
      long totalDataClusters) {}

  private enum Op {
    CREATE("bdev_lvol_create"),
    DELETE("bdev_lvol_delete"),
    LIST("bdev_get_bdevs"),
    FIND("bdev_get_bdevs"),
    LVSTORES("bdev_lvol_get_lvstores");

    final String method;

    Op(String method) {
      this.method = method;
    }
  }

  private final RpcCaller rpc;
  private final JsonCodec codec;
  private final String configuredName; // exactly one of these two is non-null
  private final String configuredUuid;
  private volatile LvstoreInfo cached;

  SpdkLvolStore(RpcCaller rpc, JsonCodec codec, String lvsName, String lvsUuid) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.codec = Objects.requireNonNull(codec, "codec");
    if ((lvsName == null) == (lvsUuid == null)) {
      throw new IllegalArgumentException("exactly one of lvstore name and UUID must be set");
    }
    if (lvsName != null && (lvsName.isEmpty() || lvsName.contains("/"))) {
      throw new IllegalArgumentException("bad lvstore name: " + lvsName);
    }
    if (lvsUuid != null && !UUID_TEXT.matcher(lvsUuid).matches()) {
      throw new IllegalArgumentException("bad lvstore UUID: " + lvsUuid);
    }
    this.configuredName = lvsName;
    this.configuredUuid = lvsUuid;
  }

  /** A builder for a store that talks through {@code client}. */
  public static Builder builder(JsonRpcClient client) {
    return new Builder(client);
  }

  @Override
  public Lvol createLvol(String name, long sizeBytes) throws StoreException {
    Objects.requireNonNull(name, "name");
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("sizeBytes must be > 0: " + sizeBytes);
    }
    LvstoreInfo lvs = lvstoreInfo();
    long mib = ceilDiv(sizeBytes, MIB);
    Messages.CreateParams params =
        new Messages.CreateParams(name, mib, true, configuredUuid, configuredName, "unmap");
    JsonNode result = call(Op.CREATE, name, params);
    if (!result.isTextual() || !UUID_TEXT.matcher(result.textValue()).matches()) {
      throw malformed(Op.CREATE, name, "result is not a UUID string: " + abbreviate(result), null);
    }
    long size;
    try {
      size = Math.multiplyExact(ceilDiv(Math.multiplyExact(mib, MIB), lvs.clusterSize()),
          lvs.clusterSize());
    } catch (ArithmeticException e) {
      throw malformed(Op.CREATE, name, "size overflows", e);
    }
    return Lvol.of(name, result.textValue(), size);
  }

  @Override
  public void deleteLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    String lvsName = configuredName != null ? configuredName : lvstoreInfo().name();
    JsonNode result = call(Op.DELETE, name, new Messages.DeleteParams(lvsName + "/" + name));
    if (!result.isBoolean() || !result.booleanValue()) {
      throw malformed(Op.DELETE, name, "result is not true: " + abbreviate(result), null);
    }
  }

  @Override
  public List<Lvol> listLvols() throws StoreException {
    JsonNode result = call(Op.LIST, "", null);
    return decodeListing(result);
  }

  /**
   * {@code bdev_get_bdevs} with {@code name: "<lvs>/<name>"}: one lvol, or empty when SPDK
   * answers -19 (no such bdev).
   */
  @Override
  public Optional<Lvol> findLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    String lvsName = configuredName != null ? configuredName : lvstoreInfo().name();
    JsonNode result;
    try {
      result = rpc.call(Op.FIND.method, new Messages.BdevQuery(lvsName + "/" + name, null));
    } catch (JsonRpcException e) {
      if (e.kind() == JsonRpcException.Kind.ERROR_RESPONSE
          && e.code() == LvolNotFoundException.CODE) {
        return Optional.empty();
      }
      throw map(Op.FIND, name, e);
    }
    for (Lvol lvol : decodeListing(result)) {
      if (lvol.name().equals(name)) {
        return Optional.of(lvol);
      }
    }
    return Optional.empty();
  }

  /**
   * Asks SPDK for the configured lvol store ({@code bdev_lvol_get_lvstores}) and refreshes the
   * cached facts. Useful as a start-up check.
   *
   * @throws StoreRejectedException with code -19 if SPDK has no such lvol store
   */
  public LvstoreInfo lvstore() throws StoreException {
    Messages.LvstoreQuery query = new Messages.LvstoreQuery(configuredUuid, configuredName);
    String what = configuredName != null ? configuredName : configuredUuid;
    JsonNode result = call(Op.LVSTORES, what, query);
    if (!result.isArray()) {
      throw malformed(Op.LVSTORES, what, "result is not an array", null);
    }
    LvstoreInfo found = null;
    for (JsonNode node : result) {
      Messages.LvstoreEntry e = decode(Op.LVSTORES, what, node, Messages.LvstoreEntry.class);
      boolean ours = configuredName != null
          ? configuredName.equals(e.name())
          : configuredUuid.equalsIgnoreCase(String.valueOf(e.uuid()));
      if (!ours) {
        continue;
      }
      if (found != null) {
        throw malformed(Op.LVSTORES, what, "lvol store listed twice", null);
      }
      if (e.name() == null || e.uuid() == null || e.clusterSize() == null
          || e.clusterSize() <= 0 || e.blockSize() == null || e.blockSize() <= 0) {
        throw malformed(Op.LVSTORES, what, "lvol store entry lacks name, uuid or sizes", null);
      }
      found = new LvstoreInfo(e.name(), e.uuid(), e.baseBdev(), e.clusterSize(), e.blockSize(),
          orZero(e.freeClusters()), orZero(e.totalDataClusters()));
    }
    if (found == null) {
      throw malformed(Op.LVSTORES, what, "configured lvol store not in the answer", null);
    }
    cached = found;
    return found;
  }

  /** The configured lvol store name, or {@code null} if it is configured by UUID. */
  String configuredName() {
    return configuredName;
  }

  private LvstoreInfo lvstoreInfo() throws StoreException {
    LvstoreInfo info = cached;
    return info != null ? info : lvstore();
  }

  List<Lvol> decodeListing(JsonNode result) throws StoreException {
    if (!result.isArray()) {
      throw malformed(Op.LIST, "", "result is not an array: " + abbreviate(result), null);
    }
    List<Lvol> lvols = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int index = 0;
    for (JsonNode node : result) {
      String where = "entry " + index++;
      if (!node.isObject()) {
        throw malformed(Op.LIST, "", where + " is not an object", null);
      }
      // Decide by the tree first: bdevs of other kinds are skipped whatever their shape.
      JsonNode product = node.get("product_name");
      JsonNode driver = node.get("driver_specific");
      if (product == null || !LVOL_PRODUCT_NAME.equals(product.textValue())
          || driver == null || !driver.isObject() || driver.get("lvol") == null) {
        continue;
      }
      Messages.Bdev bdev = decode(Op.LIST, where, node, Messages.Bdev.class);
      Messages.LvolInfo info = bdev.driverSpecific().lvol();
      if (info == null || bdev.aliases() == null || bdev.aliases().contains(null)) {
        throw malformed(Op.LIST, "", where + ": lvol without lvol info or aliases", null);
      }
      boolean ours;
      if (configuredUuid != null) {
        ours = configuredUuid.equalsIgnoreCase(String.valueOf(info.lvolStoreUuid()));
      } else {
        String prefix = configuredName + "/";
        ours = bdev.aliases().stream().anyMatch(a -> a.startsWith(prefix));
      }
      if (!ours) {
        continue;
      }
      if (bdev.aliases().size() != 1) {
        throw malformed(Op.LIST, "", where + ": lvol with " + bdev.aliases().size()
            + " aliases, expected one <lvs>/<lvol>", null);
      }
      String alias = bdev.aliases().get(0);
      int slash = alias.indexOf('/');
      if (slash <= 0 || slash == alias.length() - 1 || alias.indexOf('/', slash + 1) >= 0) {
        throw malformed(Op.LIST, "", where + ": alias is not <lvs>/<lvol>: " + alias, null);
      }
      String lvsName = alias.substring(0, slash);
      String lvolName = alias.substring(slash + 1);
      String uuid = bdev.uuid() != null ? bdev.uuid() : bdev.name();
      if (uuid == null || uuid.isEmpty()) {
        throw malformed(Op.LIST, "", where + ": lvol without uuid or name", null);
      }
      if (bdev.blockSize() == null || bdev.numBlocks() == null || bdev.blockSize() <= 0
          || bdev.numBlocks() < 0) {
        throw malformed(Op.LIST, "", where + ": lvol without a valid block_size/num_blocks",
            null);
      }
      long size;
      try {
        size = Math.multiplyExact(bdev.blockSize(), bdev.numBlocks());
      } catch (ArithmeticException e) {
        throw malformed(Op.LIST, "", where + ": size overflows", e);
      }
      if (!names.add(lvolName)) {
        throw malformed(Op.LIST, "", "lvol " + lvolName + " listed twice", null);
      }
      if (configuredUuid != null) {
        noteName(lvsName);
      }
      lvols.add(Lvol.of(lvolName, uuid, size));
    }
    lvols.sort(Comparator.comparing(Lvol::name));
    return List.copyOf(lvols);
  }

  private void noteName(String lvsName) {
    LvstoreInfo info = cached;
    if (info != null && !info.name().equals(lvsName)) {
      cached = new LvstoreInfo(lvsName, info.uuid(), info.baseBdev(), info.clusterSize(),
          info.blockSize(), info.freeClusters(), info.totalDataClusters());
    }
  }

  private JsonNode call(Op op, String what, Object params) throws StoreException {
    try {
      return rpc.call(op.method, params);
    } catch (JsonRpcException e) {
      throw map(op, what, e);
    }
  }

  /** The error-mapping table of the class documentation. */
  private static StoreException map(Op op, String what, JsonRpcException e) {
    String context = op.method + (what.isEmpty() ? "" : " " + what);
    switch (e.kind()) {
      case TIMEOUT:
        return new StoreTimeoutException(context + ": " + e.getMessage(), e);
      case UNAVAILABLE:
        return new StoreUnavailableException(context + ": " + e.getMessage(), e);
      case PROTOCOL:
        return new StoreUnavailableException(context + ": protocol error: " + e.getMessage(), e);
      case ERROR_RESPONSE:
      default:
        break;
    }
    int code = e.code();
    String message = e.serverMessage();
    if (op == Op.CREATE
        && (code == LvolAlreadyExistsException.CODE
            || (code == -32602 && "File exists".equals(message)))) {
      return new LvolAlreadyExistsException(message + " (" + context + ", code " + code + ")");
    }
    if (op == Op.DELETE
        && (code == LvolNotFoundException.CODE
            || (code == -32603 && "No such device".equals(message)))) {
      return new LvolNotFoundException(message + " (" + context + ", code " + code + ")");
    }
    return new StoreRejectedException(code, message);
  }

  private <T> T decode(Op op, String what, JsonNode node, Class<T> type) throws StoreException {
    try {
      return codec.treeToValue(node, type);
    } catch (IOException e) {
      throw malformed(op, what, type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static StoreUnavailableException malformed(
      Op op, String what, String detail, Throwable cause) {
    JsonRpcException protocol =
        JsonRpcException.protocol(op.method + ": malformed result: " + detail, cause);
    return (StoreUnavailableException) map(op, what, protocol);
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  /** Builds a {@link SpdkLvolStore}; set exactly one of the lvol store name and UUID. */
  public static final class Builder {
    private final JsonRpcClient client;
    private String lvsName;
    private String lvsUuid;

    private Builder(JsonRpcClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Names the lvol store by name: requests use {@code lvs_name}. */
    public Builder lvstoreName(String name) {
      this.lvsName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Names the lvol store by UUID: requests use {@code uuid} (as Longhorn does). */
    public Builder lvstoreUuid(String uuid) {
      this.lvsUuid = Objects.requireNonNull(uuid, "uuid");
      return this;
    }

    /**
     * Builds the store. Does not contact SPDK; call {@link SpdkLvolStore#lvstore()} to check.
     *
     * @throws IllegalArgumentException unless exactly one of name and UUID was set, well formed
     */
    public SpdkLvolStore build() {
      return new SpdkLvolStore(client::call, client.codec(), lvsName, lvsUuid);
    }
  }
}
