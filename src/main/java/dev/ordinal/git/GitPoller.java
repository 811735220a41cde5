package dev.ordinal.git;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls several {@link PollTarget}s: every {@code interval} ±10 % (so that many apps do not hit the
 * remote in step), soon after {@link #trigger(String)}, and with exponential backoff after
 * failures. Each {@link PollResult.Changed} goes to the listener.
 *
 * <p>Triggers (push webhooks) are debounced per target: the first one polls at once, and every
 * trigger until {@code triggerWindow} after that poll started joins one poll at the window's end.
 * So a target has at most one poll in flight and one queued, and a burst of webhooks costs at most
 * one fetch per window plus the first (200 webhooks in 4 s: two fetches with the 5 s default).
 */
public final class GitPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GitPoller.class);

  /** How long closing waits for a poll under way. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_BACKOFF_START = Duration.ofSeconds(5);
  public static final Duration DEFAULT_BACKOFF_CAP = Duration.ofMinutes(5);

  /** Triggered polls of one target start at least this far apart. */
  public static final Duration DEFAULT_TRIGGER_WINDOW = Duration.ofSeconds(5);

  /** Fraction of the interval by which each delay is moved at random, either way. */
  public static final double JITTER = 0.10;

  /** Receives every change a poll finds. Called on the scheduler's thread. */
  @FunctionalInterface
  public interface ChangeListener {
    void onChanged(PollTarget target, PollResult.Changed change);
  }

  /** Runs tasks later; a {@link ScheduledExecutorService} in production, a fake in tests. */
  public interface Scheduler {
    Cancellable schedule(Runnable task, Duration delay);

    /** The scheduler's time in milliseconds, for spacing triggered polls. */
    default long nowMillis() {
      return System.nanoTime() / 1_000_000;
    }
  }

  /** A scheduled task that may be called off. */
  @FunctionalInterface
  public interface Cancellable {
    void cancel();
  }

  /** Interval, backoff and trigger-debounce settings. */
  public record Timing(
      Duration interval, Duration backoffStart, Duration backoffCap, Duration triggerWindow) {
    public Timing {
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(backoffStart, "backoffStart");
      Objects.requireNonNull(backoffCap, "backoffCap");
      Objects.requireNonNull(triggerWindow, "triggerWindow");
    }

    /** With the default trigger window. */
    public Timing(Duration interval, Duration backoffStart, Duration backoffCap) {
      this(interval, backoffStart, backoffCap, DEFAULT_TRIGGER_WINDOW);
    }

    public static Timing defaults() {
      return new Timing(DEFAULT_INTERVAL, DEFAULT_BACKOFF_START, DEFAULT_BACKOFF_CAP);
    }
  }

  private final Scheduler scheduler;
  private final DoubleSupplier random;
  private final Timing timing;
  private final ChangeListener listener;
  private final List<Tracked> tracked = new ArrayList<>();
  private final AutoCloseable onClose;
  private boolean closed;

  /**
   * @param random values in [0, 1) for jitter, e.g. {@code ThreadLocalRandom.current()::nextDouble}
   */
  public GitPoller(
      Scheduler scheduler, DoubleSupplier random, Timing timing, ChangeListener listener) {
    this(scheduler, random, timing, listener, () -> {});
  }

  private GitPoller(
      Scheduler scheduler,
      DoubleSupplier random,
      Timing timing,
      ChangeListener listener,
      AutoCloseable onClose) {
    this.scheduler = scheduler;
    this.random = random;
    this.timing = timing;
    this.listener = listener;
    this.onClose = onClose;
  }

  /**
   * A poller with default timing on {@code threads} daemon threads. More than one thread keeps a
   * slow or hanging remote from delaying the polls of the others.
   */
  public static GitPoller withDaemonThreads(int threads, ChangeListener listener) {
    return withDaemonThreads(threads, Timing.defaults(), listener);
  }

  /** As {@link #withDaemonThreads(int, ChangeListener)}, with the daemon's configured timing. */
  public static GitPoller withDaemonThreads(int threads, Timing timing, ChangeListener listener) {
    AtomicInteger counter = new AtomicInteger();
    ScheduledExecutorService executor =
        Executors.newScheduledThreadPool(
            threads,
            r -> {
              Thread thread = new Thread(r, "ordinal-git-poller-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    Scheduler scheduler =
        (task, delay) -> {
          ScheduledFuture<?> future =
              executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
          return () -> future.cancel(false);
        };
    return new GitPoller(
        scheduler,
        () -> ThreadLocalRandom.current().nextDouble(),
        timing,
        listener,
        () -> {
          executor.shutdownNow();
          // A poll under way writes into the repository cache: let it end (a fetch does not stop
          // at an interrupt) before whoever closed this removes or reuses that cache.
          if (!executor.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            LOG.warn("a Git poll still runs {} after the poller closed", CLOSE_WAIT);
          }
        });
  }

  /** Starts polling {@code target}: the first poll runs at once. */
  public synchronized void add(PollTarget target) {
    Tracked t = new Tracked(target);
    tracked.add(t);
    t.scheduleIn(Duration.ZERO);
  }

  /**
   * Polls every tracked target whose repository matches {@code repoUrl} (see {@link
   * RepoUrl#matchKey}): at once, or, within the trigger window of the last triggered poll, once at
   * the window's end. Returns how many matched.
   */
  public synchronized int trigger(String repoUrl) {
    String key = RepoUrl.matchKey(repoUrl);
    int matched = 0;
    for (Tracked t : tracked) {
      if (t.matchKey.equals(key)) {
        matched++;
        t.trigger();
      }
    }
    return matched;
  }

  /** The delay after a successful poll: the interval moved by up to ±{@link #JITTER}. */
  Duration nextInterval() {
    double factor = 1 + JITTER * (2 * random.getAsDouble() - 1);
    return Duration.ofMillis(Math.round(timing.interval().toMillis() * factor));
  }

  /** The delay after {@code failures} consecutive failures: start × 2^(failures−1), capped. */
  Duration backoff(int failures) {
    Duration delay = timing.backoffStart();
    for (int i = 1; i < failures && delay.compareTo(timing.backoffCap()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(timing.backoffCap()) > 0 ? timing.backoffCap() : delay;
  }

  /**
   * Stops polling: nothing new starts, and a poll under way (on the daemon's threads) is waited
   * for, up to {@link #CLOSE_WAIT}.
   */
  @Override
  public void close() throws Exception {
    synchronized (this) {
      closed = true;
      for (Tracked t : tracked) {
        t.cancelPending();
      }
    }
    // Outside the lock: a poll under way takes it to record its end.
    onClose.close();
  }

  /** One target's schedule; all state is guarded by the poller's lock. */
  private final class Tracked {
    private final PollTarget target;
    private final String matchKey;
    private Cancellable pending;
    private long generation;
    private int failures;
    private boolean running;
    private boolean rerunRequested;
    // A triggered poll is scheduled and has not started: later triggers join it.
    private boolean triggerPending;
    private long lastTriggeredStart = Long.MIN_VALUE;

    Tracked(PollTarget target) {
      this.target = target;
      this.matchKey = RepoUrl.matchKey(target.repoUrl());
    }

    void trigger() {
      if (closed || triggerPending) {
        return;
      }
      if (running) {
        // A poll is under way; run once more after it so a webhook's commit is not missed.
        rerunRequested = true;
        return;
      }
      scheduleIn(untilWindowEnds());
      triggerPending = true;
    }

    private Duration untilWindowEnds() {
      if (lastTriggeredStart == Long.MIN_VALUE) {
        return Duration.ZERO;
      }
      long due = lastTriggeredStart + timing.triggerWindow().toMillis();
      return Duration.ofMillis(Math.max(0, due - scheduler.nowMillis()));
    }

    void scheduleIn(Duration delay) {
      if (closed) {
        return;
      }
      cancelPending();
      triggerPending = false;
      long scheduled = ++generation;
      pending = scheduler.schedule(() -> run(scheduled), delay);
    }

    void cancelPending() {
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
    }

    private void run(long scheduled) {
      synchronized (GitPoller.this) {
        // A cancel can lose the race with a task that is already starting; only the most
        // recently scheduled task may poll, so there is never more than one chain per target.
        if (closed || running || scheduled != generation) {
          return;
        }
        pending = null;
        running = true;
        if (triggerPending) {
          triggerPending = false;
          lastTriggeredStart = scheduler.nowMillis();
        }
      }
      PollResult result;
      try {
        result = target.poll();
      } catch (RuntimeException e) {
        result = new PollResult.Failed("poll threw " + e, Optional.empty());
      }
      if (result instanceof PollResult.Changed changed) {
        try {
          listener.onChanged(target, changed);
        } catch (RuntimeException e) {
          LOG.error("change listener failed for {}", RepoUrl.redact(target.repoUrl()), e);
        }
      }
      synchronized (GitPoller.this) {
        running = false;
        Duration next;
        if (result instanceof PollResult.Failed) {
          failures++;
          next = backoff(failures);
        } else {
          failures = 0;
          next = nextInterval();
        }
        if (rerunRequested) {
          rerunRequested = false;
          scheduleIn(untilWindowEnds());
          triggerPending = true;
        } else {
          scheduleIn(next);
        }
      }
    }
  }
}
