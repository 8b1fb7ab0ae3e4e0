package dev.replicalifecycle.registry.property;

import dev.replicalifecycle.registry.property.Op.AbortRebuild;
import dev.replicalifecycle.registry.property.Op.BeginRebuild;
import dev.replicalifecycle.registry.property.Op.Concurrent;
import dev.replicalifecycle.registry.property.Op.FinishRebuild;
import dev.replicalifecycle.registry.property.Op.Start;
import dev.replicalifecycle.registry.property.Op.Create;
import dev.replicalifecycle.registry.property.Op.Delete;
import dev.replicalifecycle.registry.property.Op.DeleteSnapshot;
import dev.replicalifecycle.registry.property.Op.FailNext;
import dev.replicalifecycle.registry.property.Op.Get;
import dev.replicalifecycle.registry.property.Op.HideLvstore;
import dev.replicalifecycle.registry.property.Op.LateFinish;
import dev.replicalifecycle.registry.property.Op.LoseLvol;
import dev.replicalifecycle.registry.property.Op.PutOrphan;
import dev.replicalifecycle.registry.property.Op.Restart;
import dev.replicalifecycle.registry.property.Op.RestartDuring;
import dev.replicalifecycle.registry.property.Op.Snapshot;
import dev.replicalifecycle.registry.property.Op.Unreadable;
import dev.replicalifecycle.registry.property.Op.Verify;
import dev.replicalifecycle.store.InMemoryLvolStore.Call;
import dev.replicalifecycle.store.InMemoryLvolStore.Fault;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a stream of choices (fuzzer bytes, or a seeded random source) into an op sequence, and
 * back (to write seed inputs).
 *
 * <p>Byte format, read front to back: each op starts with a kind byte (taken modulo the number of
 * kinds), then its arguments, each one byte (modulo its range), except a concurrent op's schedule:
 * 8 bytes, little-endian. A missing byte reads as 0. Three names ({@code r0..r2}) make collisions
 * likely; two sizes.
 */
final class OpCodec {
  static final List<String> NAMES = List.of("r0", "r1", "r2");
  static final long[] SIZES = {1L << 20, 4L << 20};
  static final int MAX_OPS = 40;
  static final int MAX_THREAD_OPS = 3;
  static final List<String> SNAPS = List.of("s1", "s2");

  /**
   * Kinds allowed inside a thread of a concurrent op: 0..13, and there 14 is a snapshot, 15 a
   * snapshot delete, 16 a start, 17 a rebuild's begin, 18 its finish, 19 its abort.
   */
  private static final int INNER_KINDS = 20;
  /**
   * All kinds: 0..13 as inside a thread, fault injection (14, 15), restart (16), restart during
   * ops (17), concurrent (18..20), snapshot (21), snapshot delete (22), start (23), a rebuild's
   * begin (24), finish (25) and abort (26).
   */
  private static final int ALL_KINDS = 27;
  /** The first kind of the chain operations after the snapshot ones (start), inside a thread and outside. */
  private static final int INNER_START = 16;
  private static final int OUTER_START = 23;

  private OpCodec() {}

  /** A source of bounded choices. */
  interface Choices {
    boolean hasMore();

    /** A value in {@code [0, bound)}. */
    int pick(int bound);

    long bits();
  }

  /** Fuzzer bytes, front to back. */
  static final class ByteChoices implements Choices {
    private final byte[] data;
    private int pos;

    ByteChoices(byte[] data) {
      this.data = data;
    }

    @Override
    public boolean hasMore() {
      return pos < data.length;
    }

    @Override
    public int pick(int bound) {
      int b = pos < data.length ? data[pos] & 0xff : 0;
      pos++;
      return b % bound;
    }

