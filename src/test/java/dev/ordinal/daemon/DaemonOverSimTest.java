package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.git.TestRemote;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole daemon, end to end, over the in-memory cluster: a commit in Git is synced, held and
 * rolled out through canary, analysis and pause to Healthy; a commit whose canary's error rate is
 * high fails its analysis and rolls back. Only the ports differ from production: the cluster is
 * {@link SimCluster} and Prometheus answers what the test scripts, on simulated time at 20x.
 */
class DaemonOverSimTest {
  @TempDir Path tmp;

  static final String POLICY =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: RolloutPolicy
      metadata: {name: canary}
      spec:
        steps:
          - canary: {replicas: 1}
          - analysis: {templates: [{templateName: error-rate}]}
          - pause: {duration: 30s}
      """;

  static final String TEMPLATE =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: AnalysisTemplate
      metadata: {name: error-rate}
      spec:
        metrics:
          - name: error-rate
            interval: 10s
            count: 3
            failureLimit: 0
            successCondition: result[0] < 0.05
            provider:
              prometheus:
                query: sum(rate(errors{pod=~"{{rollout.canaryPods}}"}[1m]))
      """;

  static String sts(String image) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: orders, annotations: {ordinal.dev/policy: canary}}
        spec:
          replicas: 3
          serviceName: orders
          selector: {matchLabels: {app: orders}}
          template:
            metadata: {labels: {app: orders}}
            spec:
              containers: [{name: db, image: "IMAGE"}]
          volumeClaimTemplates:
            - metadata: {name: data}
              spec:
                accessModes: [ReadWriteOnce]
                resources: {requests: {storage: 1Gi}}
        """
        .replace("IMAGE", image);
  }

  /** The whole tree of a commit: the app's StatefulSet at an image, its policy and template. */
  static Map<String, String> tree(String image) {
    return Map.of(
        "orders/sts.yaml", sts(image),
        "orders/policy.yaml", POLICY,
        "orders/template.yaml", TEMPLATE);
  }

  /** The error rate Prometheus reports for the canary: what the test says it is now. */
  static final class ScriptedPrometheus implements PrometheusApi {
    final AtomicReference<Double> errorRate = new AtomicReference<>(0.0);

    @Override
    public QueryResult query(AnalysisTemplate.Prometheus provider, String promql) {
      return new QueryResult.Vector(List.of(new QueryResult.Sample(Map.of(), errorRate.get())));
    }

    @Override
    public QueryResult.Matrix queryRange(
        AnalysisTemplate.Prometheus provider,
        String promql,
        Instant from,
        Instant to,
        Duration step) {
      throw new UnsupportedOperationException("the test's templates use instant queries");
    }
  }

  @Test
  void aGoodCommitRollsOutToHealthyAndABadOneRollsBack() throws Exception {
    SimClock clock = new SimClock(Instant.parse("2026-12-01T10:00:00Z"), 20);
    ScriptedPrometheus prometheus = new ScriptedPrometheus();
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote"));
        SimCluster cluster = new SimCluster(clock, Duration.ofSeconds(2))) {
      remote.commit("main", tree("registry.local/orders:1"));
      DaemonConfig config =
          new DaemonConfig(
              tmp.resolve("data").toString(),
              "127.0.0.1:0",
              "1h",
              "ordinal",
              null,
              Map.of(
                  "default",
                  new DaemonConfig.PrometheusServer("http://prometheus.example:9090", null, null)),
              null,
              List.of(
                  new DaemonConfig.App(
                      "orders", remote.fileUrl(), "main", "orders", "shop", false, null)));
      try (Daemon daemon =
          Daemon.start(
              config,
              Duration.ofHours(1),
              new Daemon.Ports(cluster, prometheus, clock, clock.speed()),
              "sim-1")) {
        AppRunner app = daemon.apps().get(0);
        RolloutState initial = awaitState(cluster, "initialised", s -> s.phase() == Phase.HEALTHY);
        String v1 = initial.stableRevision();
        assertEquals(Daemon.Readiness.LEADER, daemon.readiness());

        // a good commit: canary, analysis passes on a low error rate, pause, full promotion
        var good = remote.commit("main", tree("registry.local/orders:2"));
        app.poll();
        RolloutState healthy =
            awaitState(
                cluster,
                "healthy on the new revision",
                s -> s.phase() == Phase.HEALTHY && !s.stableRevision().equals(v1));
        String v2 = healthy.stableRevision();
        assertEquals(good.name(), healthy.source().commit(), "the state names the Git commit");
        assertEquals("orders", healthy.source().app());
        assertEquals(3, healthy.stepCount());
        assertTrue(
            healthy.verdicts().toString().contains("step-2 error-rate SUCCESSFUL"),
            healthy.verdicts().toString());
        await(
            "all pods on the new revision",
            Duration.ofSeconds(30),
            () -> cluster.podRevisions("shop", "orders").values().stream().allMatch(v2::equals),
            () -> cluster.podRevisions("shop", "orders"));
        // Events are posted after the writes they tell of: wait for the last one.
        List<String> told =
            List.of("RolloutStarted", "CanaryStep", "AnalysisSuccessful", "RolloutCompleted");
        await(
            "the rollout's Events",
            Duration.ofSeconds(30),
            () ->
                cluster.events().stream()
                    .map(SimCluster.PostedEvent::reason)
                    .toList()
                    .containsAll(told),
            () -> cluster.events());

        // a bad commit: the canary's errors fail the analysis, the canary goes back
        prometheus.errorRate.set(0.3);
        remote.commit("main", tree("registry.local/orders:3"));
        app.poll();
        RolloutState rolledBack =
            awaitState(cluster, "rolled back", s -> s.phase() == Phase.ROLLED_BACK);
        assertEquals(v2, rolledBack.stableRevision());
        assertEquals(PhaseReason.ANALYSIS_FAILED, rolledBack.reasonCode());
        // the reason names the metric the runner failed, through the real observer and runner
        assertTrue(
            rolledBack.status().detail().contains("FAILED: error-rate/error-rate"),
            rolledBack.status().detail());
        // Git's times are on the daemon's clock, as every other time in /status is
        Instant polled = app.status().git().lastAttempt();
        assertTrue(
            !polled.isBefore(Instant.parse("2026-12-01T10:00:00Z"))
                && !polled.isAfter(clock.instant()),
            polled + " is not on the simulated clock, now " + clock.instant());
        await(
            "all pods back on the good revision",
            Duration.ofSeconds(30),
            () ->
                cluster.podRevisions("shop", "orders").size() == 3
                    && cluster.podRevisions("shop", "orders").values().stream()
                        .allMatch(v2::equals),
            () -> cluster.podRevisions("shop", "orders"));
        // The Event is posted after the write that made the state RolledBack: wait for it.
        await(
            "the RolledBack Event",
            Duration.ofSeconds(30),
            () -> cluster.events().stream().anyMatch(e -> e.reason().equals("RolledBack")),
            () -> cluster.events());

        // A StatefulSet deleted from the cluster takes its series with it, the rollout's and the
        // analysis's: the daemon's watch tells the metrics to forget it.
        List<String> before = seriesOf(daemon, "shop", "orders");
        assertTrue(
            before.stream().anyMatch(s -> s.startsWith("ordinal_rollbacks"))
                && before.stream().anyMatch(s -> s.startsWith("ordinal_analysis_")),
            before.toString());
        StatefulSet orders = cluster.get("shop", "orders").orElseThrow();
        cluster.delete(cluster.lookup(List.of(orders), "shop").values().iterator().next());
        await(
            "no series of the deleted StatefulSet",
            Duration.ofSeconds(30),
            () -> seriesOf(daemon, "shop", "orders").isEmpty(),
            () -> seriesOf(daemon, "shop", "orders"));
        // A decision of a pass that was under way as the StatefulSet went brings none back.
        daemon
            .events()
            .publish(
                new EventBus.Occurrence(
                    clock.instant(),
                    "shop",
                    "orders",
                    orders.getMetadata().getUid(),
                    "Wait",
                    new RolloutEvent.Waiting("a pass under way as the StatefulSet went"),
                    Optional.empty()));
        assertEquals(List.of(), seriesOf(daemon, "shop", "orders"));
      }
    }
  }

  /** Every series the daemon exports for one StatefulSet, as {@code name{labels}}. */
  private static List<String> seriesOf(Daemon daemon, String namespace, String statefulSet) {
    List<String> found = new ArrayList<>();
    for (MetricSnapshot metric : daemon.metrics().scrape()) {
      for (DataPointSnapshot point : metric.getDataPoints()) {
        Labels labels = point.getLabels();
        if (namespace.equals(labels.get("namespace"))
            && statefulSet.equals(labels.get("statefulset"))) {
          found.add(metric.getMetadata().getPrometheusName() + labels);
        }
      }
    }
    return found;
  }

  private static RolloutState awaitState(
      SimCluster cluster, String what, Predicate<RolloutState> ok) {
    await(
        what,
        Duration.ofSeconds(60),
        () -> state(cluster).filter(ok).isPresent(),
        () -> state(cluster).map(RolloutState::toJson).orElse("no state"));
    return state(cluster).orElseThrow();
  }

  private static Optional<RolloutState> state(SimCluster cluster) {
    return cluster
        .get("shop", "orders")
        .flatMap(s -> Annotations.state(s.getMetadata().getAnnotations()))
        .map(RolloutState::fromJson);
  }
}
