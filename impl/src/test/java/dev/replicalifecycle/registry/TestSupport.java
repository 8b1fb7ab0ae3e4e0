package dev.replicalifecycle.registry;

/** Small helpers the registry's tests share. Stateless. */
final class TestSupport {

  private TestSupport() {}

  /** @return what {@code r} threw, or null if it returned */
  static Throwable failure(Runnable r) {
    try {
      r.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  /** Sleeps; an interrupt ends the sleep and stays set on the thread. */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
