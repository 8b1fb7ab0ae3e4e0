package dev.replicalifecycle.spdk;

/**
 * Bounds on what the client accepts from the server, so that a broken or hostile peer cannot
 * make it use unbounded memory or stack.
 *
 * @param maxMessageBytes largest single JSON value (one response), enforced by {@link JsonMessageReader}
 *     before the bytes reach Jackson; also Jackson's {@code maxDocumentLength}
 * @param maxNestingDepth deepest nesting of arrays and objects ({@link JsonMessageReader} and Jackson)
 * @param maxStringLength longest string value, in chars (Jackson)
 * @param maxNumberLength longest number literal, in chars (Jackson)
 * @param maxNameLength longest object key, in chars (Jackson)
 * @param maxAbandonedIds how many ids of timed-out calls are remembered, so that their late
 *     answers are dropped quietly instead of being taken for unknown ids
 */
record Limits(
    int maxMessageBytes,
    int maxNestingDepth,
    int maxStringLength,
    int maxNumberLength,
    int maxNameLength,
    int maxAbandonedIds) {

  static final int MIB = 1 << 20;

  /** The defaults, as documented on {@link JsonRpcClient.Builder}. */
  static final Limits DEFAULT = new Limits(64 * MIB, 64, 256 * 1024, 64, 1024, 4096);

  Limits {
    positive("maxMessageBytes", maxMessageBytes);
    positive("maxNestingDepth", maxNestingDepth);
    positive("maxStringLength", maxStringLength);
    positive("maxNumberLength", maxNumberLength);
    positive("maxNameLength", maxNameLength);
    positive("maxAbandonedIds", maxAbandonedIds);
  }

  private static void positive(String what, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be > 0: " + value);
    }
  }
}
