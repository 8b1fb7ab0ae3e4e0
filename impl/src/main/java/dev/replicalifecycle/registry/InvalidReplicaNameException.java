package dev.replicalifecycle.registry;

/** A replica name that SPDK or the lvol naming rules would not accept. Nothing changed. */
public final class InvalidReplicaNameException extends IllegalArgumentException {
  private final String name;

  InvalidReplicaNameException(String name, String why) {
    super("invalid replica name " + quote(name) + ": " + why);
    this.name = name;
  }

  /** The rejected name (may be {@code null}). */
  public String name() {
    return name;
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return '"' + shown.replace("\"", "\\\"") + '"';
  }
}
