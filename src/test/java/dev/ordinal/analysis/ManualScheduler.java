package dev.ordinal.analysis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A scheduler and clock in one: time moves only when a test calls {@link #advance}. */
final class ManualScheduler implements Scheduler {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private long sequence;
  private final List<Task> tasks = new ArrayList<>();

  private final class Task implements Cancellable {
    final Instant due;
    final long order = sequence++;
    final Runnable runnable;
    boolean cancelled;

    Task(Instant due, Runnable runnable) {
      this.due = due;
      this.runnable = runnable;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task scheduled = new Task(now.plus(delay), task);
    tasks.add(scheduled);
    return scheduled;
  }

  /** Moves time forward, running every task that falls due on the way, in due order. */
  void advance(Duration duration) {
    Instant end = now.plus(duration);
    while (true) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> !t.cancelled && !t.due.isAfter(end))
                .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.order))
                .orElse(null);
        if (next == null) {
          now = end;
          return;
        }
        tasks.remove(next);
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      next.runnable.run();
    }
  }

  synchronized long pending() {
    return tasks.stream().filter(t -> !t.cancelled).count();
  }

  Instant now() {
    return now;
  }
}
