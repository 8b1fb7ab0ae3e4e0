package dev.replicalifecycle.registry.lincheck;

import dev.replicalifecycle.registry.model.RegistryModel;
import dev.replicalifecycle.store.InMemoryLvolStore;

/**
 * Lincheck's sequential specification: every operation of every test class here, with the same
 * name and parameter types, applied to the {@link RegistryModel} and abstracted by {@link
 * Outcomes}. Operations on {@code A} are on replica {@code r1}, on {@code B} on {@code r2}.
 */
public class RegistrySequentialSpec {
  static final String A = "r1";
  static final String B = "r2";
  static final long SIZE = 1 << 20;

  private final RegistryModel model = new RegistryModel();

  public String create() {
    return Outcomes.create(() -> model.create(A, SIZE));
  }

  public String delete() {
    return Outcomes.delete(() -> model.delete(A));
  }

  public String get() {
    return Outcomes.of(model.get(A));
  }

  public void verify() {
    model.verify();
  }

  public boolean healthy() {
    return get().equals("present");
  }

  public void loseLvol() {
    model.store().loseLvol(A);
  }

  public String createB() {
    return Outcomes.create(() -> model.create(B, SIZE));
  }

  public String deleteB() {
    return Outcomes.delete(() -> model.delete(B));
  }

  public String getB() {
    return Outcomes.of(model.get(B));
  }

  public void lateNextCreate() {
    model.store().setLateLanding(AtomicLvolStore.LANDING);
    model.store().failNext(InMemoryLvolStore.Call.CREATE, 1, InMemoryLvolStore.Fault.TIMEOUT_LATE);
  }

  public void hideNextListing() {
    model.store().hideLvstore(InMemoryLvolStore.DEFAULT_LVSTORE, 1);
  }

  public String snapshot1() {
    return Outcomes.snapshotOp(() -> model.snapshot(A, "s1"));
  }

  public String snapshot2() {
    return Outcomes.snapshotOp(() -> model.snapshot(A, "s2"));
  }

  public String deleteSnapshot1() {
    return Outcomes.snapshotOp(() -> model.deleteSnapshot(A, "s1"));
  }

  public String chain() {
    return Outcomes.chain(model.get(A));
  }

  public String beginRebuild() {
    return Outcomes.create(() -> model.beginRebuild(B, SIZE));
  }

  public String finishRebuild() {
    return Outcomes.snapshotOp(() -> model.finishRebuild(B));
  }

  public String abortRebuild() {
    return Outcomes.snapshotOp(() -> {
      model.abortRebuild(B);
      return null;
    });
  }

  public String snapshotB() {
    return Outcomes.snapshotOp(() -> model.snapshot(B, "s1"));
  }

  public String chainB() {
    return Outcomes.chain(model.get(B));
  }
}
