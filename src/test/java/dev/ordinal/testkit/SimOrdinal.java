package dev.ordinal.testkit;

import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusException;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.git.TestRemote;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A whole Ordinal over the in-memory cluster for end-to-end tests of what people and Prometheus
 * see: a Git remote the test commits to, the daemon started from a config file, and a Prometheus
 * whose answers the test scripts per StatefulSet. Time runs {@code speed} times faster than the
 * wall clock.
 */
public final class SimOrdinal implements AutoCloseable {
  static final String PROMETHEUS_ADDRESS = "http://prometheus.example:9090";

  public final SimClock clock;
  public final SimCluster cluster;
  public final TestRemote remote;
  public final ScriptedPrometheus prometheus = new ScriptedPrometheus();
  private final Path tmp;
  private Daemon daemon;

  private SimOrdinal(Path tmp, double speed) throws IOException {
    this.tmp = tmp;
    this.clock = new SimClock(Instant.parse("2026-12-01T10:00:00Z"), speed);
    this.cluster = new SimCluster(clock, Duration.ofSeconds(2));
    this.remote = TestRemote.create(tmp.resolve("remote"));
  }

  public static SimOrdinal create(Path tmp, double speed) throws IOException {
    return new SimOrdinal(tmp, speed);
  }

  /**
   * Starts the daemon with one app {@code shop} (path {@code shop} of the remote, namespace {@code
   * shop}) plus what {@code extra} adds to the config file (more apps under {@code apps:} go in
   * {@code extraApps}).
   */
  public Daemon start(String extraApps, String extra) throws Exception {
    return start(extraApps, extra, "");
  }

  /** The same, with {@code shopOptions} (e.g. {@code ", boundary: {backups: true}"}) on shop. */
  public Daemon start(String extraApps, String extra, String shopOptions) throws Exception {
    Path config = tmp.resolve("config.yaml");
    Files.writeString(
        config,
        "dataDir: "
            + tmp.resolve("data")
            + "\nlisten: 127.0.0.1:0\npollInterval: 1h\nordinalNamespace: ordinal\n"
            // templates query the scripted Prometheus; the address only has to be configured
            + "prometheus: {default: {address: '"
            + PROMETHEUS_ADDRESS
            + "'}}\n"
            + extra
            + "apps:\n  - {name: shop, repo: '"
            + remote.fileUrl()
            + "', revision: main, path: shop, namespace: shop"
            + shopOptions
            + "}\n"
            + extraApps);
    DaemonConfig loaded = DaemonConfig.load(config);
    daemon =
        Daemon.start(
            loaded,
            Duration.ofHours(1),
            new Daemon.Ports(cluster, prometheus, clock, clock.speed()),
            "sim-ordinal");
    return daemon;
  }

  public Daemon daemon() {
    return daemon;
  }

  /** Commits {@code files} (paths under the repository root) and has the app poll at once. */
  public String commit(Map<String, String> files) throws IOException {
    String id = remote.commit("main", files).name();
    daemon.apps().get(0).poll();
    return id;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + daemon.port() + path;
  }