    @Override
    public long bits() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= (long) pick(256) << (8 * i);
      }
      return v;
    }
  }

  /** A seeded random source, {@code length} ops long. */
  static final class RandomChoices implements Choices {
    private final SplittableRandom random;
    private int kindsLeft;

    RandomChoices(long seed, int length) {
      this.random = new SplittableRandom(seed);
      this.kindsLeft = length;
    }

    @Override
    public boolean hasMore() {
      return kindsLeft > 0;
    }

    @Override
    public int pick(int bound) {
      return random.nextInt(bound);
    }

    @Override
    public long bits() {
      return random.nextLong();
    }

    void consumedOp() {
      kindsLeft--;
    }
  }

  /** Decodes up to {@value #MAX_OPS} ops. */
  static List<Op> decode(Choices in) {
    List<Op> ops = new ArrayList<>();
    while (in.hasMore() && ops.size() < MAX_OPS) {
      ops.add(op(in, in.pick(ALL_KINDS), false));
      if (in instanceof RandomChoices r) {
        r.consumedOp();
      }
    }
    return ops;
  }

  static List<Op> decode(byte[] data) {
    return decode(new ByteChoices(data));
  }

  private static Op op(Choices in, int kind, boolean inner) {
    if (inner && kind == 14 || !inner && kind == 21) {
      return new Snapshot(name(in), SNAPS.get(in.pick(SNAPS.size())));
    }
    if (inner && kind == 15 || !inner && kind == 22) {
      return new DeleteSnapshot(name(in), SNAPS.get(in.pick(SNAPS.size())));
    }
    int chainOp = kind - (inner ? INNER_START : OUTER_START);
    if (chainOp >= 0 && chainOp < 4) {
      return switch (chainOp) {
        case 0 -> new Start(name(in));
        case 1 -> new BeginRebuild(name(in), size(in));
        case 2 -> new FinishRebuild(name(in));
        default -> new AbortRebuild(name(in));
      };
    }
    return switch (kind) {
      case 0, 1, 2 -> new Create(name(in), size(in));
      case 3, 4 -> new Delete(name(in));
      case 5 -> new Get(name(in));
      case 6, 7 -> new Verify();
      case 8 -> new LoseLvol(name(in));
      case 9 -> new PutOrphan(name(in), size(in));
      case 10 -> new Get(name(in));
      case 11 -> new LateFinish(in.pick(4) != 0);
      case 12 -> new HideLvstore();
      case 13 -> new Unreadable(name(in));
      case 14, 15 -> new FailNext(
          Call.values()[in.pick(Call.values().length)],
          Fault.values()[in.pick(Fault.values().length)],
          1 + in.pick(2));
      case 16 -> new Restart();
      case 17 -> new RestartDuring(thread(in), thread(in), in.bits());
      default -> new Concurrent(thread(in), thread(in), in.bits());
    };
  }

  private static List<Op> thread(Choices in) {
    int n = 1 + in.pick(MAX_THREAD_OPS);
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ops.add(op(in, in.pick(INNER_KINDS), true));
    }
    return ops;
  }

  private static String name(Choices in) {
    return NAMES.get(in.pick(NAMES.size()));
  }

  private static long size(Choices in) {
    return SIZES[in.pick(SIZES.length)];
  }

  // ------------------------------------------------------------------ encoding (seeds)

  /** The bytes that {@link #decode(byte[])} turns into {@code ops} (names and sizes must be ours). */
  static byte[] encode(List<Op> ops) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Op op : ops) {
      encode(op, out, false);
    }
    return out.toByteArray();
  }

  private static void encode(Op op, ByteArrayOutputStream out, boolean inner) {
    if (op instanceof Snapshot sn) {
      out.write(inner ? 14 : 21);
      out.write(nameIndex(sn.name()));
      out.write(SNAPS.indexOf(sn.snapshot()));
    } else if (op instanceof DeleteSnapshot ds) {
      out.write(inner ? 15 : 22);
      out.write(nameIndex(ds.name()));
      out.write(SNAPS.indexOf(ds.snapshot()));
    } else if (op instanceof Start s) {
      out.write((inner ? INNER_START : OUTER_START));
      out.write(nameIndex(s.name()));
    } else if (op instanceof BeginRebuild b) {
      out.write((inner ? INNER_START : OUTER_START) + 1);
      out.write(nameIndex(b.name()));
      out.write(sizeIndex(b.size()));
    } else if (op instanceof FinishRebuild f) {
      out.write((inner ? INNER_START : OUTER_START) + 2);
      out.write(nameIndex(f.name()));
    } else if (op instanceof AbortRebuild a) {
      out.write((inner ? INNER_START : OUTER_START) + 3);
      out.write(nameIndex(a.name()));
    } else if (op instanceof Create c) {
      out.write(0);
      out.write(nameIndex(c.name()));
      out.write(sizeIndex(c.size()));
    } else if (op instanceof Delete d) {
      out.write(3);
      out.write(nameIndex(d.name()));
    } else if (op instanceof Get g) {
      out.write(5);
      out.write(nameIndex(g.name()));
    } else if (op instanceof Verify) {
      out.write(6);
    } else if (op instanceof LateFinish l) {
      out.write(11);
      out.write(l.apply() ? 1 : 0);
    } else if (op instanceof HideLvstore) {
      out.write(12);
    } else if (op instanceof Unreadable u) {
      out.write(13);
      out.write(nameIndex(u.name()));
    } else if (op instanceof FailNext f) {
      if (f.count() < 1 || f.count() > 2) {
        throw new IllegalArgumentException("count must be 1 or 2: " + f);
      }
      out.write(14);
      out.write(f.call().ordinal());
      out.write(f.fault().ordinal());
      out.write(f.count() - 1);
    } else if (op instanceof LoseLvol l) {
      out.write(8);
      out.write(nameIndex(l.name()));
    } else if (op instanceof PutOrphan p) {
      out.write(9);
      out.write(nameIndex(p.name()));
      out.write(sizeIndex(p.size()));
    } else if (op instanceof Restart) {
      out.write(16);
    } else if (op instanceof RestartDuring r) {
      out.write(17);
      thread(r.old(), out);
      thread(r.fresh(), out);
      for (int i = 0; i < 8; i++) {
        out.write((int) (r.schedule() >>> (8 * i)) & 0xff);
      }
    } else if (op instanceof Concurrent c) {
      out.write(18);
      thread(c.left(), out);
      thread(c.right(), out);
      for (int i = 0; i < 8; i++) {
        out.write((int) (c.schedule() >>> (8 * i)) & 0xff);
      }
    } else {
      throw new IllegalArgumentException("unknown op " + op);
    }
  }

  private static void thread(List<Op> ops, ByteArrayOutputStream out) {
    if (ops.isEmpty() || ops.size() > MAX_THREAD_OPS) {
      throw new IllegalArgumentException("1.." + MAX_THREAD_OPS + " ops per thread: " + ops);
    }
    out.write(ops.size() - 1);
    for (Op op : ops) {
      encode(op, out, true);
    }
  }

  private static int nameIndex(String name) {
    int i = NAMES.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("not one of " + NAMES + ": " + name);
    }
    return i;
  }

  private static int sizeIndex(long size) {
    for (int i = 0; i < SIZES.length; i++) {
      if (SIZES[i] == size) {
        return i;
      }
    }
    throw new IllegalArgumentException("not one of the sizes: " + size);
  }
}
