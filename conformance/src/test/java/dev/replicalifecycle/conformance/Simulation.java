package dev.replicalifecycle.conformance;

import dev.replicalifecycle.modelcheck.itf.ItfValues;
import dev.replicalifecycle.modelcheck.itf.TlaValueParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Random V4 behaviours from TLC's simulation mode ({@code spec/MCReplicaLifecycleSim.tla}, {@code
 * spec/MCReplicaChainsSim.tla}): TLC
 * walks random behaviours (faults, an lvol loss, a restart, the engine, a rebuild) and prints
 * each one that reaches the model's depth as a sequence of step records; this class runs TLC and
 * reads them back ({@link TlaValueParser}). Duplicates are dropped.
 */
final class Simulation {
  private Simulation() {}

  /**
   * Generates up to {@code count} distinct behaviours of {@code depth} steps with seed {@code seed}.
   *
   * @return the behaviours, and TLC's run time in seconds
   */
  static Generated generate(Path dir, int count, int depth, long seed) {
    return generate(dir, "ReplicaLifecycle", count, depth, seed);
  }

  /**
   * As {@link #generate(Path, int, int, long)}, of spec {@code spec} (its {@code MC<spec>Sim}
   * module and cfg).
   */
  static Generated generate(Path dir, String spec, int count, int depth, long seed) {
    String sim = "MC" + spec + "Sim";
    Tlc.copySpec(dir, spec, sim);
    try {
      String module = Files.readString(dir.resolve(sim + ".tla"));
      String patched = module.replaceFirst("SimDepth == \\d+", "SimDepth == " + depth);
      if (patched.equals(module) && !module.contains("SimDepth == " + depth)) {
        throw new IllegalStateException(sim + ".tla has no 'SimDepth == <n>' to set");
      }
      Files.writeString(dir.resolve(sim + ".tla"), patched);
      Files.copy(Paths.specDir().resolve(sim + ".cfg"), dir.resolve(sim + ".cfg"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // TLC's num= counts walks, not printed behaviours (a walk that dead-ends early prints none)
    Tlc.Result r = Tlc.run(dir, sim, sim + ".cfg",
        List.of("-simulate", "num=" + Math.max(count, 1), "-depth", Integer.toString(depth + 2),
            "-seed", Long.toString(seed), "-workers", "1"), 1800);
    if (r.exit() != 0) {
      throw new IllegalStateException("TLC simulation failed (exit " + r.exit() + "): a V4 invariant violated? "
          + dir + "\n" + r.tail());
    }
    Set<List<SpecStep>> out = new LinkedHashSet<>();
    for (String value : topLevelValues(unframed(r.lines()))) {
      if (out.size() >= count) {
        break;
      }
      List<?> printed = (List<?>) ItfValues.decode(ItfValues.encode(TlaValueParser.parse(value)));
      if (!"behaviour".equals(printed.get(0))) {
        continue;
      }
      List<SpecStep> steps = new ArrayList<>();
      for (Object s : (List<?>) printed.get(1)) {
        steps.add(SpecStep.of((Map<?, ?>) s));
      }
      out.add(steps);
    }
    return new Generated(new ArrayList<>(out), r.seconds());
  }

  /** Behaviours and the seconds TLC took. */
  record Generated(List<List<SpecStep>> behaviours, double seconds) {}

  /** TLC's stdout without the {@code -tool} framed messages: what PrintT printed. */
  private static String unframed(List<String> lines) {
    StringBuilder sb = new StringBuilder();
    boolean inFrame = false;
    for (String l : lines) {
      if (l.startsWith("@!@!@STARTMSG")) {
        inFrame = true;
      } else if (l.startsWith("@!@!@ENDMSG")) {
        inFrame = false;
      } else if (!inFrame) {
        sb.append(l).append('\n');
      }
    }
    return sb.toString();
  }

  /** Splits text into its top-level {@code << ... >>} values (strings respected). */
  static List<String> topLevelValues(String text) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = -1;
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (c == '"') {
        inString = depth > 0;
        continue;
      }
      if (text.startsWith("<<", i)) {
        if (depth == 0) {
          start = i;
        }
        depth++;
        i++;
      } else if (text.startsWith(">>", i) && depth > 0) {
        depth--;
        i++;
        if (depth == 0) {
          out.add(text.substring(start, i + 1));
        }
      } else if ((c == '[' || c == '(' || c == '{') && depth > 0) {
        depth++;
      } else if ((c == ']' || c == ')' || c == '}') && depth > 0) {
        depth--;
      }
    }
    return out;
  }
}
