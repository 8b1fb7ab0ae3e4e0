package dev.replicalifecycle.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link LvolStore} in memory, with fault injection: for tests, examples and benchmarks.
 *
 * <p>Each call is atomic, like one SPDK RPC: the lvol table is changed under one internal lock,
 * held only for the change itself (injected latency is spent outside it, so slow calls overlap as
 * they do against SPDK). UUIDs are deterministic ({@code 00000000-0000-0000-0000-<sequence>}) so
 * that runs can be replayed.
 *
 * <p>Faults: {@link #failNext(Call, int, Fault)} makes the next calls of a kind fail in a chosen
 * way, {@link #setLatency(Call, Duration)} slows a kind of call down, {@link #loseLvol(String)}
 * makes an lvol disappear (disk loss), {@link #putLvol(String, long)} adds one behind the
 * registry's back (orphans, snapshots, rebuilding lvols).
 *
 * <p><b>Thread-safety:</b> safe for concurrent use; every public method is linearizable.
 */
public final class InMemoryLvolStore implements LvolStore {

  /** The kinds of store call, for fault injection and counting. */
  public enum Call {
    CREATE,
    DELETE,
    LIST,
    /** {@link InMemoryLvolStore#findLvol(String)}. */
    FIND
  }

  /** How an injected fault makes a call fail. */
  public enum Fault {
    /** An error answer (-16 EBUSY, "Device or resource busy"); nothing applied. */
    REJECT,
    /** The store cannot be reached; nothing applied, but the caller cannot know that. */
    UNAVAILABLE,
    /** A timeout; the call was not applied. */
    TIMEOUT_BEFORE_APPLY,
    /** A timeout; the call was applied, but its answer was lost. */
    TIMEOUT_AFTER_APPLY
  }

  /** Code and message of a {@link Fault#REJECT}: what SPDK sends for EBUSY. */
  public static final int REJECT_CODE = -16;

  private final Object lock = new Object();
  private final Map<String, Lvol> lvols = new TreeMap<>();
  private final Map<Call, Deque<Fault>> faults = new EnumMap<>(Call.class);
  private final Map<Call, Duration> latency = new EnumMap<>(Call.class);
  private final Map<Call, AtomicLong> calls = new EnumMap<>(Call.class);
  private long uuidSequence;

  /** An empty store. */
  public InMemoryLvolStore() {
    for (Call c : Call.values()) {
      faults.put(c, new ArrayDeque<>());
      latency.put(c, Duration.ZERO);
      calls.put(c, new AtomicLong());
    }
  }

  @Override
  public Lvol createLvol(String name, long sizeBytes) throws StoreException {
    Objects.requireNonNull(name, "name");
    Fault fault = begin(Call.CREATE);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY) {
      throw failure(Call.CREATE, fault, name);
    }
    Lvol created;
    synchronized (lock) {
      if (lvols.containsKey(name)) {
        throw new LvolAlreadyExistsException("File exists: lvol " + name);
      }
      created = Lvol.of(name, nextUuid(), sizeBytes);
      lvols.put(name, created);
    }
    if (fault != null) {
      throw failure(Call.CREATE, fault, name);
    }
    return created;
  }

  @Override
  public void deleteLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    Fault fault = begin(Call.DELETE);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY) {
      throw failure(Call.DELETE, fault, name);
    }
    synchronized (lock) {
      if (lvols.remove(name) == null) {
        throw new LvolNotFoundException("No such device: lvol " + name);
      }
    }
    if (fault != null) {
      throw failure(Call.DELETE, fault, name);
    }
  }

  @Override
  public List<Lvol> listLvols() throws StoreException {
    Fault fault = begin(Call.LIST);
    if (fault != null && fault != Fault.TIMEOUT_AFTER_APPLY) {
      throw failure(Call.LIST, fault, "");
    }
    List<Lvol> snapshot;
    synchronized (lock) {
      snapshot = List.copyOf(lvols.values());
    }
    if (fault != null) {
      throw failure(Call.LIST, fault, "");
    }
    return snapshot;
  }

  @Override
  public Optional<Lvol> findLvol(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    Fault fault = begin(Call.FIND);
    if (fault != null) {
      throw failure(Call.FIND, fault, name);
    }
    synchronized (lock) {
      return Optional.ofNullable(lvols.get(name));
    }
  }

  /** The faults still queued for calls of kind {@code call}, next first. */
  public List<Fault> pendingFaults(Call call) {
    synchronized (lock) {
      return List.copyOf(faults.get(call));
    }
  }

  /** Makes the next {@code count} calls of kind {@code call} fail with {@code fault}. */
  public void failNext(Call call, int count, Fault fault) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(fault, "fault");
    if (count < 0) {
      throw new IllegalArgumentException("count < 0: " + count);
    }
    synchronized (lock) {
      for (int i = 0; i < count; i++) {
        faults.get(call).addLast(fault);
      }
    }
  }

  /** Removes every pending injected fault. */
  public void clearFaults() {
    synchronized (lock) {
      faults.values().forEach(Deque::clear);
    }
  }

  /** Makes every call of kind {@code call} take at least {@code delay} (zero turns it off). */
  public void setLatency(Call call, Duration delay) {
    Objects.requireNonNull(call, "call");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative latency: " + delay);
    }
    synchronized (lock) {
      latency.put(call, delay);
    }
  }

  /**
   * Makes an lvol disappear, as a disk failure would, behind the registry's back.
   *
   * @return whether there was such an lvol
   */
  public boolean loseLvol(String name) {
    synchronized (lock) {
      return lvols.remove(name) != null;
    }
  }

  /**
   * Adds an lvol behind the registry's back (an orphan from before a restart, a snapshot, a
   * rebuilding lvol). Replaces an lvol of the same name.
   */
  public Lvol putLvol(String name, long sizeBytes) {
    synchronized (lock) {
      Lvol lvol = Lvol.of(name, nextUuid(), sizeBytes);
      lvols.put(name, lvol);
      return lvol;
    }
  }

  /** The lvols now present, sorted by name, without counting as a call or taking faults. */
  public List<Lvol> lvols() {
    synchronized (lock) {
      return List.copyOf(lvols.values());
    }
  }

  /** Whether an lvol of this name is present (not a call; no faults). */
  public boolean contains(String name) {
    synchronized (lock) {
      return lvols.containsKey(name);
    }
  }

  /** How many calls of this kind were made, faulty ones included. */
  public long calls(Call call) {
    return calls.get(call).get();
  }

  private Fault begin(Call call) throws StoreTimeoutException {
    calls.get(call).incrementAndGet();
    Duration delay;
    Fault fault;
    synchronized (lock) {
      delay = latency.get(call);
      fault = faults.get(call).pollFirst();
    }
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreTimeoutException("interrupted while waiting for " + call);
      }
    }
    return fault;
  }

  private static StoreException failure(Call call, Fault fault, String name) {
    String what = call.name().toLowerCase(java.util.Locale.ROOT) + " " + name;
    return switch (fault) {
      case REJECT -> new StoreRejectedException(REJECT_CODE, "Device or resource busy: " + what);
      case UNAVAILABLE -> new StoreUnavailableException("injected: store unavailable: " + what);
      case TIMEOUT_BEFORE_APPLY, TIMEOUT_AFTER_APPLY ->
          new StoreTimeoutException("injected: timeout: " + what);
    };
  }

  private String nextUuid() {
    return new UUID(0L, ++uuidSequence).toString();
  }

  /** For tests: the names of all lvols, in order. */
  List<String> names() {
    synchronized (lock) {
      return new ArrayList<>(lvols.keySet());
    }
  }
}
