package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRunner;
import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.analysis.Scheduler;
import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.analysis.prometheus.HttpPrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.backup.BackupManager;
import dev.ordinal.git.GitCredentials;
import dev.ordinal.git.GitPoller;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSource;
import dev.ordinal.git.GitSourceConfig;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.WebhookHandler;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ReadFailures;
import dev.ordinal.metrics.AnalysisMetrics;
import dev.ordinal.metrics.BackupMetrics;
import dev.ordinal.metrics.ControllerMetrics;
import dev.ordinal.metrics.OrdinalMetrics;
import dev.ordinal.metrics.RecreateMetrics;
import dev.ordinal.metrics.RolloutGauges;
import dev.ordinal.metrics.RolloutMetrics;
import dev.ordinal.notify.Formats;
import dev.ordinal.notify.Notifications;
import dev.ordinal.notify.WebhookNotifier;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.rollout.LiveRollout;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutEngine;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.StatefulSetView;
import dev.ordinal.shard.LeaseTiming;
import dev.ordinal.shard.LeasedShards;
import dev.ordinal.shard.Ownership;
import dev.ordinal.shard.ShardOf;
import dev.ordinal.web.AppStatus;
import dev.ordinal.web.DecisionHistory;
import dev.ordinal.web.HttpEndpoints;
import dev.ordinal.web.Limits;
import dev.ordinal.web.StatusPage;
import dev.ordinal.web.WebhookEndpoint;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running Ordinal, assembled from ports: a Git loop per app (poll, webhook, plan, apply), the
 * rollout loop, leader election and the HTTP endpoints. Only the leader writes; a standby fetches,
 * plans and keeps its caches warm, so it takes over within the lease duration. The same assembly
 * runs against a real cluster ({@code kube.KubeCluster}) and in memory ({@code sim.SimCluster}).
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  /** How often a recreate looks again at claims growing, and how long one sync waits on them. */
  static final Duration RECREATE_POLL = Duration.ofSeconds(2);

  static final Duration RECREATE_PATIENCE = Duration.ofMinutes(1);

  /** The Lease that elects the one instance that writes. */
  public static final String LEASE_NAME = "ordinal";

  /** The ConfigMap in Ordinal's namespace that keeps analysis runs across restarts. */
  public static final String ANALYSIS_RUNS = "ordinal-analysis-runs";

  /**
   * What the daemon runs against: the cluster, Prometheus and the clock, which may run {@code
   * speed} times faster than the wall clock (the demo's simulated time; 1 for real).
   */
  public record Ports(Cluster cluster, PrometheusApi prometheus, Clock clock, double speed) {
    /**
     * A real cluster and real Prometheus servers; a template's {@code bearerTokenSecret} is read
     * from Ordinal's own namespace, where its RBAC lets it read named Secrets.
     */
    public static Ports of(Cluster cluster, DaemonConfig config) {
      String home = config.ordinalNamespaceOrDefault();
      // Only Secrets the config names are ever read: the servers' credentials and the list
      // templates may use. Load-time checks refuse any other; this holds even if one slipped by.
      Set<String> readable = new TreeSet<>();
      if (config.analysisSecrets() != null) {
        readable.addAll(config.analysisSecrets());
      }
      if (config.prometheus() != null) {
        config.prometheus().values().stream()
            .filter(server -> server.bearerTokenSecret() != null)
            .forEach(server -> readable.add(server.bearerTokenSecret().name()));
      }
      return new Ports(
          cluster,
          new HttpPrometheusApi(
              Optional.empty(),
              ref ->
                  readable.contains(ref.name())
                      ? cluster.secretValue(home, ref.name(), ref.key())
                      : Optional.empty(),
              config.prometheusServers()),
          Clock.systemUTC(),
          1.0);
    }
  }

  /** Readiness as {@code /readyz} reports it. */
  public enum Readiness {
    NOT_READY,
    STANDBY,
    LEADER
  }

  private final List<AutoCloseable> parts = new ArrayList<>();
  private final List<AppRunner> apps = new ArrayList<>();
  private final ExecutorService transitions =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ordinal-leadership");
            t.setDaemon(true);
            return t;
          });
  private HttpEndpoints http;
  private WebhookEndpoint webhookListener;
  private EventBus bus;
  private Ownership ownership;
  private Clock clock;
  private double speed = 1;
  private Cluster cluster;
  private AppRegistry registry;
  private AnalysisRunner analysis;
  private final PrometheusRegistry metricsRegistry = new PrometheusRegistry();

  /** The StatefulSets the caches hold (namespace/name), for the status page and the gauges. */
  private final Set<String> watched = new ConcurrentSkipListSet<>();

  /** The StatefulSets deleted since, whose late decisions the metrics no longer count. */
  private final Departed departed = new Departed();

  private volatile boolean cachesSynced;

  /** One rollout loop per shard held, each deciding only for its shard's StatefulSets. */
  private final Map<Integer, RolloutLoop> rollouts = new ConcurrentHashMap<>();

  private Promotions promotions;
  private volatile RolloutLoop.ActionListener actionListener = (k, a) -> {};

  private Daemon() {}

  /**
   * Starts the daemon. The listen addresses (probes and metrics, then the webhook's) are bound
   * first, so a busy port fails before anything else happens.
   *
   * @throws IOException when the listen address cannot be bound, or the data directory made
   */
  public static Daemon start(
      DaemonConfig config, Duration pollInterval, Ports ports, String identity)
      throws IOException, GitSourceException {
    return start(config, pollInterval, ports, identity, List.of());
  }

  /**
   * As {@link #start(DaemonConfig, Duration, Ports, String)}, with {@code subscribers} on the event
   * bus before the first sync, so that they see every decision (the demo's timeline); a subscriber
   * added through {@link #events()} after the start may miss the first ones.
   */
  public static Daemon start(
      DaemonConfig config,
      Duration pollInterval,
      Ports ports,
      String identity,
      List<EventBus.Subscriber> subscribers)
      throws IOException, GitSourceException {
    Daemon daemon = new Daemon();
    try {
      daemon.startParts(config, pollInterval, ports, identity, subscribers);
    } catch (IOException | GitSourceException | RuntimeException e) {
      daemon.close();
      throw e;
    }
    return daemon;
  }

  private void startParts(
      DaemonConfig config,
      Duration pollInterval,
      Ports ports,
      String identity,
      List<EventBus.Subscriber> subscribers)
      throws IOException, GitSourceException {
    OrdinalMetrics metrics = new OrdinalMetrics(metricsRegistry);
    clock = ports.clock();
    speed = ports.speed();
    http = HttpEndpoints.bind(address(config.listenOrDefault()));
    parts.add(http);
    DaemonConfig.Webhook hook = config.webhook();
    if (hook != null) {
      webhookListener =
          WebhookEndpoint.bind(
              address(hook.listenOrDefault()),
              hook.pathOrDefault(),
              Limits.webhook(hook.maxBodyBytes()));
      parts.add(webhookListener);
    }
    Path dataDir = Path.of(config.dataDirOrDefault());
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      // Java's message is the bare path, which says neither what Ordinal wanted of it nor why.
      throw new IOException(
          "dataDir "
              + dataDir
              + ": cannot create it ("
              + (e instanceof java.nio.file.AccessDeniedException
                  ? "permission denied"
                  : ReadFailures.why(e))
              + "); set dataDir in the config to a folder Ordinal may write",
          e);
    }
    // After the listeners and the data folder, before anything that reads the cluster: an
    // unreachable cluster is one error, not an informer's failure logged with its stack trace
    // and then another's.
    ports.cluster().checkReachable();
    String home = config.ordinalNamespaceOrDefault();
    JvmMetrics.builder().register(metricsRegistry);
    ControllerMetrics controller =
        new ControllerMetrics(
            metricsRegistry,
            home + "/" + LEASE_NAME,
            () -> ownership != null && !ownership.held().isEmpty(),
            () -> rollouts.values().stream().mapToInt(RolloutLoop::queueDepth).sum());
    cluster = new MeteredCluster(ports.cluster(), controller);
    bus = EventBus.standard(cluster);
    subscribers.forEach(bus::subscribe);
    RolloutMetrics decisions = new RolloutMetrics(metricsRegistry);
    DecisionHistory history = new DecisionHistory();
    bus.subscribe(
        o ->
            departed.unlessLeft(
                o.key(),
                () ->
                    decisions.decided(
                        o.at(), o.namespace(), o.name(), o.action(), o.event(), o.state())));
    bus.subscribe(
        o -> history.record(o.at(), o.namespace(), o.name(), o.action(), o.event(), o.state()));
    new RolloutGauges(metricsRegistry, this::liveRollouts, ports.clock());
    int shards = config.shardsOrDefault();
    ownership =
        shards == 1
            ? new LeaderOwnership(
                cluster.leadership(home, LEASE_NAME, identity, LeaseTiming.DEFAULT))
            // Leases run on the wall clock even under the demo's faster one.
            : new LeasedShards(
                cluster.leaseStore(home), identity, shards, LeaseTiming.DEFAULT, Clock.systemUTC());
    Ownership owner = ownership;
    controller.shards(shards, owner::holds);
    GitRepoCache cache = new GitRepoCache(dataDir.resolve("git"));
    parts.add(cache);
    List<AppSync> syncs = new ArrayList<>();
    DaemonConfig.Sync syncSettings = config.syncOrDefault();
    ExecutorService applyPool =
        Executors.newFixedThreadPool(
            syncSettings.applyConcurrencyOrDefault(), daemonThreads("ordinal-apply-"));
    parts.add(applyPool::shutdownNow);
    // Closed before the pool it applies through (parts close in reverse order).
    SyncWorkers workers = new SyncWorkers(Math.min(4, config.apps().size()));
    parts.add(workers);
    GitPoller poller =
        GitPoller.withDaemonThreads(
            Math.min(4, config.apps().size()),
            new GitPoller.Timing(
                pollInterval, GitPoller.DEFAULT_BACKOFF_START, GitPoller.DEFAULT_BACKOFF_CAP),
            // AppRunner asks its sync worker for a sync; the listener has nothing left to do.
            (target, change) -> {});
    // One parse cache for every app: each load names its app, and a blob stays cached while some
    // app's latest tree holds it, so apps do not evict each other's blobs, and a file two apps hold
    // is parsed once (twice only when their loads overlap).
    ManifestLoader loader = new ManifestLoader(ConditionGrammar.INSTANCE, config.analysisTrust());
    // The shards (the lead: shard 0) whose gain this replica has taken in. A Lease is held a moment
    // before the listener hears of it; until then the shard's apps write nothing, so that no sync
    // acts on the recorded recreates remembered from before the gain.
    Set<Integer> takenIn = ConcurrentHashMap.newKeySet();
    for (DaemonConfig.App app : config.apps()) {
      GitSource source =
          GitSource.open(
              cache,
              GitSourceConfig.of(app.repo(), app.revisionOrDefault(), app.pathOrDefault())
                  .withCredentials(Credentials.of(app.credentials()))
                  .withMaxFetchBytes(config.maxFetchBytesOrDefault()),
              // The ports' clock, as for every other time the daemon reports: on the demo's
              // simulated time a poll's time read hours apart from the rest of /status.
              ports.clock());
      parts.add(source);
      int shard = ShardOf.key(app.name(), owner.shards());
      AppSync sync =
          new AppSync(
              app.name(),
              app.namespace(),
              app.appBoundary(),
              app.pruneEnabled(),
              loader,
              cluster,
              ports.clock(),
              () -> owner.holds(shard) && takenIn.contains(shard),
              applyPool);
      sync.allowingEmpty(app.allowEmptyEnabled());
      syncs.add(sync);
      AppRunner runner =
          new AppRunner(
              app.name(),
              source,
              sync,
              metrics,
              bus,
              ports.clock(),
              r -> workers.request(r.name()));
      workers.register(app.name(), runner::runPending);
      apps.add(runner);
      log.info(
          "app={} namespace={} tracking {} at {} path {}",
          app.name(),
          app.namespace(),
          source.status().url(),
          app.revisionOrDefault(),
          app.pathOrDefault());
    }
    WebhookHandler webhook = webhookHandler(hook, poller);
    ScheduledExecutorService resyncTimer =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("ordinal-resync-"));
    parts.add(resyncTimer::shutdownNow);

    notify(config, metrics);
    registry = new AppRegistry(syncs);
    if (!config.promotionsOrEmpty().isEmpty()
        || config.apps().stream().anyMatch(a -> a.forge() != null)) {
      Promotions promotions =
          new Promotions(
              config,
              dataDir,
              app -> statefulSetsOf(syncs, app, cluster),
              cluster,
              // Promotions span apps: the holder of shard 0 opens them all.
              () -> owner.holds(0),
              ports.clock());
      parts.add(promotions);
      bus.subscribe(promotions);
      this.promotions = promotions;
    }
    AnalysisMetrics analysisMetrics = new AnalysisMetrics(metricsRegistry);
    analysis =
        new AnalysisRunner(
                registry::template,
                ports.prometheus(),
                Scheduler.threads(4).paced(ports.speed()),
                ports.clock(),
                cluster.runStore(home, ANALYSIS_RUNS))
            .onMeasurement(analysisMetrics);
    BackupManager backups = new BackupManager(cluster, ports.clock(), backupScope(config));
    parts.add(backups);
    BackupMetrics backupMetrics = new BackupMetrics(metricsRegistry);
    bus.subscribe(o -> backupMetrics.decided(o.event()));
    RecreateMetrics recreateMetrics = new RecreateMetrics(metricsRegistry);
    bus.subscribe(o -> recreateMetrics.decided(o.event()));
    Map<String, Set<String>> namespacesByApp = new TreeMap<>();
    config.apps().forEach(a -> namespacesByApp.put(a.name(), a.appBoundary().namespaces()));
    Recreator recreator =
        new Recreator(cluster, home, backups, bus, ports.clock(), RECREATE_POLL, action -> {})
            .configuredApps(namespacesByApp);
    syncs.forEach(s -> s.recreatingWith(recreator, RECREATE_PATIENCE));
    Set<String> namespaces = new TreeSet<>();
    syncs.forEach(s -> namespaces.add(s.namespace()));
    // The caches stay warm whether or not this instance leads, so a standby takes over at once.
    parts.add(
        cluster.watch(
            namespaces,
            new Workloads.Listener() {
              @Override
              public void changed(String key) {
                watched.add(key);
                departed.returned(key);
              }

              @Override
              public void deleted(String key) {
                watched.remove(key);
                String[] nsName = key.split("/", 2);
                departed.left(
                    key,
                    () -> {
                      decisions.forget(nsName[0], nsName[1]);
                      analysisMetrics.forget(nsName[0], nsName[1]);
                    });
              }
            }));
    // Every app is planned once before the rollout side may start, so that it starts with the
    // policies and analysis templates in force.
    for (AppRunner runner : apps) {
      runner.pollAndSync();
    }
    cachesSynced = true;
    owner.start(
        new Ownership.Listener() {
          @Override
          public void acquired(int shard) {
            // Whoever held the shard (or the lead) before may have recorded a recreate since this
            // replica last read the store; its apps' syncs may not see the gain themselves when
            // none ran while the shard was elsewhere. Forgotten before the apps may write.
            recreator.forgetRecorded();
            takenIn.add(shard);
            transitions.execute(() -> takeOver(shard, owner, namespaces, backups, controller));
          }

          @Override
          public void lost(int shard) {
            takenIn.remove(shard);
            // At once, on the owner's thread: no write for the shard may start after this.
            RolloutLoop loop = rollouts.remove(shard);
            if (loop != null) {
              loop.close();
            }
            // The shard's runs belong to its next owner, which resumes them from the store.
            analysis.suspend(run -> owner.shards() == 1 || shardOf(run, owner) == shard);
          }
        });
    parts.add(0, owner);
    StatusPage page = new StatusPage(new PageSource(), history, ports.clock());
    http.serve(
        metrics.registry(),
        () -> {
          Readiness r = readiness();
          return new HttpEndpoints.Readiness(r != Readiness.NOT_READY, role(r));
        },
        page::json);
    page.register(http);
    log.info(
        "listening on {}:{} ({}); lease {}/{} as {}",
        address(config.listenOrDefault()).getHostString(),
        http.port(),
        String.join(", ", http.paths()),
        home,
        LEASE_NAME,
        identity);
    if (webhookListener != null) {
      webhookListener.serve(webhook, metrics::webhook);
      log.info(
          "webhooks on {}:{}{}",
          address(hook.listenOrDefault()).getHostString(),
          webhookListener.port(),
          webhookListener.path());
    }
    for (AppRunner runner : apps) {
      poller.add(runner);
    }
    parts.add(poller);
    // Drift is repaired on a timer of its own, whether or not Git is polled or pushed.
    Duration resync = syncSettings.resyncIntervalOrDefault();
    for (AppRunner runner : apps) {
      resyncTimer.scheduleAtFixedRate(
          runner::resync, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
    }
    log.info(
        "resync every {}; at most {} object(s) applied at once",
        resync,
        syncSettings.applyConcurrencyOrDefault());
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The StatefulSets app {@code app} applied last, as the watch cache holds them. */
  private static List<io.fabric8.kubernetes.api.model.apps.StatefulSet> statefulSetsOf(
      List<AppSync> syncs, String app, Workloads cluster) {
    return syncs.stream()
        .filter(s -> s.app().equals(app))
        .flatMap(s -> s.lastApplied().stream())
        .flatMap(state -> state.statefulSets().stream())
        .map(
            o -> {
              String ns = o.resource().getMetadata().getNamespace();
              String namespace =
                  ns != null
                      ? ns
                      : syncs.stream()
                          .filter(s -> s.app().equals(app))
                          .findFirst()
                          .orElseThrow()
                          .namespace();
              return cluster.statefulSet(
                  namespace + "/" + o.resource().getMetadata().getName(), Workloads.Read.CACHED);
            })
        .flatMap(Optional::stream)
        .toList();
  }

  /** Starts one notifier per configured webhook and tells them about rollouts. */
  private void notify(DaemonConfig config, OrdinalMetrics metrics) throws GitSourceException {
    List<WebhookNotifier> targets = new ArrayList<>();
    for (DaemonConfig.Notifier n : config.notifications()) {
      WebhookNotifier target =
          new WebhookNotifier(
              n.name(),
              URI.create(Credentials.notificationUrl(n)),
              Formats.Format.valueOf(n.formatOrDefault().toUpperCase(Locale.ROOT)),
              NOTIFY_BACKOFF,
              (name, result, attempts) ->
                  metrics.notification(name, result.name().toLowerCase(Locale.ROOT)));
      parts.add(target);
      targets.add(target);
    }
    if (targets.isEmpty()) {
      return;
    }
    Notifications rules =
        new Notifications(
            (ns, name, state) -> runsOf(ns, name, state).stream().map(r -> r.snapshot()).toList());
    bus.subscribe(
        o ->
            rules
                .of(o.at(), o.namespace(), o.name(), o.event(), o.state())
                .forEach(n -> targets.forEach(t -> t.send(n))));
  }

  /** The first retry of a failed notification after 1 s, then 2, 4 and 8 s. */
  static final Duration NOTIFY_BACKOFF = Duration.ofSeconds(1);

  /** The analysis runs of a rollout's current attempt, background first. */
  private List<StatusPage.AnalysisRun> runsOf(String ns, String name, RolloutState state) {
    List<StatusPage.AnalysisRun> runs = new ArrayList<>();
    AnalysisRunner runner = analysis;
    if (runner == null) {
      return runs;
    }
    runner
        .snapshot(StatefulSetObserver.scopedRunId(ns, name, RolloutEngine.backgroundRunId(state)))
        .ifPresent(s -> runs.add(new StatusPage.AnalysisRun(0, s)));
    for (int i = 0; i < state.stepCount(); i++) {
      int step = i + 1;
      runner
          .snapshot(StatefulSetObserver.scopedRunId(ns, name, RolloutEngine.stepRunId(state, i)))
          .ifPresent(s -> runs.add(new StatusPage.AnalysisRun(step, s)));
    }
    return runs;
  }

  private String role(Readiness r) {
    Ownership owner = ownership;
    if (r == Readiness.LEADER && owner != null && owner.shards() > 1) {
      return "shards "
          + owner.held().stream().map(String::valueOf).collect(Collectors.joining(","))
          + " of "
          + owner.shards();
    }
    return r.name().toLowerCase(Locale.ROOT);
  }

  /**
   * This replica now holds {@code shard}: apply what it planned as a standby for the shard's apps,
   * resume the shard's analysis runs, then drive its StatefulSets' rollouts.
   */
  private void takeOver(
      int shard,
      Ownership owner,
      Set<String> namespaces,
      BackupManager backups,
      ControllerMetrics controller) {
    if (!owner.holds(shard)) {
      return;
    }
    apps.stream()
        .filter(a -> ShardOf.key(a.name(), owner.shards()) == shard)
        .forEach(AppRunner::syncNow);
    int resumed = analysis.resume(run -> owner.shards() == 1 || shardOf(run, owner) == shard);
    if (resumed > 0) {
      log.info("resumed {} analysis run(s) of shard {} from the run store", resumed, shard);
    }
    RolloutLoop loop =
        new RolloutLoop(
            cluster,
            bus,
            namespaces,
            // A StatefulSet goes with the app that governs it, so that the replica that applies a
            // commit is the one that rolls it out under that commit's policy. Asked before every
            // decision: a shard lost stops its loop's decisions at once.
            sts ->
                owner.holds(shard) && shardOfApp(registry.governing(sts), owner) == shard
                    ? registry.spec(sts)
                    : Optional.empty(),
            analysis,
            backups,
            clock,
            2);
    loop.onAction((k, a) -> actionListener.executed(k, a))
        .onQueueLatency(controller::queueLatency)
        .pace(speed);
    RolloutLoop before = rollouts.put(shard, loop);
    if (before != null) {
      before.close();
    }
    if (owner.holds(shard)) {
      loop.start();
    } else {
      rollouts.remove(shard, loop);
      loop.close();
    }
  }

  /** The shard of the app that governs the run's StatefulSet; -1 when none governs it now. */
  private int shardOf(AnalysisRuns.RolloutContext run, Ownership owner) {
    return cluster
        .statefulSet(run.namespace() + "/" + run.statefulSet(), Workloads.Read.CACHED)
        .map(sts -> shardOfApp(registry.governing(sts), owner))
        .orElse(-1);
  }

  private static int shardOfApp(AppRegistry.Governing governing, Ownership owner) {
    return governing instanceof AppRegistry.Governing.ByApp byApp
        ? ShardOf.key(byApp.app(), owner.shards())
        : -1;
  }

  /**
   * Every StatefulSet under a rollout policy as the watch caches hold it now: what the status page
   * and the rollout gauges show, on a standby as on the leader.
   */
  List<LiveRollout> liveRollouts() {
    List<LiveRollout> all = new ArrayList<>();
    AppRegistry apps = registry;
    if (apps == null) {
      return all;
    }
    for (String key : watched) {
      Optional<StatefulSet> found = cluster.statefulSet(key, Workloads.Read.CACHED);
      if (found.isEmpty()) {
        continue;
      }
      StatefulSet sts = found.get();
      Optional<RolloutSpec> spec = apps.spec(sts);
      Optional<StatefulSetView> view = StatefulSetObserver.view(sts);
      if (spec.isEmpty() || view.isEmpty()) {
        continue;
      }
      List<PodView> pods = new ArrayList<>();
      for (Pod pod : cluster.pods(sts, Workloads.Read.CACHED)) {
        if (StatefulSetObserver.selects(sts, pod)) {
          StatefulSetObserver.podView(pod).ifPresent(pods::add);
        }
      }
      StatefulSetObserver.StoredState stored = StatefulSetObserver.storedState(sts);
      all.add(
          new LiveRollout(
              view.get(),
              pods,
              stored.state(),
              stored.garbled() ? stored.error() : "",
              spec.get()));
    }
    return all;
  }

  /** What the status page reads: this daemon's apps, rollouts and analysis runs. */
  private final class PageSource implements StatusPage.Source {
    @Override
    public String role() {
      return Daemon.this.role(readiness());
    }

    @Override
    public List<AppStatus> apps() {
      return apps.stream().map(AppRunner::status).toList();
    }

    @Override
    public List<LiveRollout> rollouts() {
      return liveRollouts();
    }

    @Override
    public List<StatusPage.AnalysisRun> runs(LiveRollout rollout) {
      return rollout
          .state()
          .map(state -> runsOf(rollout.sts().namespace(), rollout.sts().name(), state))
          .orElse(List.of());
    }
  }

  /** Ordinal's own metrics, as {@code /metrics} serves them (a fresh registry per daemon). */
  public PrometheusRegistry metrics() {
    return metricsRegistry;
  }

  /** Leader, standby, or not ready while the caches are not synced. */
  public Readiness readiness() {
    if (!cachesSynced) {
      return Readiness.NOT_READY;
    }
    return ownership.held().isEmpty() ? Readiness.STANDBY : Readiness.LEADER;
  }

  /** Told about each rollout action carried out (tests, the demo's timeline). */
  public void onAction(RolloutLoop.ActionListener listener) {
    this.actionListener = listener;
  }

  /** Promotions, statuses and reverts, when the config has any; else empty. */
  public Optional<Promotions> promotions() {
    return Optional.ofNullable(promotions);
  }

  /** Where decisions are published: subscribe for metrics, notifications, the status page. */
  public EventBus events() {
    return bus;
  }

  /** Whether this replica holds the lead, or with shards at least one of them. */
  public boolean isLeading() {
    return !ownership.held().isEmpty();
  }

  /** The shards this replica holds now: {0} for the leader of one shard. */
  public SortedSet<Integer> shardsHeld() {
    return ownership.held();
  }

  /** The port of the probes, {@code /metrics} and {@code /status}. */
  public int port() {
    return http.port();
  }

  /** The port of the webhook listener, or -1 when the config has no {@code webhook}. */
  public int webhookPort() {
    return webhookListener == null ? -1 : webhookListener.port();
  }

  /** The internal listener, where other pages may be registered (see {@link HttpEndpoints}). */
  public HttpEndpoints http() {
    return http;
  }

  /**
   * What answers webhooks: signed with a secret, unsigned with {@code insecure: true}, else off
   * (every request refused with how to turn webhooks on).
   */
  /** Where the config lets apps take backups, and run Job hooks: nowhere else is watched. */
  static BackupManager.Scope backupScope(DaemonConfig config) {
    Set<String> namespaces = new TreeSet<>();
    Set<String> jobs = new TreeSet<>();
    for (DaemonConfig.App app : config.apps()) {
      AppBoundary boundary = app.appBoundary();
      if (boundary.backups().allowed()) {
        namespaces.addAll(boundary.namespaces());
        if (boundary.backups().hooks().contains(AppBoundary.Backups.JOB)) {
          jobs.addAll(boundary.namespaces());
        }
      }
    }
    return BackupManager.Scope.of(namespaces, jobs);
  }

  private static WebhookHandler webhookHandler(DaemonConfig.Webhook hook, GitPoller poller)
      throws GitSourceException {
    if (hook == null) {
      log.info(
          "webhooks are off (no webhook in the config): Git is polled only. To fetch on push, add"
              + " webhook: {secretEnv: ORDINAL_WEBHOOK_SECRET} (its own port, default {})",
          DaemonConfig.Webhook.DEFAULT_WEBHOOK_LISTEN);
      return null;
    }
    String secret = Credentials.webhookSecret(hook);
    if (secret != null) {
      return WebhookHandler.withSecret(secret, poller::trigger);
    }
    if (hook.insecureEnabled()) {
      log.warn(
          "webhook.insecure: true: unsigned push webhooks are accepted (development only); each"
              + " one is logged with a warning");
      return WebhookHandler.insecure(poller::trigger);
    }
    String howTo =
        "webhooks are off: no secret is configured. Set webhook.secretEnv or webhook.secretFile"
            + " in Ordinal's config to the secret your Git server signs with (or, for development"
            + " only, webhook.insecure: true), then restart Ordinal";
    log.warn("{}; every webhook is refused with 403", howTo);
    return WebhookHandler.off(howTo);
  }

  public List<AppRunner> apps() {
    return apps;
  }

  /** Pod name (HOSTNAME) or host name, plus a random suffix so two processes never share one. */
  public static String defaultIdentity() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "ordinal";
      }
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static InetSocketAddress address(String listen) {
    int colon = listen.lastIndexOf(':');
    String host = colon <= 0 ? "0.0.0.0" : listen.substring(0, colon);
    int port = Integer.parseInt(listen.substring(colon + 1));
    return new InetSocketAddress(host, port);
  }

  @Override
  public void close() {
    transitions.shutdownNow();
    rollouts.values().forEach(RolloutLoop::close);
    rollouts.clear();
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
    parts.clear();
  }

  /** Git credentials and the webhook secret, from the config's references to files and env. */
  static final class Credentials {
    private Credentials() {}

    static GitCredentials of(DaemonConfig.Credentials c) throws GitSourceException {
      if (c == null) {
        return GitCredentials.fromEnvironment(System.getenv());
      }
      if (c.sshKeyFile() != null) {
        return GitCredentials.ssh(
            Path.of(c.sshKeyFile()),
            c.knownHostsFile() == null ? null : Path.of(c.knownHostsFile()));
      }
      String user =
          c.usernameEnv() != null ? System.getenv(c.usernameEnv()) : readFile(c.usernameFile());
      if (c.tokenFile() != null) {
        return GitCredentials.httpsTokenFile(user == null ? "git" : user, Path.of(c.tokenFile()));
      }
      String token = c.tokenEnv() != null ? System.getenv(c.tokenEnv()) : null;
      if (token == null || token.isBlank()) {
        return GitCredentials.none();
      }
      return GitCredentials.https(user == null ? "git" : user, token);
    }

    static String readFile(String path) throws GitSourceException {
      if (path == null) {
        return null;
      }
      try {
        return Files.readString(Path.of(path)).trim();
      } catch (IOException e) {
        throw new GitSourceException(
            "cannot read credentials file " + path + ": " + e.getMessage());
      }
    }

    /** A notification target's URL, from the config, an env var or a file. */
    static String notificationUrl(DaemonConfig.Notifier n) throws GitSourceException {
      String value =
          n.url() != null
              ? n.url()
              : n.urlEnv() != null ? System.getenv(n.urlEnv()) : readFile(n.urlFile());
      if (value == null || value.isBlank()) {
        throw new GitSourceException(
            "notifications "
                + n.name()
                + ": "
                + (n.urlEnv() != null ? "env var " + n.urlEnv() : "file " + n.urlFile())
                + " is empty or unset");
      }
      return value.trim();
    }

    /**
     * The webhook secret, or null when none is configured. A configured source that yields nothing
     * is an error: silently accepting unsigned webhooks because a variable is unset would be worse.
     */
    static String webhookSecret(DaemonConfig.Webhook webhook) throws GitSourceException {
      if (webhook == null || (webhook.secretFile() == null && webhook.secretEnv() == null)) {
        return null;
      }
      String value =
          webhook.secretFile() != null
              ? readFile(webhook.secretFile())
              : System.getenv(webhook.secretEnv());
      if (value == null || value.isBlank()) {
        throw new GitSourceException(
            "webhook secret is configured ("
                + (webhook.secretFile() != null
                    ? "secretFile " + webhook.secretFile()
                    : "secretEnv " + webhook.secretEnv())
                + ") but empty or unset; set it (or, for development only, replace it with"
                + " webhook.insecure: true)");
      }
      return value;
    }
  }
}
