package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolAlreadyExistsException;
import dev.replicalifecycle.store.LvolBusyException;
import dev.replicalifecycle.store.LvolHasClonesException;
import dev.replicalifecycle.store.LvolKind;
import dev.replicalifecycle.store.LvolListing;
import dev.replicalifecycle.store.LvolNotFoundException;
import dev.replicalifecycle.store.LvolStore;
import dev.replicalifecycle.store.StoreException;
import dev.replicalifecycle.store.StoreRejectedException;
import dev.replicalifecycle.store.StoreProtocolException;
import dev.replicalifecycle.store.StoreTimeoutException;
import dev.replicalifecycle.store.StoreUnavailableException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An {@link LvolStore} over one SPDK lvol store, through a {@link JsonRpcClient}.
 *
 * <table>
 *   <caption>Store calls and the SPDK methods they use</caption>
 *   <tr><th>store call</th><th>SPDK request</th></tr>
 *   <tr><td>{@link #listLvols()}</td><td>{@code bdev_wait_for_examine}, {@code
 *       bdev_lvol_get_lvstores} and {@code bdev_get_bdevs}, all without params; keeps the lvols
 *       of the configured lvol store; the lvol name is the part after {@code <lvs>/} of the
 *       single alias, the size is {@code num_blocks * block_size}</td></tr>
 *   <tr><td>{@link #createLvol(String, long)}</td><td>{@code bdev_lvol_create} with {@code
 *       thin_provision: true}, {@code size_in_mib} rounded up from bytes, {@code clear_method:
 *       "unmap"}, and {@code uuid} or {@code lvs_name} as configured</td></tr>
 *   <tr><td>{@link #deleteLvol(String)}</td><td>{@code bdev_lvol_delete} with {@code name:
 *       "<lvs>/<lvol>"}; after a "no such device", {@code bdev_lvol_get_lvstores}, {@code
 *       bdev_wait_for_examine} and the delete again</td></tr>
 *   <tr><td>{@link #lvstore()}</td><td>{@code bdev_lvol_get_lvstores} with {@code uuid} or
 *       {@code lvs_name}</td></tr>
 *   <tr><td>{@link #snapshotLvol}, {@link #cloneSnapshot}, {@link #renameLvol}</td><td>{@code
 *       bdev_lvol_snapshot} ({@code lvol_name: "<lvs>/<lvol>"}, {@code snapshot_name}), {@code
 *       bdev_lvol_clone} ({@code snapshot_name: "<lvs>/<snapshot>"}, {@code clone_name}), {@code
 *       bdev_lvol_rename} ({@code old_name: "<lvs>/<lvol>"}, {@code new_name}), each followed by
 *       {@code bdev_get_bdevs} of the lvol made; an lvol's {@link Lvol#parent()} is its {@code
 *       base_snapshot} when {@code clone} is true. Answers seen from spdk_tgt v26.05: -32602 "File
 *       exists" (name taken) and -19 (no such lvol) as for a create and a delete; -32602 "Invalid
 *       argument" (a snapshot of a snapshot, a clone of a non-snapshot) and -32602 "Operation not
 *       permitted" (renaming a snapshot) are {@link StoreRejectedException}; {@code
 *       bdev_lvol_delete} of a snapshot with two clones answers -32603 "Operation not permitted",
 *       {@link LvolHasClonesException}</td></tr>
 * </table>
 *
 * <table>
 *   <caption>How SPDK answers become store exceptions</caption>
 *   <tr><th>answer</th><th>create</th><th>delete</th><th>list, lvstore</th></tr>
 *   <tr><td>-17 (EEXIST)</td><td>{@link LvolAlreadyExistsException}</td>
 *       <td>{@link StoreRejectedException}</td><td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>-19 (ENODEV)</td><td>{@link StoreRejectedException} (no such lvol store)</td>
 *       <td>{@link LvolNotFoundException} if the lvol store is listed under the name used and
 *       the delete after the wait gets it too, else {@link StoreRejectedException}</td><td>{@link
 *       StoreRejectedException}</td></tr>
 *   <tr><td>-32602 "File exists" (async create failure)</td><td>{@link
 *       LvolAlreadyExistsException}</td><td>{@link StoreRejectedException}</td>
 *       <td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>-32603 "No such device" (async delete failure)</td><td>{@link
 *       StoreRejectedException}</td><td>{@link LvolNotFoundException}, as for -19</td>
 *       <td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>-32603 "Device or resource busy" (lvol already being deleted)</td><td>{@link
 *       StoreRejectedException}</td><td>{@link LvolBusyException}</td>
 *       <td>{@link StoreRejectedException}</td></tr>
 *   <tr><td>any other error answer (-16 EBUSY, -22 EINVAL, -32602/-32603 with another text,
 *       ...)</td><td colspan="3">{@link StoreRejectedException} with the code and message as
 *       SPDK sent them</td></tr>
 *   <tr><td>no answer within the timeout</td><td colspan="3">{@link StoreTimeoutException}
 *       (outcome unknown)</td></tr>
 *   <tr><td>connection refused, broken or closed</td><td colspan="3">{@link
 *       StoreUnavailableException} (outcome unknown)</td></tr>
 *   <tr><td>malformed answer (bad JSON, limits exceeded, an answer cut off, {@code "id":null},
 *       unknown id, wrong types, result of the wrong shape)</td><td colspan="3">{@link
 *       StoreProtocolException} whose cause is a {@link JsonRpcException} of kind {@link
 *       JsonRpcException.Kind#PROTOCOL} (outcome unknown: the request was sent)</td></tr>
 * </table>
 *
 * <p>The lvol store is named by UUID or by name. The other one, and the cluster size (lvols are
 * allocated in whole clusters, so {@link #createLvol} reports the size rounded up to it, as the
 * listing shows it), come from {@code bdev_lvol_get_lvstores} on first need and are cached; a
 * listing that shows the store under a new name (renamed lvol store) updates the cached name.
 *
 * <p>The store does not own the client: close the client when done.
 *
 * <p><b>Thread-safety:</b> safe for concurrent use. Create and find are one SPDK request each
 * (plus, once, the lvol store lookup), delete one (plus three after a -19), a listing three; each
 * request is atomic on the SPDK side, and ordering between threads is SPDK's. Coverage (two
 * listings in a row) is judged per instance: listings that overlap in time may count each other.
 */
public final class SpdkLvolStore implements LvolStore {

  /** What {@code bdev_get_bdevs} reports as {@code product_name} for an lvol. */
  static final String LVOL_PRODUCT_NAME = "Logical Volume";

  static final long MIB = 1L << 20;

  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Facts about the lvol store, from {@code bdev_lvol_get_lvstores}; the UUID in lower case. */
  public record LvstoreInfo(
      String name,
      String uuid,
      String baseBdev,
      long clusterSize,
      long blockSize,
      long freeClusters,
      long totalDataClusters) {}

  private enum Op {
    WAIT("bdev_wait_for_examine"),
    CREATE("bdev_lvol_create"),
    DELETE("bdev_lvol_delete"),
    SNAPSHOT("bdev_lvol_snapshot"),
    CLONE("bdev_lvol_clone"),
    RENAME("bdev_lvol_rename"),
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
  /** The lvol store's UUID as the previous listing saw it (coverage needs two in a row). */
  private volatile String seenBefore;

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
    // SPDK prints UUIDs in lower case (and parses either): one spelling everywhere, so that an
    // lvol's lvol store and a listing's missing lvol stores compare equal
    this.configuredUuid = lvsUuid == null ? null : lvsUuid.toLowerCase(Locale.ROOT);
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
    return Lvol.of(name, result.textValue(), size, lvs.uuid());
  }

  /**
   * {@code bdev_lvol_delete} by alias. SPDK answers -19 for "no such lvol", for "no such lvol
   * store" (not loaded yet, renamed) and for an lvol whose lvol store is registered but has not
   * opened it yet (examine in progress). So after a -19 (or -32603 "No such device"): {@code
   * bdev_lvol_get_lvstores}; if the lvol store is not listed under the name the request used, a
   * {@link StoreRejectedException} with SPDK's code (nothing applied, the lvol may exist);
   * otherwise {@code bdev_wait_for_examine} (an examine of that lvol store had started, so this
   * waits until its lvols are open) and the delete once more, whose answer is final.
   */
  @Override
  public void deleteLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    String lvsName = lvsName();
    Messages.DeleteParams params = new Messages.DeleteParams(lvsName + "/" + name);
    JsonNode result;
    try {
      result = rpc.call(Op.DELETE.method, params);
    } catch (JsonRpcException e) {
      StoreException mapped = map(Op.DELETE, name, e);
      if (!(mapped instanceof LvolNotFoundException)) {
        throw mapped;
      }
      LvstoreInfo lvs = findLvstore(call(Op.LVSTORES, "", null));
      if (lvs == null || !lvs.name().equals(lvsName)) {
        throw new StoreRejectedException(e.code(), e.serverMessage());
      }
      waitForExamine();
      result = call(Op.DELETE, name, params);
    }
    if (!result.isBoolean() || !result.booleanValue()) {
      throw malformed(Op.DELETE, name, "result is not true: " + abbreviate(result), null);
    }
  }

  /**
   * {@code bdev_lvol_snapshot} with {@code lvol_name: "<lvs>/<name>"}; then {@code bdev_get_bdevs}
   * of the snapshot for what a listing shows of it (its UUID is SPDK's answer).
   */
  @Override
  public Lvol snapshotLvol(String name, String snapshotName) throws StoreException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(snapshotName, "snapshotName");
    String lvsName = lvsName();
    JsonNode result = call(Op.SNAPSHOT, name, new Messages.SnapshotParams(lvsName + "/" + name, snapshotName));
    return made(Op.SNAPSHOT, snapshotName, result);
  }

  /** {@code bdev_lvol_clone} with {@code snapshot_name: "<lvs>/<snapshot>"}; then a look-up. */
  @Override
  public Lvol cloneSnapshot(String snapshotName, String cloneName) throws StoreException {
    Objects.requireNonNull(snapshotName, "snapshotName");
    Objects.requireNonNull(cloneName, "cloneName");
    String lvsName = lvsName();
    JsonNode result = call(Op.CLONE, cloneName, new Messages.CloneParams(lvsName + "/" + snapshotName, cloneName));
    return made(Op.CLONE, cloneName, result);
  }

  /** {@code bdev_lvol_rename} with {@code old_name: "<lvs>/<name>"}; then a look-up. */
  @Override
  public Lvol renameLvol(String name, String newName) throws StoreException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(newName, "newName");
    String lvsName = lvsName();
    JsonNode result = call(Op.RENAME, name, new Messages.RenameParams(lvsName + "/" + name, newName));
    if (!result.isBoolean() || !result.booleanValue()) {
      throw malformed(Op.RENAME, name, "result is not true: " + abbreviate(result), null);
    }
    return lookUpMade(Op.RENAME, newName);
  }

  /** The lvol store's name as requests address it: configured, or looked up from its UUID. */
  private String lvsName() throws StoreException {
    return configuredName != null ? configuredName : lvstoreInfo().name();
  }

  /** The lvol a snapshot or clone call made: its answer must be a UUID; a look-up reads it. */
  private Lvol made(Op op, String name, JsonNode result) throws StoreException {
    if (!result.isTextual() || !UUID_TEXT.matcher(result.textValue()).matches()) {
      throw malformed(op, name, "result is not a UUID string: " + abbreviate(result), null);
    }
    return lookUpMade(op, name);
  }

  /**
   * Looks up the lvol a call just made. Not finding it is a protocol error (outcome unknown: SPDK
   * said it was made, and a concurrent delete may have removed it since).
   */
  private Lvol lookUpMade(Op op, String name) throws StoreException {
    Optional<Lvol> lvol = findLvol(name);
    if (lvol.isEmpty()) {
      throw malformed(op, name, "made, but not found by a look-up right after", null);
    }
    return lvol.get();
  }

  /**
   * Lists the lvols of the configured lvol store and says whether it covered it: {@code
   * bdev_wait_for_examine} (SPDK then has finished examining the bdevs it knows: a loading lvol
   * store has opened its lvols), {@code bdev_lvol_get_lvstores}, {@code bdev_get_bdevs}. The lvol
   * store counts as covered only if this listing and the previous one both saw it: SPDK registers
   * an lvol store while it examines a new bdev before it has opened that store's lvols, so the
   * first listing to see it may lack some. Entries that cannot be read are reported, never fail
   * the listing.
   */
  @Override
  public LvolListing listLvols() throws StoreException {
    LvstoreInfo lvs;
    Decoded d;
    try {
      waitForExamine();
      lvs = findLvstore(call(Op.LVSTORES, "", null));
      JsonNode bdevs = call(Op.LIST, "", null);
      d = lvs == null ? null : decodeListing(bdevs, lvs);
    } catch (StoreException | RuntimeException e) {
      // A failed listing did not see the lvol store (SPDK may be restarting): the next listing
      // to see it is a first one again.
      seenBefore = null;
      throw e;
    }
    String before = seenBefore;
    seenBefore = lvs == null ? null : lvs.uuid();
    if (lvs == null) {
      return new LvolListing(List.of(), Set.of(lvstoreId()), List.of());
    }
    boolean covered = lvs.uuid().equalsIgnoreCase(String.valueOf(before));
    return new LvolListing(d.lvols(), covered ? Set.of() : Set.of(lvs.uuid()), d.unreadable());
  }

  /** {@code bdev_wait_for_examine}; an SPDK without it (-32601) is not waited for. */
  private void waitForExamine() throws StoreException {
    try {
      rpc.call(Op.WAIT.method, null);
    } catch (JsonRpcException e) {
      if (e.kind() == JsonRpcException.Kind.ERROR_RESPONSE && e.code() == -32601) {
        return;
      }
      throw map(Op.WAIT, "", e);
    }
  }

  /**
   * The configured lvol store in a {@code bdev_lvol_get_lvstores} answer, or {@code null} if it is
   * not there (not loaded yet, renamed away, removed). Updates the cached facts.
   */
  private LvstoreInfo findLvstore(JsonNode result) throws StoreException {
    if (!result.isArray()) {
      throw malformed(Op.LVSTORES, "", "result is not an array", null);
    }
    String cachedUuid = cached == null ? null : cached.uuid();
    LvstoreInfo found = null;
    for (JsonNode node : result) {
      if (readablyForeign(node, cachedUuid)) {
        continue; // another lvol store's entry: its other fields are not this store's concern
      }
      Messages.LvstoreEntry e = decode(Op.LVSTORES, "", node, Messages.LvstoreEntry.class);
      boolean ours =
          configuredUuid != null
              ? configuredUuid.equalsIgnoreCase(String.valueOf(e.uuid()))
              : cachedUuid != null
                  ? cachedUuid.equalsIgnoreCase(String.valueOf(e.uuid()))
                      || (configuredName.equals(e.name()))
                  : configuredName.equals(e.name());
      if (!ours) {
        continue;
      }
      if (e.name() == null || e.uuid() == null || e.clusterSize() == null
          || e.clusterSize() <= 0 || e.blockSize() == null || e.blockSize() <= 0) {
        throw malformed(Op.LVSTORES, "", "lvol store entry lacks name, uuid or sizes", null);
      }
      LvstoreInfo info = new LvstoreInfo(e.name(), e.uuid().toLowerCase(Locale.ROOT), e.baseBdev(),
          e.clusterSize(), e.blockSize(), orZero(e.freeClusters()), orZero(e.totalDataClusters()));
      if (found != null && !found.uuid().equalsIgnoreCase(info.uuid())) {
        throw malformed(Op.LVSTORES, "", "two lvol stores match " + lvstoreId(), null);
      }
      found = info;
    }
    if (found != null) {
      cached = found;
    }
    return found;
  }

  /**
   * Whether an entry of {@code bdev_lvol_get_lvstores} is readably another lvol store's: its
   * {@code uuid} is a string that is not the configured (or, configured by name, the cached)
   * UUID, and, configured by name, its {@code name} is a string other than the configured name.
   */
  private boolean readablyForeign(JsonNode node, String cachedUuid) {
    JsonNode uuid = node.get("uuid");
    if (uuid == null || !uuid.isTextual()) {
      return false;
    }
    if (configuredUuid != null) {
      return !configuredUuid.equalsIgnoreCase(uuid.textValue());
    }
    JsonNode name = node.get("name");
    return name != null && name.isTextual() && !configuredName.equals(name.textValue())
        && (cachedUuid == null || !cachedUuid.equalsIgnoreCase(uuid.textValue()));
  }

  /** How listings name the configured lvol store while its UUID is unknown. */
  private String lvstoreId() {
    LvstoreInfo info = cached;
    return configuredUuid != null ? configuredUuid : info != null ? info.uuid() : configuredName;
  }

  /**
   * {@code bdev_get_bdevs} with {@code name: "<lvs>/<name>"}: one lvol, or empty when SPDK
   * answers -19 (no such bdev).
   */
  @Override
  public Optional<Lvol> findLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    String lvsName = lvsName();
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
    Decoded d = decodeListing(result, lvstoreInfo());
    for (Lvol lvol : d.lvols()) {
      if (lvol.name().equals(name)) {
        return Optional.of(lvol);
      }
    }
    for (LvolListing.Unreadable u : d.unreadable()) {
      if (u.names().isEmpty() || u.names().contains(name)) {
        throw malformed(Op.FIND, name, "the entry of lvol " + name + " is unreadable: " + u.reason(), null);
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
      found = new LvstoreInfo(e.name(), e.uuid().toLowerCase(Locale.ROOT), e.baseBdev(),
          e.clusterSize(), e.blockSize(), orZero(e.freeClusters()), orZero(e.totalDataClusters()));
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

  /** A decoded {@code bdev_get_bdevs} answer: the lvols read, the entries that could not be. */
  record Decoded(List<Lvol> lvols, List<LvolListing.Unreadable> unreadable) {}

  /**
   * The lvols of lvol store {@code lvs} in a {@code bdev_get_bdevs} answer, classified from SPDK's
   * fields: a {@code snapshot} is never a head (a backing image is a snapshot); {@code clone} and
   * {@code esnap_clone} say how a head was made (a replica's head is a clone of its last
   * snapshot), not what it is. Bdevs of other kinds and other lvol stores are skipped. An entry of
   * this lvol store (or of an unknown one) that cannot be read (fields of unexpected types, no or
   * several aliases in this lvol store, a duplicate name) is reported as unreadable, with the lvol
   * names it could be.
   *
   * @throws StoreException only if the answer as a whole is not a list
   */
  Decoded decodeListing(JsonNode result, LvstoreInfo lvs) throws StoreException {
    if (!result.isArray()) {
      throw malformed(Op.LIST, "", "result is not an array: " + abbreviate(result), null);
    }
    String prefix = lvs.name() + "/";
    Map<String, Lvol> lvols = new TreeMap<>();
    Set<String> twice = new TreeSet<>();
    List<LvolListing.Unreadable> unreadable = new ArrayList<>();
    int index = 0;
    for (JsonNode node : result) {
      String where = "entry " + index++;
      if (!node.isObject()) {
        unreadable.add(new LvolListing.Unreadable(null, Set.of(), where + " is not an object"));
        continue;
      }
      // Decide by the tree first. A bdev that says it is of another kind (product_name a string
      // other than "Logical Volume") is skipped whatever its shape; so is one with no sign of
      // being an lvol (no such product_name, no driver_specific.lvol, no alias in this lvol
      // store). Any other entry is an lvol, read or reported.
      JsonNode product = node.get("product_name");
      JsonNode driver = node.get("driver_specific");
      JsonNode lvolNode = driver == null ? null : driver.get("lvol"); // null: no object with it
      Set<String> candidates = candidateNames(node.get("aliases"), prefix);
      boolean saysLvol = product != null && LVOL_PRODUCT_NAME.equals(product.textValue());
      boolean saysOther = product != null && product.isTextual() && !saysLvol;
      if (saysOther || (!saysLvol && lvolNode == null && candidates.isEmpty())) {
        continue;
      }
      JsonNode storeUuid = lvolNode == null ? null : lvolNode.get("lvol_store_uuid");
      if (storeUuid == null || !storeUuid.isTextual()) {
        if (candidates.isEmpty() && inOtherLvstore(node.get("aliases"), prefix)) {
          continue; // its aliases place it in another lvol store (lvol store names are unique)
        }
        unreadable.add(new LvolListing.Unreadable(null, candidates,
            where + ": lvol without a readable lvol_store_uuid"));
        continue;
      }
      if (!lvs.uuid().equalsIgnoreCase(storeUuid.textValue())) {
        continue;
      }
      Messages.Bdev bdev;
      try {
        bdev = codec.treeToValue(node, Messages.Bdev.class);
      } catch (IOException e) {
        unreadable.add(new LvolListing.Unreadable(lvs.uuid(), candidates, where + ": " + e.getMessage()));
        continue;
      }
      Messages.LvolInfo info = bdev.driverSpecific() == null ? null : bdev.driverSpecific().lvol();
      String problem = null;
      if (info == null || bdev.aliases() == null || bdev.aliases().contains(null)) {
        problem = "lvol without lvol info or aliases";
      } else if (candidates.size() != 1) {
        problem = "lvol with " + candidates.size() + " aliases in lvol store " + lvs.name()
            + ", expected one <lvs>/<lvol>: " + bdev.aliases();
      } else if ((bdev.uuid() == null || bdev.uuid().isEmpty())
          && (bdev.name() == null || bdev.name().isEmpty())) {
        problem = "lvol without uuid or name";
      } else if (bdev.blockSize() == null || bdev.numBlocks() == null || bdev.blockSize() <= 0
          || bdev.numBlocks() < 0
          || Long.MAX_VALUE / bdev.blockSize() < bdev.numBlocks()) {
        problem = "lvol without a valid block_size/num_blocks";
      }
      if (problem != null) {
        unreadable.add(new LvolListing.Unreadable(lvs.uuid(), candidates, where + ": " + problem));
        continue;
      }
      String lvolName = candidates.iterator().next();
      if (lvols.containsKey(lvolName) || twice.contains(lvolName)) {
        lvols.remove(lvolName);
        twice.add(lvolName);
        continue;
      }
      String uuid = bdev.uuid() != null && !bdev.uuid().isEmpty() ? bdev.uuid() : bdev.name();
      String parent = Boolean.TRUE.equals(info.isClone()) && info.baseSnapshot() != null
          && !info.baseSnapshot().isEmpty() ? info.baseSnapshot() : null;
      lvols.put(lvolName, new Lvol(lvolName, uuid, bdev.blockSize() * bdev.numBlocks(),
          classify(lvolName, info), lvs.uuid(), parent));
    }
    for (String name : twice) {
      unreadable.add(new LvolListing.Unreadable(lvs.uuid(), Set.of(name), "lvol " + name + " listed twice"));
    }
    return new Decoded(List.copyOf(lvols.values()), List.copyOf(unreadable));
  }

  /** The lvol names an entry's aliases give in lvol store {@code prefix}; best effort. */
  private static Set<String> candidateNames(JsonNode aliases, String prefix) {
    Set<String> out = new TreeSet<>();
    if (aliases != null && aliases.isArray()) {
      for (JsonNode a : aliases) {
        String alias = a.textValue();
        if (alias != null && alias.startsWith(prefix) && alias.length() > prefix.length()
            && alias.indexOf('/', prefix.length()) < 0) {
          out.add(alias.substring(prefix.length()));
        }
      }
    }
    return out;
  }

  /**
   * Whether {@code aliases} is a readable list of strings with an alias {@code <lvs>/<lvol>} of
   * another lvol store than {@code prefix}'s and none of this one's.
   */
  private static boolean inOtherLvstore(JsonNode aliases, String prefix) {
    if (aliases == null || !aliases.isArray()) {
      return false;
    }
    boolean other = false;
    for (JsonNode a : aliases) {
      String alias = a.textValue();
      if (alias == null || alias.startsWith(prefix)) {
        return false;
      }
      int slash = alias.indexOf('/');
      other |= slash > 0 && slash < alias.length() - 1 && alias.indexOf('/', slash + 1) < 0;
    }
    return other;
  }

  /** What an lvol is for, from SPDK's fields and its name. */
  static LvolKind classify(String lvolName, Messages.LvolInfo info) {
    LvolKind byName = LvolKind.of(lvolName);
    if (Boolean.TRUE.equals(info.snapshot())) {
      return byName == LvolKind.SNAPSHOT ? LvolKind.SNAPSHOT : LvolKind.OTHER;
    }
    if (byName == LvolKind.HEAD && !dev.replicalifecycle.registry.ReplicaNames.isValid(lvolName)) {
      return LvolKind.OTHER;
    }
    return byName;
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
        return new StoreProtocolException(context + ": protocol error: " + e.getMessage(), e);
      case ERROR_RESPONSE:
      default:
        break;
    }
    int code = e.code();
    String message = e.serverMessage();
    boolean makes = op == Op.CREATE || op == Op.SNAPSHOT || op == Op.CLONE || op == Op.RENAME;
    if (makes
        && (code == LvolAlreadyExistsException.CODE
            || (code == -32602 && "File exists".equals(message)))) {
      return new LvolAlreadyExistsException(message + " (" + context + ", code " + code + ")");
    }
    if (op == Op.DELETE
        && (code == LvolNotFoundException.CODE
            || (code == -32603 && "No such device".equals(message)))) {
      return new LvolNotFoundException(message + " (" + context + ", code " + code + ")");
    }
    if ((op == Op.SNAPSHOT || op == Op.CLONE || op == Op.RENAME) && code == LvolNotFoundException.CODE) {
      return new LvolNotFoundException(message + " (" + context + ", code " + code + ")");
    }
    if (op == Op.DELETE && code == LvolHasClonesException.CODE && "Operation not permitted".equals(message)) {
      return new LvolHasClonesException(message + " (" + context + ": a snapshot with more than one clone, code "
          + code + ")");
    }
    if (op == Op.DELETE && code == LvolBusyException.CODE && "Device or resource busy".equals(message)) {
      return new LvolBusyException(message + " (" + context + ": being deleted, code " + code + ")");
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

  private static StoreProtocolException malformed(
      Op op, String what, String detail, Throwable cause) {
    JsonRpcException protocol =
        JsonRpcException.protocol(op.method + ": malformed result: " + detail, cause);
    return (StoreProtocolException) map(op, what, protocol);
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
