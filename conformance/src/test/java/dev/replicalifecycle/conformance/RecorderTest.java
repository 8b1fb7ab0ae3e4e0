package dev.replicalifecycle.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replicalifecycle.registry.ReplicaOutcomeUnknownException;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.ReplicaStoreException;
import dev.replicalifecycle.registry.SpecAction;
import dev.replicalifecycle.registry.property.RecordedRuns;
import dev.replicalifecycle.registry.variants.Variant;
import dev.replicalifecycle.store.InMemoryLvolStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trace recorder: events, processes, names, busy tries, late calls, environment, missing events, NDJSON. */
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
        DeleteRlvol c1 n2 -> notfound
        DeleteLvol c1 n2 -> notfound
        DeleteProbe c1 n2 -> ok
        DeleteLvol c1 n2 -> ok
        DeleteRemove c1 n2 -> removed""", render(rec.events()),
        "a delete of a name with no replica proves the absence with a probe create, and deletes what it made");
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
        DeleteRlvol c1 n1 -> notfound
        DeleteLvol c1 n1 -> ok
        DeleteRemove c1 n1 -> removed""", render(rec.events()),
        "the busy try is not an event; the delete gets c1 again: the create had ended");
  }

  /**
   * A create whose lvol call timed out while the store still runs it: the rollback finds nothing
   * and the probe finds the name taken until the store lands the call by itself (inside a later
   * store call: its LateApply comes first), then the rollback deletes it. A delete whose call the
   * store never finishes (an earlier incarnation's) gets busy answers (steps) until its deadline,
   * then gives up.
   */
  @Test
  void recordsLateCallsAndBusyAnswers() {
    InMemoryLvolStore store = new InMemoryLvolStore();
    Recorder rec = new Recorder(false, store);
    store.setLateListener(rec::late);
    store.setLateLanding(2);
    ReplicaRegistry reg = ReplicaRegistry.builder(store).stepListener(rec)
        .operationTimeout(java.time.Duration.ofMillis(300)).retryDelay(java.time.Duration.ofMillis(1)).build();
    store.failNext(InMemoryLvolStore.Call.CREATE, 1, InMemoryLvolStore.Fault.TIMEOUT_LATE);
    assertThrows(ReplicaStoreException.class, () -> reg.create("vol-a", 1 << 20));
    assertEquals(List.of(), store.lvols());
    reg.create("vol-b", 1 << 20);
    store.setLateLanding(0);
    assertTrue(store.startPending("vol-b", false, 0), "a delete of vol-b the store never finishes");
    assertThrows(ReplicaOutcomeUnknownException.class, () -> reg.delete("vol-b"));
    reg.close();
    rec.finish();
    List<String> events = rec.events().stream().map(Object::toString).toList();
    assertEquals(List.of("CreateReserve c1 n1 -> ok", "CreateLvol c1 n1 -> timeout",
        "CreateRollback c1 n1 -> notfound", "LateApply env n1 -> create", "CreateSettle c1 n1 -> exists",
        "CreateRollback c1 n1 -> ok", "CreateAbort c1 n1 -> removed"), events.subList(0, 7));
    int busy = 0;
    for (String e : events) {
      busy += e.equals("DeleteLvol c1 n2 -> busy") ? 1 : 0;
    }
    assertTrue(busy > 0, String.join("\n", events));
    assertEquals("DeleteRemove c1 n2 -> error", events.get(events.size() - 1));
    assertNull(rec.unmodelled());
  }

  /**
   * A step whose afterStep never comes (a registry that lost an event): the next step that waits
   * for it fails within the recorder's wait, naming the step, instead of deadlocking; so does every
   * later use; a thread that begins a second step without ending its first fails at once.
   */
  @Test
  void aMissingStepEventFailsNamingItInsteadOfDeadlocking() throws InterruptedException {
    Recorder rec = new Recorder(false, null, java.time.Duration.ofMillis(200));
    Thread lost = new Thread(() -> rec.beforeStep(SpecAction.CreateLvol, "vol-a"), "lost-step");
    lost.start();
    lost.join();
    long t0 = System.nanoTime();
    AssertionError e = assertThrows(AssertionError.class, () -> rec.beforeStep(SpecAction.VerifyStart, null));
    assertTrue(System.nanoTime() - t0 < java.util.concurrent.TimeUnit.SECONDS.toNanos(5), "a bounded wait");
    assertTrue(e.getMessage().contains("CreateLvol vol-a (thread lost-step) has no afterStep event"), e.getMessage());
    AssertionError later = assertThrows(AssertionError.class, rec::events);
    assertTrue(later.getMessage().contains("CreateLvol vol-a"), later.getMessage());

    Recorder own = new Recorder(false, null, java.time.Duration.ofMillis(200));
    own.beforeStep(SpecAction.DeleteMark, "vol-b");
    AssertionError twice = assertThrows(AssertionError.class, () -> own.beforeStep(SpecAction.DeleteRlvol, "vol-b"));
    assertTrue(twice.getMessage().contains("the afterStep event of DeleteMark vol-b is missing"), twice.getMessage());
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
