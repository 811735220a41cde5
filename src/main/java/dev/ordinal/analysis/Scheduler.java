package dev.ordinal.analysis;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs measurements later. Unit tests use a manual scheduler driven by a fake clock. */
public interface Scheduler {

  /** A scheduled task that may be cancelled. */
  interface Cancellable {
    void cancel();
  }

  Cancellable schedule(Duration delay, Runnable task);

  /** This scheduler for a clock that runs {@code speed} times faster than the wall clock. */
  default Scheduler paced(double speed) {
    Scheduler inner = this;
    return (delay, task) ->
        inner.schedule(Duration.ofNanos((long) (delay.toNanos() / speed)), task);
  }

  /**
   * Real threads. Measurements block on HTTP for up to their timeout, so several threads keep one
   * slow Prometheus from delaying every other run's measurements.
   */
  static Scheduler threads(int size) {
    AtomicInteger counter = new AtomicInteger();
    ScheduledExecutorService executor =
        Executors.newScheduledThreadPool(
            size,
            runnable -> {
              Thread thread = new Thread(runnable, "ordinal-analysis-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    return (delay, task) -> {
      ScheduledFuture<?> future =
          executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
      return () -> future.cancel(false);
    };
  }
}