  public String get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url(path))).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  public Optional<RolloutState> state(String namespace, String name) {
    return cluster
        .get(namespace, name)
        .flatMap(s -> Annotations.state(s.getMetadata().getAnnotations()))
        .map(RolloutState::fromJson);
  }

  public RolloutState awaitState(
      String namespace, String name, String what, Predicate<RolloutState> ok) {
    StatefulSets.await(
        what,
        Duration.ofSeconds(90),
        () -> state(namespace, name).filter(ok).isPresent(),
        () -> state(namespace, name).map(RolloutState::toJson).orElse("no state"));
    return state(namespace, name).orElseThrow();
  }

  @Override
  public void close() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    cluster.close();
    remote.close();
  }

  /** The Prometheus server the templates below name, as a daemon config lists it. */
  public static final Map<String, DaemonConfig.PrometheusServer> PROMETHEUS =
      Map.of("default", new DaemonConfig.PrometheusServer(PROMETHEUS_ADDRESS, null, null));

  // ------------------------------------------------------------------ manifests

  /** Canary one pod, analyse error-rate, then a manual gate. */
  public static final String GATED =
      "[{canary: {replicas: 1}}, {analysis: {templates: [{templateName: error-rate}]}},"
          + " {pause: {}}]";

  /**
   * The app {@code shop}'s tree: StatefulSet {@code orders} at {@code image} under a policy of
   * {@code steps}, and the error-rate template whose metric is named {@code metric}.
   */
  public static Map<String, String> shop(String image, String steps, String metric) {
    return Map.of(
        "shop/orders.yaml",
        statefulSet("orders", image, "canary", false),
        "shop/policy.yaml",
        policy("canary", steps, "600"),
        "shop/template.yaml",
        template("error-rate", metric));
  }

  /** A StatefulSet of 3 replicas under {@code policy}, running {@code image}. */
  public static String statefulSet(String name, String image, String policy, boolean onDelete) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: NAME, annotations: {ordinal.dev/policy: POLICY}}
        spec:
          replicas: 3
          serviceName: NAME
          selector: {matchLabels: {app: NAME}}
          STRATEGY
          template:
            metadata: {labels: {app: NAME}}
            spec:
              containers: [{name: db, image: "IMAGE"}]
          volumeClaimTemplates:
            - metadata: {name: data}
              spec:
                accessModes: [ReadWriteOnce]
                resources: {requests: {storage: 1Gi}}
        """
        .replace("NAME", name)
        .replace("POLICY", policy)
        .replace("IMAGE", image)
        .replace("STRATEGY", onDelete ? "updateStrategy: {type: OnDelete}" : "");
  }

  /** A RolloutPolicy named {@code name} with {@code steps} (a YAML flow list) and a deadline. */
  public static String policy(String name, String steps, String progressDeadlineSeconds) {
    return "apiVersion: ordinal.dev/v1alpha1\nkind: RolloutPolicy\nmetadata: {name: "
        + name
        + "}\nspec:\n  progressDeadlineSeconds: "
        + progressDeadlineSeconds
        + "\n  steps: "
        + steps
        + "\n";
  }

  /**
   * An AnalysisTemplate {@code name} with one metric {@code metric}: 3 measurements 10 s apart,
   * successful below 0.05, no failure allowed; the query names the canary pods.
   */
  public static String template(String name, String metric) {
    return template(
        name,
        metric,
        "10s",
        PROMETHEUS_ADDRESS,
        "sum(rate(errors{pod=~\"{{rollout.canaryPods}}\"}[1m]))");
  }

  /**
   * The same with its own measurement interval, Prometheus address and query (a YAML plain scalar).
   */
  public static String template(
      String name, String metric, String interval, String address, String query) {
    return """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: NAME}
        spec:
          metrics:
            - name: 'METRIC'
              interval: INTERVAL
              count: 3
              failureLimit: 0
              successCondition: result[0] < 0.05
              provider:
                prometheus:
                  address: ADDRESS
                  query: QUERY
        """
        .replace("NAME", name)
        .replace("INTERVAL", interval)
        .replace("ADDRESS", address)
        .replace("QUERY", query)
        .replace("METRIC", metric.replace("'", "''"));
  }

  /**
   * A Prometheus whose answer for a query is the error rate the test set for the StatefulSet whose
   * pods the query names, or an error when the test says so.
   */
  public static final class ScriptedPrometheus implements PrometheusApi {
    private final Map<String, Double> rates = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /** The error rate of {@code statefulSet}'s canary from now on (0 until set). */
    public void rate(String statefulSet, double rate) {
      rates.put(statefulSet, rate);
    }

    /** Queries about {@code statefulSet} fail from now on (or answer again). */
    public void failing(String statefulSet, boolean fail) {
      if (fail) {
        failing.add(statefulSet);
      } else {
        failing.remove(statefulSet);
      }
    }

    @Override
    public QueryResult query(AnalysisTemplate.Prometheus provider, String promql)
        throws PrometheusException {
      for (String sts : failing) {
        if (promql.contains(sts + "-")) {
          throw new PrometheusException("query failed: connection refused (scripted)");
        }
      }
      double rate =
          rates.entrySet().stream()
              .filter(e -> promql.contains(e.getKey() + "-"))
              .mapToDouble(Map.Entry::getValue)
              .findFirst()
              .orElse(0.0);
      return new QueryResult.Vector(List.of(new QueryResult.Sample(Map.of(), rate)));
    }

    @Override
    public QueryResult.Matrix queryRange(
        AnalysisTemplate.Prometheus provider,
        String promql,
        Instant from,
        Instant to,
        Duration step) {
      throw new UnsupportedOperationException("the scripted templates use instant queries");
    }
  }
}
