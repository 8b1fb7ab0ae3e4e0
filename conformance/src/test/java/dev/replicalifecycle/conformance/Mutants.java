package dev.replicalifecycle.conformance;

import dev.replicalifecycle.registry.Replica;
import dev.replicalifecycle.registry.ReplicaRegistry;
import dev.replicalifecycle.registry.StepListener;
import dev.replicalifecycle.store.LvolStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Test-only Java mutants of the V4 registry, each the library's {@code StampedRegistry} with one
 * guard removed, mirroring a spec {@code Mutant}. They are derived from the library's <em>current
 * source</em> at test time: a few named textual patches, then {@code javac} in memory, then the
 * classes are defined in the library's package (they use its package-private API). A patch that
 * no longer matches the source fails loudly, so a mutant cannot silently drift away from the
 * library it mutates; no copy of the library is kept in the tests.
 *
 * <p>Mirrored: see {@link #MIRRORED}. Not mirrored ({@link #NOT_MIRRORED} says why): {@code
 * NoReserve} and {@code NoNameLock} (the library keeps the name's in-flight operation in its map
 * slot: the reservation <em>is</em> the per-name lock, and every later step of the operation
 * checks that it still owns the slot, so removing either guard is not a local change but a
 * different data structure), {@code NoFence} and {@code LeakOnGiveUp}.
 *
 * <p>Thread-safe; each mutant is compiled once per JVM.
 */
final class Mutants {
  private Mutants() {}

  /** The spec's mutants that have a Java counterpart here. */
  static final List<String> MIRRORED =
      List.of("JudgeInFlight", "NoCas", "GlobalSkip", "NoopAbsentDelete", "NoPrecheck", "NoSettle", "NoProbe",
          "FirstV4", "JudgeUncovered", "JudgeUnreadable", "NoRebuildExemption",
          // spec/ReplicaChains.tla's
          "SyncChainUnstamped", "JudgeRebuilding", "AdoptRebuilding", "StartCreates");

  /** The spec's mutants without one, and why (see the class comment). */
  static final Map<String, String> NOT_MIRRORED =
      Map.of(
          "NoReserve", "the reservation is the slot every later step of a create checks it owns",
          "NoNameLock", "the per-name lock is the slot's in-flight future, not a separate guard",
          "NoFence", "the spec's unfenced old incarnation issues its next call late; in Java that is a thread of the"
              + " closed registry, which a step replay cannot pair with a LateApply step: FaultModelTest."
              + "parkedDeleteOfAClosedRegistryNeverTouchesTheStore reproduces the hazard (it fails on the registry"
              + " before the fence)",
          "LeakOnGiveUp", "Java gives up at its operation deadline, which a step-by-step replay does not schedule:"
              + " FaultModelTest.createThatCannotSettleGivesUpAndDeleteSettlesIt covers the give-up path");

  private static final String PKG = "dev.replicalifecycle.registry";
  private static final String ORIGINAL = "StampedRegistry";
  private static final Map<String, Constructor<?>> COMPILED = new ConcurrentHashMap<>();

  /** Opens mutant {@code mutant} over {@code store}. */
  static ReplicaRegistry open(String mutant, LvolStore store, StepListener listener) {
    Constructor<?> c = COMPILED.computeIfAbsent(mutant, Mutants::compile);
    try {
      return (ReplicaRegistry) c.newInstance(store, listener, Duration.ofMinutes(2), Duration.ofNanos(1),
          Duration.ofSeconds(10));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot open mutant " + mutant, e);
    }
  }

  // ------------------------------------------------------------------ patches

  private record Patch(String what, String from, String to) {}

  private static final Patch NO_SETTLE =
      new Patch("a rollback that finds no lvol frees the name at once (the create may still be pending)",
          "if (del.ok()) {", "if (del.ok() || del.is(LvolNotFoundException.class)) {");
  private static final Patch DELETE_TRUSTS_NOT_FOUND =
      new Patch("a delete trusts \"not found\" even where a create of the name may be pending",
          "if (r.ok() || (r.is(LvolNotFoundException.class) && !probe)) {",
          "if (r.ok() || r.is(LvolNotFoundException.class)) {");
  /** Verify's test of whether the listing proves a replica's lvols absent, and the branch it guards. */
  private static final String CERTAIN =
      "!d.listing.certainAbout(name, cur.lvstore()) || !d.listing.certainAbout(name + LvolKind.REBUILDING_SUFFIX, cur.lvstore())";
  private static final String UNCERTAIN = "if (" + CERTAIN + ") {";

