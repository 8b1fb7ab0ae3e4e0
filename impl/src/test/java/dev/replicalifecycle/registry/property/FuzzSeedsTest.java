package dev.replicalifecycle.registry.property;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.replicalifecycle.registry.property.Op.Concurrent;
import dev.replicalifecycle.registry.property.Op.Create;
import dev.replicalifecycle.registry.property.Op.Delete;
import dev.replicalifecycle.registry.property.Op.FailNext;
import dev.replicalifecycle.registry.property.Op.Get;
import dev.replicalifecycle.registry.property.Op.HideLvstore;
import dev.replicalifecycle.registry.property.Op.LateFinish;
import dev.replicalifecycle.registry.property.Op.LoseLvol;
import dev.replicalifecycle.registry.property.Op.PutOrphan;
import dev.replicalifecycle.registry.property.Op.Restart;
import dev.replicalifecycle.registry.property.Op.RestartDuring;
import dev.replicalifecycle.registry.property.Op.Unreadable;
import dev.replicalifecycle.registry.property.Op.Verify;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed inputs of {@link RegistryPropertyFuzzTest}: one scenario per corner of the design,
 * written as ops and encoded with {@link OpCodec#encode}. The committed files under {@code
 * src/test/resources/.../RegistryPropertyFuzzTestInputs/registrySequences/seed-*} must be exactly
 * these encodings (checked here), so that the fuzzer starts from meaningful sequences. To rewrite
 * them after changing the codec: {@code -Dproperty.writeSeeds=true}.
 */
class FuzzSeedsTest {
  private static final long MIB = 1L << 20;
  static final Path DIR =
      Path.of("src/test/resources/dev/replicalifecycle/registry/property",
          "RegistryPropertyFuzzTestInputs", "registrySequences");

