package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRunner;
import dev.ordinal.analysis.Scheduler;
import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.analysis.prometheus.HttpPrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.git.GitCredentials;
import dev.ordinal.git.GitPoller;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSource;
import dev.ordinal.git.GitSourceConfig;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.WebhookHandler;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.metrics.OrdinalMetrics;
import dev.ordinal.web.HttpEndpoints;
import dev.ordinal.web.Limits;
import dev.ordinal.web.StatusJson;
import dev.ordinal.web.WebhookEndpoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  private Leadership leadership;
  private volatile boolean cachesSynced;
  private volatile RolloutLoop rollouts;
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
    Daemon daemon = new Daemon();
    try {
      daemon.startParts(config, pollInterval, ports, identity);
    } catch (IOException | GitSourceException | RuntimeException e) {
      daemon.close();
      throw e;
    }
    return daemon;
  }

  private void startParts(DaemonConfig config, Duration pollInterval, Ports ports, String identity)
      throws IOException, GitSourceException {
    OrdinalMetrics metrics = new OrdinalMetrics(new PrometheusRegistry());
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
    Cluster cluster = ports.cluster();
    bus = EventBus.standard(cluster);
    String home = config.ordinalNamespaceOrDefault();
    leadership = cluster.leadership(home, LEASE_NAME, identity, Leadership.Timing.DEFAULT);
    Path dataDir = Path.of(config.dataDirOrDefault());
    Files.createDirectories(dataDir);
    GitRepoCache cache = new GitRepoCache(dataDir.resolve("git"));
    parts.add(cache);
    ManifestLoader loader = new ManifestLoader(ConditionGrammar.INSTANCE, config.analysisTrust());
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
    for (DaemonConfig.App app : config.apps()) {
      GitSource source =
          GitSource.open(
              cache,
              GitSourceConfig.of(app.repo(), app.revisionOrDefault(), app.pathOrDefault())
                  .withCredentials(Credentials.of(app.credentials()))
                  .withMaxFetchBytes(config.maxFetchBytesOrDefault()));
      parts.add(source);
      AppSync sync =
          new AppSync(
              app.name(),
              app.namespace(),
              app.appBoundary(),
              app.pruneEnabled(),
              loader,
              cluster,
              ports.clock(),
              leadership::isLeading,
              applyPool);
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

    AppRegistry registry = new AppRegistry(syncs);
    AnalysisRunner analysis =
        new AnalysisRunner(
            registry::template,
            ports.prometheus(),
            Scheduler.threads(4).paced(ports.speed()),
            ports.clock(),
            cluster.runStore(home, ANALYSIS_RUNS));
    Set<String> namespaces = new TreeSet<>();
    syncs.forEach(s -> namespaces.add(s.namespace()));
    // The caches stay warm whether or not this instance leads, so a standby takes over at once.
    parts.add(cluster.watch(namespaces, QUIET));
    // Every app is planned once before the rollout side may start, so that it starts with the
    // policies and analysis templates in force.
    for (AppRunner runner : apps) {
      runner.pollAndSync();
    }
    cachesSynced = true;
    leadership.start(
        () ->
            transitions.execute(
                () -> {
                  // The new leader applies what it planned as a standby, then drives rollouts.
                  apps.forEach(AppRunner::syncNow);
                  int resumed = analysis.resume();
                  if (resumed > 0) {
                    log.info(
                        "resumed {} analysis run(s) from configmap {}/{}",
                        resumed,
                        home,
                        ANALYSIS_RUNS);
                  }
                  RolloutLoop loop =
                      new RolloutLoop(
                          cluster, bus, namespaces, registry::spec, analysis, ports.clock(), 2);
                  loop.onAction((k, a) -> actionListener.executed(k, a)).pace(ports.speed());
                  rollouts = loop;
                  if (leadership.isLeading()) {
                    loop.start();
                  }
                }),
        () -> {
          RolloutLoop loop = rollouts;
          rollouts = null;
          if (loop != null) {
            loop.close();
          }
          // A former leader's runs belong to the new leader, which resumes them from the store.
          analysis.suspend();
        });
    parts.add(0, leadership);
    http.serve(
        metrics.registry(),
        () -> {
          Readiness r = readiness();
          return new HttpEndpoints.Readiness(
              r != Readiness.NOT_READY, r.name().toLowerCase(java.util.Locale.ROOT));
        },
        () ->
            StatusJson.render(
                apps.stream().map(AppRunner::status).toList(),
                readiness().name().toLowerCase(java.util.Locale.ROOT)));
    log.info(
        "listening on {}:{} ({}); lease {}/{} as {}",
        address(config.listenOrDefault()).getHostString(),
        http.port(),
        String.join(", ", http.paths()),
        home,
        LEASE_NAME,
        identity);
    if (webhookListener != null) {
      webhookListener.serve(webhook);
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
    ScheduledExecutorService resyncTimer =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("ordinal-resync-"));
    parts.add(resyncTimer::shutdownNow);
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

  private static final Workloads.Listener QUIET =
      new Workloads.Listener() {
        @Override
        public void changed(String key) {}

        @Override
        public void deleted(String key) {}
      };

  /** Leader, standby, or not ready while the caches are not synced. */
  public Readiness readiness() {
    if (!cachesSynced) {
      return Readiness.NOT_READY;
    }
    return leadership.isLeading() ? Readiness.LEADER : Readiness.STANDBY;
  }

  /** Told about each rollout action carried out (tests, the demo's timeline). */
  public void onAction(RolloutLoop.ActionListener listener) {
    this.actionListener = listener;
  }

  /** Where decisions are published: subscribe for metrics, notifications, the status page. */
  public EventBus events() {
    return bus;
  }

  public boolean isLeading() {
    return leadership.isLeading();
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
  private static WebhookHandler webhookHandler(DaemonConfig.Webhook hook, GitPoller poller)
      throws GitSourceException {
    if (hook == null) {
      log.info(
          "webhooks are off (no webhook in the config): Git is polled only. To fetch on push, add"
              + " webhook: {{secretEnv: ORDINAL_WEBHOOK_SECRET}} (its own port, default {})",
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
    RolloutLoop loop = rollouts;
    if (loop != null) {
      loop.close();
    }
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