  private static List<Patch> patches(String mutant) {
    return switch (mutant) {
      case "JudgeInFlight" -> List.of(
          new Patch("verify does not skip an entry whose operation is in flight",
              """
                  if (cur != null && cur.busy() != null) {
                    d.outcome = "inflight";
                    d.skip = SkipReason.IN_FLIGHT;
                    return cur;
                  }
              """, ""),
          new Patch("... and judges creating and deleting entries like running ones",
              "if (r != null && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED)) {",
              "if (r != null && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED"
                  + " || r.state() == ReplicaState.CREATING || r.state() == ReplicaState.DELETING)) {"),
          new Patch("... keeping the operation's claim on the slot (as the spec keeps cl)",
              "return new Slot(d.result, clock.incrementAndGet(), null, cur.lvstore(), r.state());",
              "return new Slot(d.result, clock.incrementAndGet(), cur.busy(), cur.lvstore(), r.state());"),
          new Patch("... also when following a re-cloned head",
              "d.result = r.withLvolUuid(head.uuid()); return new Slot(d.result, clock.incrementAndGet(), null,"
                  + " head.lvstore(), null);",
              "d.result = r.withLvolUuid(head.uuid()); return new Slot(d.result, clock.incrementAndGet(), cur.busy(),"
                  + " head.lvstore(), null);"),
          new Patch("... and never adopting into a reservation of an absent name (the spec's entry is not None)",
              "if (r == null && head != null) {",
              "if (r == null && head != null && (cur == null || cur.busy() == null)) {"));
      case "NoCas" -> List.of(
          new Patch("verify applies a decision even if the name changed since the stamp",
              """
                  if (cur != null && cur.version() > d.stamp) {
                    d.outcome = "changed";
                    d.skip = SkipReason.CHANGED_SINCE_STAMP;
                    return cur;
                  }
              """, ""));
      case "GlobalSkip" -> List.of(
          new Patch("verify skips every name if any name changed since the stamp (V3's counter)",
              "if (cur != null && cur.version() > d.stamp) {",
              "if (slots.values().stream().anyMatch(s -> s.version() > d.stamp)) {"));
      case "NoopAbsentDelete" -> List.of(
          new Patch("delete of a name with no entry reserves nothing ...",
              """
                          Replica deleting =
              """,
              """
                          if (cur == null || !cur.live()) {
                            return cur;
                          }
                          Replica deleting =
              """),
          new Patch("... and returns at once",
              """
                    after(SpecAction.DeleteMark, name, marked);
              """,
              """
                    after(SpecAction.DeleteMark, name, marked);
                    if (marked.equals("absent")) {
                      done.complete(null);
                      return;
                    }
              """));
      case "NoPrecheck" -> List.of(
          new Patch("create does not look the name up before making the lvol",
              "store.findLvol(name).isPresent() || store.findLvol(name + LvolKind.REBUILDING_SUFFIX).isPresent()",
              "false"));
      case "NoSettle" -> List.of(NO_SETTLE);
      case "NoProbe" -> List.of(DELETE_TRUSTS_NOT_FOUND,
          new Patch("a rollback that finds no lvol does not probe: it tries the delete again",
              "if (del.is(LvolNotFoundException.class)) {", "if (false) {"));
      case "FirstV4" -> List.of(NO_SETTLE, DELETE_TRUSTS_NOT_FOUND);
      case "JudgeUncovered" -> List.of(
          new Patch("verify judges a replica whose lvol store the listing did not cover",
              UNCERTAIN, "if ((" + CERTAIN + ") && !d.listing.missingLvstores().contains(cur.lvstore())) {"));
      case "JudgeUnreadable" -> List.of(
          new Patch("verify takes an unreadable entry for an absent lvol",
              UNCERTAIN, "if ((" + CERTAIN + ") && d.listing.missingLvstores().contains(cur.lvstore())) {"));
      case "NoRebuildExemption" -> List.of(
          new Patch("verify ignores the name's rebuilding lvol",
              "if (head == null && !d.rebuilding.contains(name)) {", "if (head == null) {"));
      case "SyncChainUnstamped" -> List.of(
          new Patch("verify re-derives a replica's chain from its listing (upstream's construct()) before, and"
              + " whatever, the stamp check",
              "if (cur != null && cur.version() > d.stamp) {",
              """
                  if (cur != null && cur.replica() != null
                      && (cur.replica().state() == ReplicaState.RUNNING || cur.replica().state() == ReplicaState.STOPPED)
                      && d.heads.get(name) != null
                      && !listedChain(name, d.heads.get(name), d.all).equals(cur.replica().snapshots())) {
                    d.outcome = "sync";
                    d.result = cur.replica().withSnapshots(listedChain(name, d.heads.get(name), d.all));
                    return new Slot(d.result, clock.incrementAndGet(), cur.busy(), cur.lvstore(), cur.lostFrom());
                  }
                  if (cur != null && cur.version() > d.stamp) {
              """));
      case "JudgeRebuilding" -> List.of(
          new Patch("verify judges a REBUILDING replica ...",
              "if (r != null && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED)) {",
              "if (r != null && (r.state() == ReplicaState.RUNNING || r.state() == ReplicaState.STOPPED"
                  + " || r.state() == ReplicaState.REBUILDING)) {"),
          new Patch("... by its head alone",
              "if (head == null && !d.rebuilding.contains(name)) {",
              "if (head == null && (r.state() == ReplicaState.REBUILDING || !d.rebuilding.contains(name))) {"));
      case "AdoptRebuilding" -> List.of(
          new Patch("verify takes a listed -rebuilding lvol for its name's head (so adopts it)",
              "decider.rebuilding.add(lvol.replicaName());",
              "decider.rebuilding.add(lvol.replicaName()); decider.heads.putIfAbsent(lvol.replicaName(), lvol);"));
      case "StartCreates" -> List.of(
          new Patch("start makes a head when there is none (upstream's prepareHead), and takes any head ...",
              """
                        if (head.isEmpty() || head.get().kind() != LvolKind.HEAD
                            || (r.lvolUuid() != null && !r.lvolUuid().equals(head.get().uuid()))) {
              """,
              """
                        String made = "running";
                        if (head.isEmpty()) {
                          head = Optional.of(store.createLvol(name, r.sizeBytes()));
                          made = "created";
                        }
                        if (head.get().kind() != LvolKind.HEAD) {
              """),
          new Patch("... and says so",
              "after(SpecAction.StartLook, name, \"running\");",
              "after(SpecAction.StartLook, name, made);"));
      default -> throw new IllegalArgumentException(
          "no Java mutant " + mutant + " (mirrored: " + MIRRORED + "; not: " + NOT_MIRRORED.keySet() + ")");
    };
  }

