package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.property.RecordedRuns;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.store.InMemoryLvolStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trace recorder: events, processes, names, busy tries, environment, NDJSON. */
class RecorderTest {

  private static String render(List<Recorder.Event> events) {
    return String.join("\n", events.stream().map(Object::toString).toList());
  }

  @Test
  void recordsStepsInTheSpecsWords() {
    InMemoryLvolStore store = new InMemoryLvolStore();
    Recorder rec = new Recorder(false, store);
    ReplicaRegistry reg = Subject.open(Variant.V4, null, store, rec).registry();
    reg.create("vol-a", 1 << 20);
    store.loseLvol("vol-a");
    reg.verify();
    reg.delete("vol-b");
    rec.finish();
    assertEquals("""
        CreateReserve c1 n1 -> ok
        CreateLvol c1 n1 -> ok
        CreateExpose c1 n1 -> ok
        CreatePublish c1 n1 -> running
        LoseLvol env n1 -> ok
        VerifyStart verify -> ok
        VerifyList verify -> ok
        VerifyApply verify n1 -> error
        DeleteMark c1 n2 -> absent
        DeleteLvol c1 n2 -> notfound
        DeleteRemove c1 n2 -> removed""", render(rec.events()));
    assertNull(rec.unmodelled());
    store.putLvol("vol-c", 1);
    reg.verify();
    assertTrue(rec.unmodelled() != null, "an lvol made behind the registry's back is not a spec step");
  }

  /** A delete that waits for a create of its name: the busy try is dropped; two clients. */
  @Test
  void dropsBusyTriesAndNamesConcurrentClients() {
    InMemoryLvolStore store = new InMemoryLvolStore();
    Recorder rec = new Recorder(false, store);
    ReplayScheduler s = new ReplayScheduler(5_000);
    ReplicaRegistry reg = Subject.open(Variant.V4, null, store, RecordedRuns.chain(s, rec)).registry();
    s.start("create", () -> reg.create("r1", 1 << 20));
    s.grant("create"); // CreateReserve ok
    s.start("delete", () -> {
      reg.delete("r1");
      return null;
    });
    assertEquals("busy", s.grant("delete").outcome()); // DeleteMark finds the create in flight
    while (s.alive("create")) {
      s.grant("create");
    }
    assertEquals(SpecAction.DeleteMark, s.settle("delete").action());
    while (s.alive("delete")) {
      s.grant("delete");
    }
    assertEquals("""
        CreateReserve c1 n1 -> ok
        CreateLvol c1 n1 -> ok
        CreateExpose c1 n1 -> ok
        CreatePublish c1 n1 -> running
        DeleteMark c1 n1 -> found
        DeleteLvol c1 n1 -> ok
        DeleteRemove c1 n1 -> removed""", render(rec.events()),
        "the busy try is not an event; the delete gets c1 again: the create had ended");
  }

  @Test
  void ndjsonRoundTrip() {
    List<Recorder.Event> events = List.of(new Recorder.Event("CreateReserve", "c1", "n1", "ok"),
        new Recorder.Event("VerifyStart", "verify", null, "ok"), new Recorder.Event("Restart", "env", null, "ok"));
    Path file = Paths.outDir().resolve("recorder-test.ndjson");
    Recorder.writeNdjson(file, events);
    assertEquals(events, Recorder.readNdjson(file));
    assertTrue(Recorder.ndjson(events).startsWith(
        "{\"action\":\"CreateReserve\",\"proc\":\"c1\",\"name\":\"n1\",\"outcome\":\"ok\"}\n"));
  }
}
