package dev.replicalifecycle.spdk;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream of concatenated JSON objects (what SPDK sends: no delimiter, optional
 * whitespace between values) into one byte array per object, with bounded memory.
 *
 * <p>It tracks only strings, escapes and bracket depth; it does not validate JSON (Jackson does,
 * per frame). Every frame starts with <code>{</code> and ends at the matching close bracket.
 * Anything other than whitespace between frames, a frame longer than {@code maxFrameBytes} or
 * nested deeper than {@code maxDepth} is a {@link FramingException}, after which the framer must
 * be discarded: the stream cannot be resynchronised.
 *
 * <p>The buffer grows with the frame being read and never beyond {@code maxFrameBytes}.
 *
 * <p><b>Thread-safety:</b> not thread-safe; one reader thread per framer.
 */
final class JsonFramer {

  /** The stream broke the framing rules; the connection cannot be trusted any more. */
  static final class FramingException extends Exception {
    FramingException(String message) {
      super(message);
    }
  }

  private static final int INITIAL_CAPACITY = 4096;

  private final int maxFrameBytes;
  private final int maxDepth;
  private byte[] buf = new byte[0];
  private int len;
  private int depth;
  private boolean inString;
  private boolean escape;
  private boolean failed;

  JsonFramer(int maxFrameBytes, int maxDepth) {
    if (maxFrameBytes <= 0 || maxDepth <= 0) {
      throw new IllegalArgumentException("limits must be > 0");
    }
    this.maxFrameBytes = maxFrameBytes;
    this.maxDepth = maxDepth;
  }

  /**
   * Consumes {@code n} bytes from {@code data} at {@code off}, handing each completed frame to
   * {@code sink} in order.
   */
  void feed(byte[] data, int off, int n, Consumer<byte[]> sink) throws FramingException {
    if (failed) {
      throw new FramingException("framer already failed");
    }
    int end = off + n;
    int i = off;
    while (i < end) {
      if (depth == 0) {
        byte b = data[i];
        if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
          i++;
          continue;
        }
        if (b != '{') {
          throw fail(String.format("unexpected byte 0x%02x between messages", b & 0xff));
        }
      }
      // Inside a frame (or at its first byte): scan, then copy the scanned run in one go.
      int start = i;
      int sizeLimit = start + (maxFrameBytes - len); // first index that would not fit
      boolean complete = false;
      for (; i < end; i++) {
        if (i >= sizeLimit) {
          throw fail("message longer than " + maxFrameBytes + " bytes");
        }
        byte b = data[i];
        if (inString) {
          if (escape) {
            escape = false;
          } else if (b == '\\') {
            escape = true;
          } else if (b == '"') {
            inString = false;
          }
        } else if (b == '"') {
          inString = true;
        } else if (b == '{' || b == '[') {
          if (++depth > maxDepth) {
            throw fail("message nested deeper than " + maxDepth);
          }
        } else if ((b == '}' || b == ']') && --depth == 0) {
          i++;
          complete = true;
          break;
        }
      }
      append(data, start, i - start);
      if (complete) {
        byte[] frame = Arrays.copyOf(buf, len);
        len = 0;
        if (buf.length > INITIAL_CAPACITY) {
          buf = new byte[0]; // do not keep a large buffer after a large message
        }
        sink.accept(frame);
      }
    }
  }

  /** Whether a frame has started and not yet ended (bytes would be lost at end of stream). */
  boolean midFrame() {
    return depth > 0;
  }

  /** Bytes buffered for the frame being read. */
  int buffered() {
    return len;
  }

  /** Capacity of the internal buffer, for tests of the memory bound. */
  int capacity() {
    return buf.length;
  }

  private void append(byte[] data, int from, int count) {
    int need = len + count; // <= maxFrameBytes, checked while scanning
    if (need > buf.length) {
      long grown = Math.max(INITIAL_CAPACITY, (long) buf.length * 2);
      while (grown < need) {
        grown *= 2;
      }
      buf = Arrays.copyOf(buf, (int) Math.min(grown, maxFrameBytes));
    }
    System.arraycopy(data, from, buf, len, count);
    len = need;
  }

  private FramingException fail(String message) {
    failed = true;
    buf = new byte[0];
    len = 0;
    return new FramingException(message);
  }
}
