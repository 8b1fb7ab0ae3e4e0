package dev.replicalifecycle.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the figures were measured on.
 *
 * @param loadAverageStart 1-minute load average when the run started (other processes included)
 */
record Machine(
    int availableProcessors,
    String nproc,
    String cpuModel,
    long memoryMiB,
    String jdk,
    String jvm,
    String os,
    double loadAverageStart) {

  static Machine probe() {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        readNproc(),
        readCpuModel(),
        os.getTotalMemorySize() / (1024 * 1024),
        System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        loadAverage());
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String readNproc() {
    try {
      Process p = new ProcessBuilder("nproc").redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return s;
    } catch (IOException e) {
      return "n/a";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "n/a";
    }
  }

  private static String readCpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "n/a";
  }
}