  static Map<String, List<Op>> seeds() {
    Map<String, List<Op>> m = new LinkedHashMap<>();
    m.put("create-get-delete", List.of(
        new Create("r0", MIB), new Get("r0"), new Delete("r0"), new Get("r0"), new Verify()));
    m.put("lost-lvol-marked-error", List.of(
        new Create("r0", MIB), new Create("r1", 4 * MIB), new LoseLvol("r0"), new Verify(),
        new Get("r0"), new Delete("r0"), new Get("r1")));
    m.put("orphan-adopted", List.of(
        new PutOrphan("r1", MIB), new Create("r1", MIB), new Verify(), new Get("r1"),
        new Delete("r1"), new Create("r1", MIB)));
    m.put("restart-recovery", List.of(
        new Create("r0", MIB), new Create("r1", MIB), new Restart(), new Get("r0"),
        new Delete("r1"), new Verify(), new Get("r0"), new Create("r1", MIB)));
    m.put("create-timeout-rollback-fails", List.of(
        new FailNext(Call.CREATE, Fault.TIMEOUT_AFTER_APPLY, 1),
        new FailNext(Call.DELETE, Fault.REJECT, 1), new Create("r0", MIB), new Create("r0", MIB),
        new Verify(), new Delete("r0"), new Create("r0", MIB)));
    m.put("delete-faults", List.of(
        new Create("r2", MIB), new FailNext(Call.DELETE, Fault.UNAVAILABLE, 2), new Delete("r2"),
        new Delete("r2"), new Verify(), new Delete("r2"), new Delete("r1")));
    m.put("list-faults", List.of(
        new FailNext(Call.LIST, Fault.TIMEOUT_BEFORE_APPLY, 2), new Create("r0", MIB),
        new Verify(), new LoseLvol("r0"), new Verify(), new Verify(), new Get("r0")));
    m.put("create-races-verify", List.of(
        new Concurrent(List.of(new Create("r0", MIB)), List.of(new Verify()), 0x39),
        new Concurrent(List.of(new Verify()), List.of(new Create("r1", MIB)), 0x87),
        new Concurrent(List.of(new Create("r2", MIB)), List.of(new Verify()), 0x7),
        new Get("r0"), new Get("r1"), new Get("r2")));
    m.put("delete-recreate-inside-a-round", List.of(
        new Create("r0", MIB),
        new Concurrent(List.of(new Verify()), List.of(new Delete("r0"), new Create("r0", MIB)),
            0x7fc),
        new Get("r0"), new Verify(), new Get("r0")));
    m.put("churn-with-a-lost-lvol", List.of(
        new Create("r0", MIB), new LoseLvol("r0"),
        new Concurrent(List.of(new Verify()), List.of(new Create("r1", MIB), new Delete("r1")),
            0x7fc),
        new Concurrent(List.of(new Verify()), List.of(new Create("r1", MIB), new Delete("r1")),
            0x4f),
        new Get("r0")));
    m.put("same-name-races", List.of(
        new Concurrent(List.of(new Create("r0", MIB)), List.of(new Create("r0", MIB)), 0xf0c),
        new Concurrent(List.of(new Create("r1", MIB)), List.of(new Delete("r1")), 0xc),
        new Concurrent(List.of(new Delete("r0")), List.of(new Delete("r0"), new Get("r0")), 0x5),
        new Verify()));
    m.put("faults-under-concurrency", List.of(
        new Create("r0", MIB), new FailNext(Call.DELETE, Fault.TIMEOUT_AFTER_APPLY, 1),
        new FailNext(Call.LIST, Fault.REJECT, 1),
        new Concurrent(List.of(new Verify(), new Verify()),
            List.of(new Delete("r0"), new PutOrphan("r0", MIB), new Create("r0", MIB)), 0x2d),
        new Concurrent(List.of(new LoseLvol("r0"), new Get("r0")),
            List.of(new Verify(), new Get("r0")), 0x9),
        new Restart(), new Verify()));
    // SPDK's fault model (issue 9)
    m.put("create-lands-late", List.of(
        new FailNext(Call.CREATE, Fault.TIMEOUT_LATE, 1), new Create("r0", MIB), new Delete("r0"),
        new Verify(), new Get("r0"), new Create("r0", MIB)));
    m.put("delete-lands-late", List.of(
        new Create("r1", MIB), new FailNext(Call.DELETE, Fault.TIMEOUT_LATE, 2), new Delete("r1"),
        new Verify(), new Create("r1", MIB), new LateFinish(false), new Delete("r1")));
    m.put("restart-during-ops", List.of(
        new Create("r0", MIB), new FailNext(Call.CREATE, Fault.TIMEOUT_LATE, 1),
        new RestartDuring(List.of(new Delete("r0"), new Create("r2", MIB)),
            List.of(new Create("r0", MIB), new Verify()), 0x3c3c),
        new Verify(), new Get("r0")));
    m.put("partial-listings", List.of(
        new Create("r0", MIB), new Create("r1", MIB), new HideLvstore(), new Verify(),
        new Unreadable("r1"), new LoseLvol("r0"), new Verify(), new Get("r0"), new Get("r1")));
    return m;
  }

  @Test
  void committedSeedsAreTheseScenarios() throws IOException {
    boolean write = Boolean.getBoolean("property.writeSeeds");
    for (Map.Entry<String, List<Op>> e : seeds().entrySet()) {
      byte[] bytes = OpCodec.encode(e.getValue());
      assertEquals(e.getValue(), OpCodec.decode(bytes), e.getKey());
      Path file = DIR.resolve("seed-" + e.getKey());
      if (write) {
        Files.createDirectories(DIR);
        Files.write(file, bytes);
      }
      assertArrayEquals(bytes, Files.readAllBytes(file), file + " is stale");
    }
  }

  @Test
  void seedsHoldOnV4() {
    for (Harness harness : List.of(new Harness(Subject.v4()), new Harness(Subject.v4Plain()))) {
      seeds().forEach((name, ops) -> {
        Harness.Failure f = harness.run(ops);
        assertNull(f, () -> harness.target() + ", " + name + ": " + f + "\n" + Op.renderAll(ops)
            + f.renderTrace());
      });
    }
  }
}
