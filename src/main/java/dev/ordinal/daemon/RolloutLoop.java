package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Observation;
import dev.ordinal.rollout.RolloutEngine;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The rollout loop: for every watched StatefulSet that has a rollout spec, observe → {@link
 * RolloutEngine#decide} → {@link RolloutExecutor#execute}, one decision at a time per StatefulSet,
 * watch events coalesced through a keyed work queue and rechecks on a timer. It talks to the
 * cluster only through the {@link Workloads} and {@link ClusterEvents} ports. A closed loop cannot
 * be restarted; build a new one.
 */
public final class RolloutLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutLoop.class);

  /** Decisions in one go before yielding the worker (guards against a decide/execute loop). */
  private static final int MAX_DECISIONS_PER_TURN = 16;

  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(5);

  /** Told about every action carried out (not Waits, not writes lost to a conflict). */
  @FunctionalInterface
  public interface ActionListener {
    void executed(String key, Action action);
  }

  private final Workloads workloads;
  private final Set<String> namespaces;
  private final Function<StatefulSet, Optional<RolloutSpec>> specs;
  private final StatefulSetObserver observer;
  private final RolloutExecutor executor;
  private final KeyedWorkQueue queue = new KeyedWorkQueue();
  private final Map<String, Delayed> delayed = new ConcurrentHashMap<>();
  private final Map<String, String> warnedGarbled = new ConcurrentHashMap<>();
  private final int workers;
  private volatile ActionListener listener = (k, a) -> {};
  private volatile ActionListener decisions = (k, a) -> {};
  private volatile double speed = 1.0;
  private volatile boolean closed;
  private volatile boolean started;
  private AutoCloseable watch;
  private ScheduledExecutorService scheduler;
  private final List<Thread> workerThreads = new ArrayList<>();

  private record Delayed(long dueNanos, ScheduledFuture<?> future) {}

  /**
   * @param namespaces the namespaces to watch; empty means all
   * @param specs the rollout spec governing a StatefulSet, empty for those Ordinal leaves alone;
   *     called with the cached, slimmed object (metadata with labels and annotations, replicas,
   *     selector, updateStrategy, status; no pod template) on every decision, so keep it cheap
   */
  public RolloutLoop(
      Workloads workloads,
      EventBus bus,
      Set<String> namespaces,
      Function<StatefulSet, Optional<RolloutSpec>> specs,
      AnalysisRuns analysis,
      Clock clock,
      int workers) {
    this.workloads = Objects.requireNonNull(workloads);
    this.namespaces = Set.copyOf(namespaces);
    this.specs = Objects.requireNonNull(specs);
    this.observer = new StatefulSetObserver(analysis, clock);
    this.executor = new RolloutExecutor(workloads, bus, analysis, clock);
    this.workers = Math.max(1, workers);
  }

  /** A loop with two workers whose decisions go to the decision log and Kubernetes Events. */
  public RolloutLoop(
      Workloads workloads,
      ClusterEvents events,
      Set<String> namespaces,
      Function<StatefulSet, Optional<RolloutSpec>> specs,
      AnalysisRuns analysis,
      Clock clock) {
    this(workloads, EventBus.standard(events), namespaces, specs, analysis, clock, 2);
  }

  /**
   * Runs rechecks {@code speed} times sooner than the engine asks, for a clock that runs that much
   * faster than the wall clock ({@code ordinal demo}).
   */
  public RolloutLoop pace(double speed) {
    this.speed = speed;
    return this;
  }

  /**
   * Registers a listener told about every decision carried out, waits included: what a test waits
   * for to know the loop has looked at a change.
   */
  public RolloutLoop onDecision(ActionListener listener) {
    this.decisions = Objects.requireNonNull(listener);
    return this;
  }

  /** Registers a listener told about each executed action (tests, metrics). */
  public RolloutLoop onAction(ActionListener listener) {
    this.listener = Objects.requireNonNull(listener);
    return this;
  }

  /** Starts watching (waiting for the caches to sync) and the workers. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("closed rollout loops cannot be restarted");
    }
    if (started) {
      return;
    }
    started = true;
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ordinal-rollout-timer");
              t.setDaemon(true);
              return t;
            });
    watch =
        workloads.watch(
            namespaces,
            new Workloads.Listener() {
              @Override
              public void changed(String key) {
                enqueue(key);
              }

              @Override
              public void deleted(String key) {
                forget(key);
              }
            });
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, "ordinal-rollout-worker-" + i);
      t.setDaemon(true);
      workerThreads.add(t);
      t.start();
    }
    log.info("rollout loop started for {}", namespaces.isEmpty() ? "all namespaces" : namespaces);
  }

  public boolean isClosed() {
    return closed;
  }

  /** Stops acting at once: no write starts after this returns (one in flight may complete). */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    queue.shutdown();
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (watch != null) {
      try {
        watch.close();
      } catch (Exception e) {
        log.debug("closing the watch: {}", e.toString());
      }
    }
    delayed.clear();
    boolean onWorker = workerThreads.contains(Thread.currentThread());
    for (Thread t : workerThreads) {
      if (t != Thread.currentThread()) {
        t.interrupt();
      }
    }
    if (!onWorker) {
      for (Thread t : workerThreads) {
        try {
          t.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    log.info("rollout loop stopped");
  }

  /** StatefulSets with pending delayed rechecks (for tests and the bench). */
  int pendingRechecks() {
    return delayed.size();
  }

  void enqueue(String key) {
    if (!closed) {
      queue.add(key);
    }
  }

  private void forget(String key) {
    Delayed d = delayed.remove(key);
    if (d != null) {
      d.future().cancel(false);
    }
    warnedGarbled.remove(key);
  }

  /** Re-decides after {@code delay} unless an earlier recheck is already due. */
  private void recheck(String key, Duration simulated) {
    Duration delay = Duration.ofNanos((long) (simulated.toNanos() / speed));
    if (closed) {
      return;
    }
    long due = System.nanoTime() + delay.toNanos();
    delayed.compute(
        key,
        (k, existing) -> {
          if (existing != null && !existing.future().isDone() && existing.dueNanos() <= due) {
            return existing;
          }
          if (existing != null) {
            existing.future().cancel(false);
          }
          try {
            ScheduledFuture<?> f =
                scheduler.schedule(
                    () -> {
                      delayed.remove(k);
                      enqueue(k);
                    },
                    Math.max(1, delay.toMillis()),
                    TimeUnit.MILLISECONDS);
            return new Delayed(due, f);
          } catch (RejectedExecutionException e) {
            return null;
          }
        });
  }

  private void work() {
    queue.work(
        key -> {
          int slash = key.indexOf('/');
          try (var ns = MDC.putCloseable("namespace", key.substring(0, slash));
              var name = MDC.putCloseable("statefulSet", key.substring(slash + 1))) {
            process(key);
          } catch (RuntimeException e) {
            if (!closed) {
              log.warn("{}: decision failed, retrying in {}: {}", key, ERROR_BACKOFF, e.toString());
              recheck(key, ERROR_BACKOFF);
            }
          }
        });
  }

  void process(String key) {
    Optional<StatefulSet> cached = workloads.statefulSet(key, Workloads.Read.CACHED);
    if (cached.isEmpty()) {
      forget(key);
      return;
    }
    StatefulSet sts = cached.get();
    Workloads.Read podRead = Workloads.Read.CACHED;
    for (int i = 0; i < MAX_DECISIONS_PER_TURN; i++) {
      if (closed) {
        return;
      }
      Optional<RolloutSpec> spec = specs.apply(sts);
      if (spec.isEmpty()) {
        forget(key);
        return;
      }
      StatefulSetObserver.StoredState stored = StatefulSetObserver.storedState(sts);
      if (stored.garbled()) {
        String rv = sts.getMetadata().getResourceVersion();
        if (!rv.equals(warnedGarbled.put(key, rv))) {
          log.warn(
              "{}: rollout state annotation is unreadable, not acting until it is fixed: {}",
              key,
              stored.error());
          executor.publish(
              sts, new RolloutEvent.InvalidRolloutState(Annotations.STATE, stored.error()));
        }
        return;
      }
      warnedGarbled.remove(key);
      List<Pod> pods = workloads.pods(sts, podRead);
      Optional<Observation> obs = observer.observe(sts, pods, stored.state(), spec.get());
      if (obs.isEmpty()) {
        return; // no update revision yet: the controller's status write wakes us
      }
      Action action = RolloutEngine.decide(spec.get(), stored.state(), obs.get());
      if (closed) {
        return;
      }
      RolloutExecutor.Result result = executor.execute(action, sts);
      if (result.next() != RolloutExecutor.Next.CONFLICT) {
        if (!(action instanceof Action.Wait)) {
          listener.executed(key, action);
        }
        decisions.executed(key, action);
      }
      switch (result.next()) {
        case WAIT -> {
          recheck(key, result.recheckAfter());
          return;
        }
        case CONFLICT -> {
          Optional<StatefulSet> fresh = workloads.statefulSet(key, Workloads.Read.FRESH);
          if (fresh.isEmpty()) {
            forget(key);
            return;
          }
          sts = fresh.get();
          podRead = Workloads.Read.FRESH;
        }
        case DECIDE_AGAIN -> sts = result.sts();
      }
    }
    recheck(key, Duration.ofSeconds(1));
  }
}
