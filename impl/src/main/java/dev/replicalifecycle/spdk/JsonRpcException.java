package dev.replicalifecycle.spdk;

import java.util.Objects;

/**
 * A failed JSON-RPC call of {@link JsonRpcClient}. The {@link #kind()} says what went wrong and
 * whether the outcome of the call is known.
 *
 * <p>Only {@link Kind#ERROR_RESPONSE} means the server certainly received and answered the
 * request (with an error). For every other kind the request may or may not have been applied.
 */
public final class JsonRpcException extends Exception {

  /** What went wrong. */
  public enum Kind {
    /**
     * The server answered with a JSON-RPC error object; {@link #code()} and {@link
     * #serverMessage()} hold it verbatim.
     */
    ERROR_RESPONSE,
    /** No answer within the call's timeout (or the waiting thread was interrupted). */
    TIMEOUT,
    /** No connection could be made, the connection broke, or the client was closed. */
    UNAVAILABLE,
    /**
     * The server's bytes broke the protocol: malformed or oversized JSON, an answer cut off, a
     * response with {@code "id":null} or no usable id, an unknown or duplicate id, an answer that
     * is not a JSON-RPC response (version, both or neither of {@code result} and {@code error},
     * a malformed error object), or a result of the wrong shape. All but the last drop the
     * connection, and every call pending on it fails with this kind. The request was sent: its
     * outcome is unknown.
     */
    PROTOCOL
  }

  private final Kind kind;
  private final int code;
  private final String serverMessage;

  JsonRpcException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    if (kind == Kind.ERROR_RESPONSE) {
      throw new IllegalArgumentException("use errorResponse()");
    }
    this.code = 0;
    this.serverMessage = null;
  }

  private JsonRpcException(String method, int code, String serverMessage) {
    super(method + ": error " + code + ": " + serverMessage);
    this.kind = Kind.ERROR_RESPONSE;
    this.code = code;
    this.serverMessage = serverMessage;
  }

  private JsonRpcException(JsonRpcException other) {
    super(other.getMessage(), other.getCause());
    this.kind = other.kind;
    this.code = other.code;
    this.serverMessage = other.serverMessage;
  }

  static JsonRpcException errorResponse(String method, int code, String serverMessage) {
    return new JsonRpcException(method, code, Objects.requireNonNull(serverMessage));
  }

  static JsonRpcException timeout(String message) {
    return new JsonRpcException(Kind.TIMEOUT, message, null);
  }

  static JsonRpcException unavailable(String message, Throwable cause) {
    return new JsonRpcException(Kind.UNAVAILABLE, message, cause);
  }

  static JsonRpcException protocol(String message, Throwable cause) {
    return new JsonRpcException(Kind.PROTOCOL, message, cause);
  }

  /** A copy with the stack trace of the calling thread (failures are made on the reader thread). */
  JsonRpcException inCallerThread() {
    return new JsonRpcException(this);
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** The JSON-RPC error code for {@link Kind#ERROR_RESPONSE}, {@code 0} otherwise. */
  public int code() {
    return code;
  }

  /**
   * The error message exactly as the server sent it for {@link Kind#ERROR_RESPONSE} (for SPDK
   * often the errno text, such as {@code "File exists"}); {@code null} otherwise.
   */
  public String serverMessage() {
    return serverMessage;
  }

  /** Whether the server certainly answered: true only for {@link Kind#ERROR_RESPONSE}. */
  public boolean outcomeKnown() {
    return kind == Kind.ERROR_RESPONSE;
  }
}
