package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicalifecycle.store.Lvol;
import dev.replicalifecycle.store.LvolListing.Unreadable;
import dev.replicalifecycle.store.StoreProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Cases that kill the PIT mutants the other SPDK codec tests let survive: the edges of the
 * listing classification ({@link SpdkLvolStore#decodeListing}), of {@code findLvol}, of the lvol
 * store entry checks, and of {@link JsonMessageReader}'s byte accounting.
 */
class CodecMutantsTest {

  private static final String LVS = "LVS0";
  private static final String UUID = "a9959197-b5e2-4f2d-8095-251ffb6985a5";
  private static final SpdkLvolStore.LvstoreInfo INFO =
      new SpdkLvolStore.LvstoreInfo(LVS, UUID, "Malloc0", 4 << 20, 4096, 1, 1);
  private static final String EXAMINED = answer("true");

  /** JSON with ' for ". */
  private static String j(String s) {
    return s.replace('\'', '"');
  }

  private static String answer(String result) {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + result + "}";
  }

  private static String lvstores(long clusterSize, long blockSize) {
    return answer(j("[{'uuid':'" + UUID + "','name':'" + LVS + "','base_bdev':'Malloc0',"
        + "'free_clusters':1,'cluster_size':" + clusterSize + ",'total_data_clusters':1,"
        + "'block_size':" + blockSize + "}]"));
  }

  /** An lvol entry of the test lvol store; a null {@code name} or {@code uuid} is left out. */
  private static String lvol(String aliases, String name, String uuid, long blockSize,
      long numBlocks) {
    return j("{" + (name == null ? "" : "'name':'" + name + "',")
        + (uuid == null ? "" : "'uuid':'" + uuid + "',")
        + "'aliases':" + aliases + ",'product_name':'Logical Volume','block_size':" + blockSize
        + ",'num_blocks':" + numBlocks + ",'driver_specific':{'lvol':{'lvol_store_uuid':'" + UUID
        + "','snapshot':false}}}");
  }

  private static SpdkLvolStore.Decoded decode(String listing) throws Exception {
    Scripted rpc = new Scripted();
    return new SpdkLvolStore(rpc, rpc.codec(), LVS, null)
        .decodeListing(rpc.codec().mapper().readTree(listing), INFO);
  }

  private static Unreadable unreadable(String lvstore, Set<String> names, String reason) {
    return new Unreadable(lvstore, names, reason);
  }

  @Test
  void listingEntriesAtTheEdgesOfTheClassification() throws Exception {
    long maxBlocks = Long.MAX_VALUE / 4096;
    List<String> entries = List.of(
        "7", // 0: not an object
        j("{'product_name':'Malloc disk','aliases':['LVS0/m'],'name':'m','uuid':'u1',"
            + "'block_size':512,'num_blocks':1,'driver_specific':{'lvol':{'lvol_store_uuid':'"
            + UUID + "'}}}"), // 1: says it is another kind: skipped whatever its shape
        j("{'name':'plain','aliases':[]}"), // 2: no sign of an lvol: skipped
        j("{'name':'a3','aliases':['LVS0/cand']}"), // 3: only an alias here: unreadable
        j("{'product_name':'Logical Volume','name':'a4'}"), // 4: no aliases at all
        j("{'product_name':'Logical Volume','aliases':[5,'other/x']}"), // 5: an alias not a string
        j("{'product_name':'Logical Volume','aliases':['/x']}"), // 6: empty lvol store name
        j("{'product_name':'Logical Volume','aliases':['other/']}"), // 7: empty lvol name
        j("{'product_name':'Logical Volume','aliases':['noslash']}"), // 8: no <lvs>/<lvol>
        j("{'product_name':'Logical Volume','aliases':['other/x']}"), // 9: another store's: skipped
        j("{'driver_specific':{'lvol':{}}}"), // 10: lvol info, no store UUID, no aliases
        lvol("['LVS0/']", "b11", "u11", 4096, 1), // 11: the bare prefix names no lvol
        lvol("['LVS0/r12']", "b12", "u12", 4096, 2), // 12: a good lvol
        lvol("['LVS0/r13']", "b13", "", 4096, 1), // 13: empty uuid: the bdev name stands in
        lvol("['LVS0/r14']", "", null, 4096, 1), // 14: neither uuid nor name
        lvol("['LVS0/r15']", "b15", null, 4096, 1), // 15: no uuid: the bdev name stands in
        lvol("['LVS0/r16']", "b16", "u16", 4096, 0), // 16: zero blocks is a valid size
        lvol("['LVS0/r17']", "b17", "u17", 4096, maxBlocks), // 17: the largest size that fits
        lvol("['LVS0/r18']", "", "u18", 4096, 1), // 18: a uuid and an empty name will do
        lvol("['LVS0/r19']", null, "", 4096, 1)); // 19: an empty uuid and no name will not
    SpdkLvolStore.Decoded d = decode("[" + String.join(",", entries) + "]");

    Map<String, String> lvols = new TreeMap<>();
    for (Lvol l : d.lvols()) {
      assertEquals(UUID, l.lvstore());
      lvols.put(l.name(), l.uuid() + " " + l.sizeBytes());
    }
    assertEquals(Map.of("r12", "u12 8192", "r13", "b13 4096", "r15", "b15 4096", "r16", "u16 0",
        "r17", "u17 " + 4096 * maxBlocks, "r18", "u18 4096"), lvols);

    String noStore = ": lvol without a readable lvol_store_uuid";
    assertEquals(List.of(
        unreadable(null, Set.of(), "entry 0 is not an object"),
        unreadable(null, Set.of("cand"), "entry 3" + noStore),
        unreadable(null, Set.of(), "entry 4" + noStore),
        unreadable(null, Set.of(), "entry 5" + noStore),
        unreadable(null, Set.of(), "entry 6" + noStore),
        unreadable(null, Set.of(), "entry 7" + noStore),
        unreadable(null, Set.of(), "entry 8" + noStore),
        unreadable(null, Set.of(), "entry 10" + noStore),
        unreadable(UUID, Set.of(), "entry 11: lvol with 0 aliases in lvol store LVS0, expected"
            + " one <lvs>/<lvol>: [LVS0/]"),
        unreadable(UUID, Set.of("r14"), "entry 14: lvol without uuid or name"),
        unreadable(UUID, Set.of("r19"), "entry 19: lvol without uuid or name")),
        d.unreadable());
  }

  @Test
  void findLvolByNameAsksForTheBdevFirst() throws Exception {
    // configured by name, findLvol needs no lvol store facts to learn the lvol is absent
    Scripted rpc = new Scripted().answer("bdev_get_bdevs",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-19,\"message\":\"No such device\"}}");
    assertEquals(Optional.empty(), new SpdkLvolStore(rpc, rpc.codec(), LVS, null).findLvol("r1"));
    assertEquals(List.of("bdev_get_bdevs"), rpc.sent().stream().map(Scripted.Sent::method).toList());
    assertEquals("LVS0/r1", rpc.sent().get(0).request().get("params").get("name").textValue());
  }

  @Test
  void findLvolAndUnreadableEntries() throws Exception {
    // an unreadable entry that could be any lvol fails the look-up
    Scripted any = new Scripted().answer("bdev_lvol_get_lvstores", lvstores(4 << 20, 4096))
        .answer("bdev_get_bdevs", answer("[7]"));
    assertThrows(StoreProtocolException.class,
        () -> new SpdkLvolStore(any, any.codec(), LVS, null).findLvol("r1"));
    // one that can only be another lvol does not
    Scripted other = new Scripted().answer("bdev_lvol_get_lvstores", lvstores(4 << 20, 4096))
        .answer("bdev_get_bdevs", answer("[" + lvol("['LVS0/r2']", "b", "u", 0, 1) + "]"));
    assertEquals(Optional.empty(),
        new SpdkLvolStore(other, other.codec(), LVS, null).findLvol("r1"));
    // and one that can be this lvol does
    assertThrows(StoreProtocolException.class,
        () -> new SpdkLvolStore(other, other.codec(), LVS, null).findLvol("r2"));
  }

  @Test
  void anLvstoreEntryWithAZeroSizeIsMalformed() throws Exception {
    for (String lvstores : List.of(lvstores(0, 4096), lvstores(4 << 20, 0))) {
      Scripted rpc = new Scripted().answer("bdev_wait_for_examine", EXAMINED)
          .answer("bdev_lvol_get_lvstores", lvstores).answer("bdev_get_bdevs", answer("[]"));
      assertThrows(StoreProtocolException.class,
          () -> new SpdkLvolStore(rpc, rpc.codec(), LVS, null).listLvols(), lvstores);
      assertThrows(StoreProtocolException.class,
          () -> new SpdkLvolStore(rpc, rpc.codec(), LVS, null).lvstore(), lvstores);
    }
    Scripted ok = new Scripted().answer("bdev_lvol_get_lvstores", lvstores(1, 1));
    assertEquals(1, new SpdkLvolStore(ok, ok.codec(), LVS, null).lvstore().clusterSize());
  }

  @Test
  void configuredName() {
    Scripted rpc = new Scripted();
    assertEquals(LVS, new SpdkLvolStore(rpc, rpc.codec(), LVS, null).configuredName());
    assertNull(new SpdkLvolStore(rpc, rpc.codec(), null, UUID).configuredName());
  }

  /** The message of a listing whose bdev_get_bdevs result is {@code result}. */
  private static String notAnArray(String result) throws Exception {
    Scripted rpc = new Scripted().answer("bdev_wait_for_examine", EXAMINED)
        .answer("bdev_lvol_get_lvstores", lvstores(4 << 20, 4096))
        .answer("bdev_get_bdevs", answer(result));
    return assertThrows(StoreProtocolException.class,
        () -> new SpdkLvolStore(rpc, rpc.codec(), LVS, null).listLvols()).getMessage();
  }

  @Test
  void malformedResultsAreQuotedAbbreviatedInTheMessage() throws Exception {
    String sixty = "\"" + "x".repeat(58) + "\"";
    String m = notAnArray(sixty);
    assertTrue(m.startsWith("bdev_get_bdevs: protocol error: "), m);
    assertTrue(m.endsWith("result is not an array: " + sixty), m);
    String sixtyOne = "\"" + "x".repeat(59) + "\"";
    assertTrue(notAnArray(sixtyOne).endsWith(": " + sixtyOne.substring(0, 60) + "..."));
    // with an lvol name, the context names it
    Scripted rpc = new Scripted().answer("bdev_lvol_get_lvstores", lvstores(4 << 20, 4096))
        .answer("bdev_lvol_create", answer("\"abc\""));
    String c = assertThrows(StoreProtocolException.class,
        () -> new SpdkLvolStore(rpc, rpc.codec(), LVS, null).createLvol("r1", 1)).getMessage();
    assertTrue(c.startsWith("bdev_lvol_create r1: protocol error: "), c);
  }

  @Test
  void codecWritesAValue() {
    assertEquals("{\"a\":1}",
        new String(new JsonCodec(Limits.DEFAULT).write(Map.of("a", 1)), StandardCharsets.UTF_8));
  }

  // ---- JsonMessageReader ----

  private static final Limits SMALL = new Limits(7, 8, 100, 20, 50, 16);

  private static JsonMessageReader feed(JsonMessageReader r, String text, List<JsonNode> out)
      throws Exception {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    r.feed(b, 0, b.length, out::add);
    return r;
  }

  @Test
  void bufferedBytesCountsTheMessageBeingRead() throws Exception {
    JsonCodec codec = new JsonCodec(Limits.DEFAULT);
    List<JsonNode> out = new ArrayList<>();
    // between messages, even with whitespace after one: nothing
    assertEquals(0, feed(new JsonMessageReader(codec, Limits.DEFAULT), "{\"a\":1}\n", out)
        .bufferedBytes());
    // a held trailing ':' counts
    assertEquals(5, feed(new JsonMessageReader(codec, Limits.DEFAULT), "{\"a\":", out)
        .bufferedBytes());
    // a second message counts from its own start
    assertEquals(4, feed(new JsonMessageReader(codec, Limits.DEFAULT), "{\"a\":1}{\"b\"", out)
        .bufferedBytes());
    assertEquals(2, out.size());
  }

  @Test
  void aMessageOfExactlyTheLimitIsRead() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    feed(new JsonMessageReader(new JsonCodec(SMALL), SMALL), "{\"a\":1}", out);
    assertEquals(1, out.size());
    assertThrows(JsonMessageReader.Violation.class,
        () -> feed(new JsonMessageReader(new JsonCodec(SMALL), SMALL), "{\"a\":12}", out));
  }

  @Test
  void floatsAreKept() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    feed(new JsonMessageReader(new JsonCodec(Limits.DEFAULT), Limits.DEFAULT),
        "{\"a\":1.5,\"b\":[2.5]}", out);
    assertEquals(1.5, out.get(0).get("a").doubleValue());
    assertEquals(2.5, out.get(0).get("b").get(0).doubleValue());
  }

  @Test
  void whitespaceAfterAMessageUpToTheLimitIsNoViolation() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    // whitespace after a message counts towards the next one: up to the limit it is accepted
    JsonMessageReader r = feed(new JsonMessageReader(new JsonCodec(SMALL), SMALL),
        "{\"a\":1}" + " ".repeat(7), out);
    assertEquals(1, out.size());
    assertThrows(JsonMessageReader.Violation.class, () -> feed(r, " ", out));
  }

  @Test
  void nestingExactlyTheLimitIsRead() throws Exception {
    Limits three = new Limits(200, 3, 100, 20, 50, 16);
    List<JsonNode> out = new ArrayList<>();
    feed(new JsonMessageReader(new JsonCodec(three), three), "{\"a\":[[1]]}", out);
    assertEquals(1, out.size());
    assertThrows(JsonMessageReader.Violation.class,
        () -> feed(new JsonMessageReader(new JsonCodec(three), three), "{\"a\":[[[1]]]}", out));
  }

  @Test
  void anOverlongStringIsNamedInTheViolation() {
    // Jackson's own constraints catch an overlong key or number first (with Jackson's message);
    // a string only when its text is taken, after the reader's own check
    Limits l = new Limits(200, 8, 10, 5, 6, 16);
    assertEquals("a string of 11 chars, longer than 10",
        assertThrows(JsonMessageReader.Violation.class,
            () -> feed(new JsonMessageReader(new JsonCodec(l), l),
                "{\"a\":\"" + "x".repeat(11) + "\"}", new ArrayList<>())).getMessage());
  }
}
