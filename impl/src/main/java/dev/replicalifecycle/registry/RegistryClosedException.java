package dev.replicalifecycle.registry;

/** The registry was closed; nothing changed. */
public final class RegistryClosedException extends ReplicaException {
  public RegistryClosedException() {
    super("replica registry is closed", null);
  }
}
