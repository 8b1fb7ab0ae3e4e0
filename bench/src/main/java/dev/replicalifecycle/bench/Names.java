package dev.replicalifecycle.bench;

/**
 * Replica names for the benchmarks: Longhorn-like ({@code pvc-<8 hex>-r-<8 hex>}, 23 characters),
 * deterministic, valid for {@code ReplicaNames}, and spread out (the volume part is a scrambled
 * index), so that sorted and hashed structures see realistic keys rather than one long common
 * prefix.
 */
final class Names {
  private Names() {}

  /** The {@code i}-th name of the family {@code family} (a short lowercase word or number). */
  static String replica(String family, long i) {
    long scrambled = (i * 0x9E3779B97F4A7C15L) >>> 32;
    return "pvc-" + hex8(scrambled) + "-" + family + "-" + hex8(i);
  }

  private static String hex8(long v) {
    String h = Long.toHexString(v & 0xffffffffL);
    return "00000000".substring(h.length()) + h;
  }
}
