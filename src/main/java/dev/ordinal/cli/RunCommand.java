package dev.ordinal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ordinal.analysis.AnalysisRunner;
import dev.ordinal.git.GitCredentials;
import dev.ordinal.git.GitPoller;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSource;
import dev.ordinal.git.GitSourceConfig;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.WebhookHandler;
import dev.ordinal.kube.ConfigMapRunStore;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.kube.LeaderElectedController;
import dev.ordinal.kube.RolloutController;
import dev.ordinal.manifest.Durations;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.metrics.OrdinalMetrics;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutSpecs;
import dev.ordinal.sync.AppRunner;
import dev.ordinal.sync.AppSync;
import dev.ordinal.web.HttpEndpoints;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ordinal run}: the sidecar daemon that keeps several apps in sync with Git. */
@Command(name = "run", description = "Run the GitOps daemon for the apps in a config file.")
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  /** Re-apply the last good commit this often even when Git is quiet, to repair drift. */
  private static final Duration RESYNC_INTERVAL = Duration.ofMinutes(3);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ClusterOptions cluster;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The daemon's config file.")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    DaemonConfig config;
    Duration pollInterval;
    try {
      config = DaemonConfig.load(configFile);
      pollInterval =
          Durations.parse(config.pollIntervalOrDefault())
              .filter(d -> !d.isZero())
              .orElseThrow(
                  () ->
                      new DaemonConfig.ConfigException(
                          configFile
                              + ": pollInterval: not a duration such as 60s or 5m: '"
                              + config.pollIntervalOrDefault()
                              + "'"));
    } catch (DaemonConfig.ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    Daemon daemon;
    try {
      daemon = Daemon.start(config, pollInterval, cluster);
    } catch (GitSourceException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  daemon.close();
                  stopped.countDown();
                },
                "ordinal-shutdown"));
    stopped.await();
    return 0;
  }

  /** The running parts of the daemon; {@link #close()} stops them all. */
  static final class Daemon implements AutoCloseable {
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final List<AppRunner> apps = new ArrayList<>();
    private HttpEndpoints http;

    static Daemon start(DaemonConfig config, Duration pollInterval, ClusterOptions clusterOptions)
        throws IOException, GitSourceException {
      Daemon daemon = new Daemon();
      try {
        daemon.startParts(config, pollInterval, clusterOptions);
      } catch (IOException | GitSourceException | RuntimeException e) {
        daemon.close();
        throw e;
      }
      return daemon;
    }

    private void startParts(
        DaemonConfig config, Duration pollInterval, ClusterOptions clusterOptions)
        throws IOException, GitSourceException {
      var client = clusterOptions.client();
      parts.add(client);
      KubeCluster kube = new KubeCluster(client);
      OrdinalMetrics metrics = new OrdinalMetrics(new PrometheusRegistry());
      Path dataDir = Path.of(config.dataDirOrDefault());
      Files.createDirectories(dataDir);
      GitRepoCache cache = new GitRepoCache(dataDir.resolve("git"));
      parts.add(cache);
      ManifestLoader loader = new ManifestLoader();
      List<AppSync> syncs = new ArrayList<>();
      GitPoller poller =
          GitPoller.withDaemonThreads(
              Math.min(4, config.apps().size()),
              new GitPoller.Timing(
                  pollInterval, GitPoller.DEFAULT_BACKOFF_START, GitPoller.DEFAULT_BACKOFF_CAP),
              // AppRunner syncs inside poll(); the listener has nothing left to do.
              (target, change) -> {});
      for (DaemonConfig.App app : config.apps()) {
        GitSource source =
            GitSource.open(
                cache,
                GitSourceConfig.of(app.repo(), app.revisionOrDefault(), app.pathOrDefault())
                    .withCredentials(credentials(app.credentials())));
        parts.add(source);
        AppSync sync = new AppSync(app.name(), app.namespace(), app.pruneEnabled(), loader, kube);
        syncs.add(sync);
        AppRunner runner =
            new AppRunner(app.name(), source, sync, metrics, Clock.systemUTC(), RESYNC_INTERVAL);
        apps.add(runner);
        log.info(
            "app={} namespace={} tracking {} at {} path {}",
            app.name(),
            app.namespace(),
            source.status().url(),
            app.revisionOrDefault(),
            app.pathOrDefault());
      }
      String secret = webhookSecret(config.webhook());
      WebhookHandler webhook;
      if (secret == null) {
        log.warn(
            "no webhook secret configured: push webhooks are accepted unsigned (development only)");
        webhook = WebhookHandler.insecure(poller::trigger);
      } else {
        webhook = WebhookHandler.withSecret(secret, poller::trigger);
      }
      // One sync of every app first, so the rollout side starts with the policies and analysis
      // templates in force; started before, a new leader would find no policy for a StatefulSet
      // mid-rollout and no template for an analysis run it resumes.
      for (AppRunner runner : apps) {
        runner.poll();
      }
      startRollouts(client, config, syncs);
      http =
          new HttpEndpoints(
              address(config.listenOrDefault()),
              metrics.registry(),
              () -> true,
              this::statusJson,
              webhook);
      http.start();
      parts.add(http);
      log.info(
          "listening on {} (/metrics, /healthz, /readyz, /status, /webhook)",
          config.listenOrDefault());
      for (AppRunner runner : apps) {
        poller.add(runner);
      }
      parts.add(poller);
    }

    /**
     * The rollout side: one leader-elected controller for the apps' namespaces, driven by the
     * policies and analysis templates of the revision each app last applied.
     */
    private void startRollouts(KubernetesClient client, DaemonConfig config, List<AppSync> syncs) {
      String home = config.ordinalNamespaceOrDefault();
      AnalysisRunner analysis =
          AnalysisRunner.create(
              (AnalysisRunner.TemplateLookup)
                  (name, rollout) ->
                      templateFor(
                          syncs.stream()
                              .map(s -> new AppState(s.namespace(), s.lastApplied()))
                              .toList(),
                          name,
                          rollout),
              new ConfigMapRunStore(client, home, "ordinal-analysis-runs"),
              ref -> secretValue(client, home, ref));
      Set<String> namespaces = new java.util.TreeSet<>();
      syncs.forEach(s -> namespaces.add(s.namespace()));
      Function<StatefulSet, Optional<RolloutSpec>> specs = sts -> specFor(syncs, sts);
      String identity = LeaderElectedController.defaultIdentity();
      LeaderElectedController rollouts =
          new LeaderElectedController(
              client,
              home,
              "ordinal-rollouts",
              identity,
              LeaderElectedController.Timing.DEFAULT,
              () -> {
                // Runs stored by a previous leader continue where they were.
                int resumed = analysis.resume();
                if (resumed > 0) {
                  log.info(
                      "resumed {} analysis run(s) from configmap {}/ordinal-analysis-runs",
                      resumed,
                      home);
                }
                return new RolloutController(
                    client, namespaces, specs, analysis, Clock.systemUTC(), identity);
              });
      // A former leader's runs belong to the new leader, which resumes them from the ConfigMap.
      rollouts.onStopLeading(analysis::suspend);
      rollouts.start();
      parts.add(rollouts);
      log.info(
          "rollouts: leader election on lease {}/ordinal-rollouts as {}; watching namespaces {}",
          home,
          identity,
          namespaces);
    }

    /** What the template lookup needs of an app: its namespace and last applied state. */
    record AppState(String namespace, Optional<dev.ordinal.manifest.DesiredState> lastApplied) {}

    /**
     * An analysis template for a rollout: from the app that applied the StatefulSet, else from the
     * apps of its namespace, else from any app. Two apps may each define a template of one name.
     */
    static Optional<dev.ordinal.manifest.AnalysisTemplate> templateFor(
        List<AppState> syncs,
        String name,
        dev.ordinal.analysis.AnalysisRuns.RolloutContext rollout) {
      List<AppState> owners = new ArrayList<>();
      List<AppState> sameNamespace = new ArrayList<>();
      for (AppState sync : syncs) {
        Optional<dev.ordinal.manifest.DesiredState> state = sync.lastApplied();
        if (state.isEmpty() || !sync.namespace().equals(rollout.namespace())) {
          continue;
        }
        boolean applied =
            state.get().statefulSets().stream()
                .anyMatch(o -> o.resource().getMetadata().getName().equals(rollout.statefulSet()));
        (applied ? owners : sameNamespace).add(sync);
      }
      List<AppState> order = new ArrayList<>(owners);
      order.addAll(sameNamespace);
      order.addAll(syncs);
      for (AppState sync : order) {
        Optional<dev.ordinal.manifest.AnalysisTemplate> template =
            sync.lastApplied().map(state -> state.templates().get(name));
        if (template.isPresent()) {
          return template;
        }
      }
      return Optional.empty();
    }

    /**
     * The rollout spec for a StatefulSet: from the app that applied it (its {@code ordinal.dev/app}
     * label), or — for a StatefulSet another tool applied — from the apps of its namespace. One
     * app's policies never govern another app's StatefulSets.
     */
    static Optional<RolloutSpec> specFor(List<AppSync> syncs, StatefulSet sts) {
      Map<String, String> labels = sts.getMetadata().getLabels();
      String owner = labels == null ? null : labels.get(KubeCluster.INVENTORY_LABEL);
      for (AppSync sync : syncs) {
        boolean candidate =
            owner != null
                ? sync.app().equals(owner)
                : sync.namespace().equals(sts.getMetadata().getNamespace());
        Optional<dev.ordinal.manifest.DesiredState> state =
            candidate ? sync.lastApplied() : Optional.empty();
        if (state.isEmpty()) {
          continue;
        }
        try {
          Optional<RolloutSpec> spec = state.get().policyFor(sts).map(RolloutSpecs::from);
          if (spec.isPresent()) {
            return spec;
          }
        } catch (IllegalArgumentException notThisApps) {
          // e.g. the StatefulSet names a policy this app does not define: ask the next app
        }
      }
      return Optional.empty();
    }

    /**
     * A {@code bearerTokenSecret} is read from Ordinal's own namespace, where its RBAC lets it read
     * named Secrets; the value is used for the request and never logged.
     */
    static Optional<String> secretValue(
        KubernetesClient client,
        String namespace,
        dev.ordinal.manifest.AnalysisTemplate.SecretKeyRef ref) {
      io.fabric8.kubernetes.api.model.Secret secret =
          client.secrets().inNamespace(namespace).withName(ref.name()).get();
      if (secret == null) {
        return Optional.empty();
      }
      if (secret.getStringData() != null && secret.getStringData().containsKey(ref.key())) {
        return Optional.of(secret.getStringData().get(ref.key()));
      }
      return Optional.ofNullable(secret.getData())
          .map(data -> data.get(ref.key()))
          .map(
              b64 ->
                  new String(
                          java.util.Base64.getDecoder().decode(b64),
                          java.nio.charset.StandardCharsets.UTF_8)
                      .trim());
    }

    int port() {
      return http.port();
    }

    List<AppRunner> apps() {
      return apps;
    }

    String statusJson() {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      try {
        return json.writeValueAsString(
            Map.of("apps", apps.stream().map(r -> statusMap(r.status())).toList()));
      } catch (IOException e) {
        return "{\"error\":\"" + e.getMessage().replace("\"", "'") + "\"}";
      }
    }

    private static Map<String, Object> statusMap(AppRunner.AppStatus s) {
      Map<String, Object> git = new java.util.LinkedHashMap<>();
      git.put("url", s.git().url());
      git.put("ref", s.git().ref());
      git.put("lastGoodCommit", s.git().lastGoodCommit().orElse(null));
      git.put("lastError", s.git().lastError().orElse(null));
      git.put("lastAttempt", String.valueOf(s.git().lastAttempt()));
      git.put("consecutiveFailures", s.git().consecutiveFailures());
      Map<String, Object> app = new java.util.LinkedHashMap<>();
      app.put("app", s.app());
      app.put("git", git);
      app.put("lastAppliedRevision", s.lastAppliedRevision().orElse(null));
      app.put("lastSyncResult", s.lastSyncResult().orElse(null));
      app.put("lastSyncDetail", s.lastSyncDetail().orElse(null));
      app.put("lastSyncAt", s.lastSyncAt().map(String::valueOf).orElse(null));
      return app;
    }

    @Override
    public void close() {
      for (int i = parts.size() - 1; i >= 0; i--) {
        try {
          parts.get(i).close();
        } catch (Exception e) {
          log.warn("while stopping: {}", e.toString());
        }
      }
      parts.clear();
    }
  }

  static GitCredentials credentials(DaemonConfig.Credentials c) throws GitSourceException {
    if (c == null) {
      return GitCredentials.fromEnvironment(System.getenv());
    }
    if (c.sshKeyFile() != null) {
      return GitCredentials.ssh(
          Path.of(c.sshKeyFile()), c.knownHostsFile() == null ? null : Path.of(c.knownHostsFile()));
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

  private static String readFile(String path) throws GitSourceException {
    if (path == null) {
      return null;
    }
    try {
      return Files.readString(Path.of(path)).trim();
    } catch (IOException e) {
      throw new GitSourceException("cannot read credentials file " + path + ": " + e.getMessage());
    }
  }

  /**
   * The webhook secret, or null when none is configured. A configured source that yields nothing is
   * an error: silently accepting unsigned webhooks because a variable is unset would be worse.
   */
  private static String webhookSecret(DaemonConfig.Webhook webhook) throws GitSourceException {
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
              + ") but empty or unset; set it, or remove webhook from the config to accept unsigned"
              + " webhooks (development only)");
    }
    return value;
  }

  static InetSocketAddress address(String listen) {
    int colon = listen.lastIndexOf(':');
    String host = colon <= 0 ? "0.0.0.0" : listen.substring(0, colon);
    int port = Integer.parseInt(listen.substring(colon + 1));
    return new InetSocketAddress(host, port);
  }
}