  /** The library's source with {@code mutant}'s patches applied and the class renamed. */
  static String source(String mutant) {
    Path file = Paths.implDir().resolve("src/main/java/dev/replicalifecycle/registry/" + ORIGINAL + ".java");
    String src;
    try {
      src = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the library's source " + file, e);
    }
    for (Patch p : patches(mutant)) {
      // whitespace-insensitive: a reformatting of the library does not break a patch
      StringBuilder regex = new StringBuilder();
      for (String token : p.from().trim().split("\\s+")) {
        regex.append(regex.length() == 0 ? "" : "\\s+").append(Pattern.quote(token));
      }
      Matcher m = Pattern.compile(regex.toString()).matcher(src);
      int count = 0;
      int start = -1;
      int end = -1;
      while (m.find()) {
        count++;
        start = m.start();
        end = m.end();
      }
      if (count != 1) {
        throw new IllegalStateException(
            "mutant " + mutant + ": patch '" + p.what() + "' matches " + (count == 0 ? "nothing" : count + " times")
                + " in " + file + "; the library changed: update Mutants.patches. Looked for:\n" + p.from());
      }
      src = src.substring(0, start) + p.to().trim() + src.substring(end);
    }
    return src.replace(ORIGINAL, className(mutant));
  }

  private static String className(String mutant) {
    return ORIGINAL + "_" + mutant;
  }

  // ------------------------------------------------------------------ compile and define

  private static Constructor<?> compile(String mutant) {
    String name = className(mutant);
    String src = source(mutant);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler (a JDK is needed to build the mutants)");
    }
    Map<String, ByteArrayOutputStream> out = new LinkedHashMap<>();
    StandardJavaFileManager std = javac.getStandardFileManager(null, null, null);
    JavaFileManager fm =
        new ForwardingJavaFileManager<>(std) {
          @Override
          public JavaFileObject getJavaFileForOutput(
              Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"), kind) {
              @Override
              public OutputStream openOutputStream() {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                out.put(className, bytes);
                return bytes;
              }
            };
          }
        };
    JavaFileObject unit =
        new SimpleJavaFileObject(URI.create("string:///" + PKG.replace('.', '/') + "/" + name + ".java"),
            JavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return src;
          }
        };
    StringWriter diagnostics = new StringWriter();
    List<String> options = new ArrayList<>(List.of("--release", "17", "-proc:none", "-classpath", libraryClasspath()));
    boolean ok = javac.getTask(diagnostics, fm, null, options, null, List.of(unit)).call();
    if (!ok) {
      throw new IllegalStateException("mutant " + mutant + " does not compile:\n" + diagnostics);
    }
    try {
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Replica.class, MethodHandles.lookup());
      Class<?> top = null;
      // nested classes first, so that the top class's references resolve to them
      for (Map.Entry<String, ByteArrayOutputStream> e : out.entrySet()) {
        if (!e.getKey().equals(PKG + "." + name)) {
          lookup.defineClass(e.getValue().toByteArray());
        }
      }
      top = lookup.defineClass(out.get(PKG + "." + name).toByteArray());
      Constructor<?> c = top.getDeclaredConstructor(LvolStore.class, StepListener.class, Duration.class,
          Duration.class, Duration.class);
      c.setAccessible(true);
      return c;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot define mutant " + mutant, e);
    }
  }

  private static String libraryClasspath() {
    try {
      return Path.of(ReplicaRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
