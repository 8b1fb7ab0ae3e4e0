package dev.replicalifecycle.registry;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@link ReplicaRegistry#verify()} rounds on one daemon thread, {@code interval} after the
 * end of each round (so rounds never overlap, and a slow listing delays the next round rather
 * than piling rounds up). A failed round is reported and the loop goes on; so does a round in
 * which a listener or the store threw anything but a {@link VirtualMachineError} (handed to the
 * thread's uncaught-exception handler).
 *
 * <p>Thread-safe: {@link #stop} may be called from any thread, more than once.
 */
final class VerifyLoop {
  private final ScheduledExecutorService executor;

  private VerifyLoop(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  static VerifyLoop start(
      ReplicaRegistry registry,
      Duration interval,
      Consumer<VerifyReport> onReport,
      Consumer<ReplicaStoreException> onFailure) {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "replica-verify");
              t.setDaemon(true);
              return t;
            });
    long nanos = interval.toNanos();
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            onReport.accept(registry.verify());
          } catch (ReplicaStoreException e) {
            onFailure.accept(e);
          } catch (RegistryClosedException | ReplicaBusyException e) {
            // closing: the executor is being shut down (a round interrupted while waiting)
          } catch (VirtualMachineError e) {
            throw e; // the JVM is in trouble: the loop stops (the executor keeps the error)
          } catch (RuntimeException | Error e) {
            // a listener or store threw (an assertion in a test listener included): keep the
            // loop alive, since scheduleWithFixedDelay would run no round again; the thread's
            // uncaught-exception handler gets it
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
          }
        },
        nanos,
        nanos,
        TimeUnit.NANOSECONDS);
    return new VerifyLoop(executor);
  }

  /**
   * Stops the loop: no new round starts; a round in progress is interrupted (its store call ends
   * as a timeout) and waited for, up to {@code timeout}. Never throws.
   */
  void stop(Duration timeout) {
    executor.shutdownNow();
    try {
      executor.awaitTermination(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
