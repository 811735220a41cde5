package dev.ordinal.kube;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Observation;
import dev.ordinal.rollout.RolloutEngine;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSpec;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches StatefulSets and their pods and, for every StatefulSet that has a rollout spec, runs
 * observe → {@link RolloutEngine#decide} → {@link RolloutExecutor#execute} — one decision at a time
 * per StatefulSet, events coalesced through a keyed work queue. A closed controller cannot be
 * restarted; build a new one.
 */
public final class RolloutController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutController.class);
  private static final String OWNER_INDEX = "ordinal-owner";

  /** Decisions in one go before yielding the worker (guards against a decide/execute loop). */
  private static final int MAX_DECISIONS_PER_TURN = 16;

  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(5);

  /** Told about every action carried out (not Waits, not writes lost to a conflict). */
  @FunctionalInterface
  public interface ActionListener {
    void executed(String key, Action action);
  }

  private final KubernetesClient client;
  private final Set<String> namespaces;
  private final Function<StatefulSet, Optional<RolloutSpec>> specs;
  private final StatefulSetObserver observer;
  private final RolloutExecutor executor;
  private final KeyedWorkQueue queue = new KeyedWorkQueue();
  private final Map<String, Delayed> delayed = new ConcurrentHashMap<>();
  private final Map<String, String> warnedGarbled = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<StatefulSet>> stsInformers = new ArrayList<>();
  private final Map<String, SharedIndexInformer<Pod>> podInformers = new ConcurrentHashMap<>();
  private final int workers;
  private volatile ActionListener listener = (k, a) -> {};
  private volatile boolean closed;
  private volatile boolean started;
  private ScheduledExecutorService scheduler;
  private List<Thread> workerThreads = new ArrayList<>();

  private record Delayed(long dueNanos, ScheduledFuture<?> future) {}

  /**
   * @param namespaces the namespaces to watch; empty means all
   * @param specs the rollout spec governing a StatefulSet, empty for those Ordinal leaves alone;
   *     called with the cached, slimmed object (metadata with labels and annotations, replicas,
   *     selector, updateStrategy, status; no pod template) on every decision, so keep it cheap
   * @param identity names this instance in Events (reportingInstance)
   */
  public RolloutController(
      KubernetesClient client,
      Set<String> namespaces,
      Function<StatefulSet, Optional<RolloutSpec>> specs,
      AnalysisRuns analysis,
      Clock clock,
      String identity) {
    this(client, namespaces, specs, analysis, clock, identity, 2);
  }

  public RolloutController(
      KubernetesClient client,
      Set<String> namespaces,
      Function<StatefulSet, Optional<RolloutSpec>> specs,
      AnalysisRuns analysis,
      Clock clock,
      String identity,
      int workers) {
    this.client = Objects.requireNonNull(client);
    this.namespaces = Set.copyOf(namespaces);
    this.specs = Objects.requireNonNull(specs);
    this.observer = new StatefulSetObserver(analysis, clock);
    this.executor = new RolloutExecutor(client, analysis, clock, identity);
    this.workers = Math.max(1, workers);
  }

  /** Registers a listener told about each executed action (tests, metrics). */
  public RolloutController onAction(ActionListener listener) {
    this.listener = Objects.requireNonNull(listener);
    return this;
  }

  /** Starts the informers (waiting for their first sync) and the workers. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("closed controllers cannot be restarted");
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
    if (namespaces.isEmpty()) {
      podInformers.put(
          "",
          podInformer(
              client
                  .pods()
                  .inAnyNamespace()
                  .withLabel(StatefulSetObserver.REVISION_LABEL)
                  .runnableInformer(0)));
      stsInformers.add(
          client
              .apps()
              .statefulSets()
              .inAnyNamespace()
              .runnableInformer(0)
              .itemStore(SlimStore.statefulSets()));
    } else {
      for (String ns : namespaces) {
        podInformers.put(
            ns,
            podInformer(
                client
                    .pods()
                    .inNamespace(ns)
                    .withLabel(StatefulSetObserver.REVISION_LABEL)
                    .runnableInformer(0)));
        stsInformers.add(
            client
                .apps()
                .statefulSets()
                .inNamespace(ns)
                .runnableInformer(0)
                .itemStore(SlimStore.statefulSets()));
      }
    }
    for (SharedIndexInformer<StatefulSet> informer : stsInformers) {
      informer.addEventHandler(
          new ResourceEventHandler<StatefulSet>() {
            @Override
            public void onAdd(StatefulSet sts) {
              enqueue(key(sts));
            }

            @Override
            public void onUpdate(StatefulSet old, StatefulSet sts) {
              enqueue(key(sts));
            }

            @Override
            public void onDelete(StatefulSet sts, boolean unknown) {
              forget(key(sts));
            }
          });
    }
    for (SharedIndexInformer<Pod> informer : podInformers.values()) {
      informer.addEventHandler(
          new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
              ownerKey(pod).ifPresent(RolloutController.this::enqueue);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
              ownerKey(pod).ifPresent(RolloutController.this::enqueue);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
              ownerKey(pod).ifPresent(RolloutController.this::enqueue);
            }
          });
    }
    // pods first, so the first decision about a StatefulSet sees its pods
    podInformers.values().forEach(i -> i.start().toCompletableFuture().join());
    stsInformers.forEach(i -> i.start().toCompletableFuture().join());
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, "ordinal-rollout-worker-" + i);
      t.setDaemon(true);
      workerThreads.add(t);
      t.start();
    }
    log.info(
        "rollout controller started for {}", namespaces.isEmpty() ? "all namespaces" : namespaces);
  }

  private SharedIndexInformer<Pod> podInformer(SharedIndexInformer<Pod> informer) {
    informer.itemStore(SlimStore.pods());
    informer.addIndexers(Map.of(OWNER_INDEX, pod -> ownerKey(pod).map(List::of).orElse(List.of())));
    return informer;
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
    stsInformers.forEach(SharedIndexInformer::close);
    podInformers.values().forEach(SharedIndexInformer::close);
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
    log.info("rollout controller stopped");
  }

  /** StatefulSets with pending delayed rechecks (for tests and the bench). */
  int pendingRechecks() {
    return delayed.size();
  }

  static String key(StatefulSet sts) {
    return sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName();
  }

  static Optional<String> ownerKey(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners == null) {
      return Optional.empty();
    }
    for (OwnerReference o : owners) {
      if ("StatefulSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController())) {
        return Optional.of(pod.getMetadata().getNamespace() + "/" + o.getName());
      }
    }
    return Optional.empty();
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
    executor.forget(key);
  }

  /** Re-decides after {@code delay} unless an earlier recheck is already due. */
  private void recheck(String key, Duration delay) {
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
          } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
          }
        });
  }

  private void work() {
    while (!closed) {
      String key;
      try {
        key = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (key == null) {
        return;
      }
      try {
        process(key);
      } catch (RuntimeException e) {
        if (!closed) {
          log.warn("{}: decision failed, retrying in {}: {}", key, ERROR_BACKOFF, e.toString());
          recheck(key, ERROR_BACKOFF);
        }
      } finally {
        queue.done(key);
      }
    }
  }

  private StatefulSet cached(String key) {
    for (SharedIndexInformer<StatefulSet> informer : stsInformers) {
      StatefulSet sts = informer.getStore().getByKey(key);
      if (sts != null) {
        return sts;
      }
    }
    return null;
  }

  private List<Pod> cachedPods(String namespace, String key) {
    SharedIndexInformer<Pod> informer = podInformers.get(namespaces.isEmpty() ? "" : namespace);
    return informer == null ? List.of() : informer.getIndexer().byIndex(OWNER_INDEX, key);
  }

  private List<Pod> freshPods(StatefulSet sts) {
    String key = key(sts);
    List<Pod> pods = new ArrayList<>();
    Map<String, String> selector =
        sts.getSpec().getSelector() == null ? null : sts.getSpec().getSelector().getMatchLabels();
    var query = client.pods().inNamespace(sts.getMetadata().getNamespace());
    for (Pod p :
        (selector == null || selector.isEmpty()
                ? query.withLabel(StatefulSetObserver.REVISION_LABEL)
                : query.withLabels(selector))
            .list()
            .getItems()) {
      if (ownerKey(p).filter(key::equals).isPresent()) {
        pods.add(p);
      }
    }
    return pods;
  }

  void process(String key) {
    StatefulSet sts = cached(key);
    if (sts == null) {
      forget(key);
      return;
    }
    boolean fresh = false;
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
          executor.event(
              sts,
              new RolloutEvent(
                  RolloutEvent.Type.WARNING,
                  "InvalidRolloutState",
                  "annotation "
                      + dev.ordinal.rollout.Annotations.STATE
                      + " is unreadable, Ordinal does not act: "
                      + stored.error()));
        }
        return;
      }
      warnedGarbled.remove(key);
      List<Pod> pods = fresh ? freshPods(sts) : cachedPods(sts.getMetadata().getNamespace(), key);
      Optional<Observation> obs = observer.observe(sts, pods, stored.state(), spec.get());
      if (obs.isEmpty()) {
        return; // no update revision yet: the controller's status write wakes us
      }
      Action action = RolloutEngine.decide(spec.get(), stored.state(), obs.get());
      if (closed) {
        return;
      }
      RolloutExecutor.Result result = executor.execute(action, sts);
      if (!(action instanceof Action.Wait) && result.next() != RolloutExecutor.Next.CONFLICT) {
        listener.executed(key, action);
      }
      switch (result.next()) {
        case WAIT:
          recheck(key, result.recheckAfter());
          return;
        case CONFLICT:
          sts =
              client
                  .apps()
                  .statefulSets()
                  .inNamespace(sts.getMetadata().getNamespace())
                  .withName(sts.getMetadata().getName())
                  .get();
          if (sts == null) {
            forget(key);
            return;
          }
          fresh = true;
          break;
        case DECIDE_AGAIN:
        default:
          sts = result.sts();
          break;
      }
    }
    recheck(key, Duration.ofSeconds(1));
  }
}
