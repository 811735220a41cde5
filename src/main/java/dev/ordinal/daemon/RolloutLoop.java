package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.backup.BackupManager;
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
import java.util.function.DoubleConsumer;
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
  private final BackupManager backups;
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
  private AutoCloseable volumeWatch;
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
    this(workloads, bus, namespaces, specs, analysis, null, clock, workers);
  }

  /**
   * @param backups takes and restores the snapshots policies ask for; null without backup support
   *     (a policy's backup then fails closed: the rollout does not start)
   */
  public RolloutLoop(
      Workloads workloads,
      EventBus bus,
      Set<String> namespaces,
      Function<StatefulSet, Optional<RolloutSpec>> specs,
      AnalysisRuns analysis,
      BackupManager backups,
      Clock clock,
      int workers) {
    this.workloads = Objects.requireNonNull(workloads);
    this.namespaces = Set.copyOf(namespaces);
    this.specs = Objects.requireNonNull(specs);
    this.backups = backups;
    this.observer = new StatefulSetObserver(analysis, backups, clock);
    this.executor = new RolloutExecutor(workloads, bus, analysis, backups, clock);
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

  /** Told how long each StatefulSet waited in the work queue before a worker took it (metrics). */
  public RolloutLoop onQueueLatency(DoubleConsumer seconds) {
    queue.onLatency(seconds);
    return this;
  }

  /** StatefulSets waiting in the work queue for a decision. */
  public int queueDepth() {
    return queue.size();
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
    if (backups != null) {
      // snapshots getting ready, claims going and hooks ending wake their StatefulSet's decision
      volumeWatch = backups.watch(namespaces, this::enqueue);
    }
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
    for (AutoCloseable w : new AutoCloseable[] {watch, volumeWatch}) {
      if (w != null) {
        try {
          w.close();
        } catch (Exception e) {
          log.debug("closing a watch: {}", e.toString());
        }
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
    // UpdateStates decided on sts (then a projection of it) but not yet written: see executor
    RolloutExecutor.Carried carried = RolloutExecutor.Carried.NONE;
    // whether sts is the cache's copy (or its projection): the cache only moves forward, so after
    // a conflict a cached copy under another resourceVersion is newer than what lost
    boolean fromCache = true;
    for (int i = 0; i < MAX_DECISIONS_PER_TURN; i++) {
      if (closed) {
        return;
      }
      Optional<RolloutSpec> spec = specs.apply(sts);
      if (spec.isEmpty()) {
        writeCarried(key, sts, carried);
        forget(key);
        return;
      }
      StatefulSetObserver.StoredState stored = StatefulSetObserver.storedState(sts);
      if (stored.garbled()) {
        // never a projection: what the executor projects is a state it wrote itself
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
        writeCarried(key, sts, carried);
        return; // no update revision yet: the controller's status write wakes us
      }
      Action action = RolloutEngine.decide(spec.get(), stored.state(), obs.get());
      if (closed) {
        return;
      }
      RolloutExecutor.Result result = executor.execute(action, sts, carried);
      carried = result.carried();
      if (result.next() != RolloutExecutor.Next.CONFLICT
          && result.next() != RolloutExecutor.Next.CARRY) {
        result.written().forEach(done -> tell(key, done));
        if (result.carriedOut()) {
          tell(key, action);
        } else {
          // A pod already gone was not deleted again: the action listeners (metrics, tests) count
          // what was done, as the Events do; the decision listener hears of every decision.
          decisions.executed(key, action);
        }
      }
      switch (result.next()) {
        case WAIT -> {
          recheck(key, result.recheckAfter());
          return;
        }
        case CONFLICT -> {
          Optional<StatefulSet> newer = fromCache ? newerInCache(key, sts) : Optional.empty();
          if (newer.isPresent()) {
            // most often the StatefulSet controller's status write for the same pod event: its
            // watch event came while our write was on its way, so no request is needed to see it
            sts = newer.get();
          } else {
            Optional<StatefulSet> fresh = workloads.statefulSet(key, Workloads.Read.FRESH);
            if (fresh.isEmpty()) {
              forget(key);
              return;
            }
            sts = fresh.get();
            podRead = Workloads.Read.FRESH;
            fromCache = false;
          }
        }
        case DECIDE_AGAIN -> {
          sts = result.sts();
          fromCache = false;
        }
        case CARRY -> sts = result.sts();
      }
    }
    writeCarried(key, sts, carried);
    recheck(key, Duration.ofSeconds(1));
  }

  /** The cached StatefulSet when it is no longer the version {@code lost} was read at. */
  private Optional<StatefulSet> newerInCache(String key, StatefulSet lost) {
    String version = lost.getMetadata().getResourceVersion();
    return workloads
        .statefulSet(key, Workloads.Read.CACHED)
        .filter(cached -> !cached.getMetadata().getResourceVersion().equals(version));
  }

  /** Tells the listeners about a decision carried out. */
  private void tell(String key, Action action) {
    if (!(action instanceof Action.Wait)) {
      listener.executed(key, action);
    }
    decisions.executed(key, action);
  }

  /**
   * Writes the UpdateStates a turn decided when it ends without a write of its own. A conflict
   * means the object changed since it was read: its watch event queues it for a new decision.
   */
  private void writeCarried(String key, StatefulSet sts, RolloutExecutor.Carried carried) {
    if (!carried.isEmpty() && !closed && executor.writeCarried(sts, carried)) {
      carried.actions().forEach(done -> tell(key, done));
    }
  }
}
