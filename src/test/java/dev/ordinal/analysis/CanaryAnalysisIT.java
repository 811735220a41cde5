package dev.ordinal.analysis;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.prometheus.PrometheusClient;
import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutSpecs;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.VerdictRecord;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a StatefulSet on the real control plane (PodSimulator as the kubelet), the real
 * {@link RolloutLoop}, a real {@link AnalysisRunner} querying a real Prometheus which scrapes
 * per-pod request counters that a background thread drives like live traffic. The verdict is
 * decided by the canary's actual error rate: bad metrics roll back, good metrics promote, no
 * traffic pauses for a human.
 */
@ControlPlaneTest
class CanaryAnalysisIT {
  /** Generous for a loaded 2-core machine; the engine re-reads a running analysis every 30 s. */
  private static final Duration TIMEOUT = Duration.ofSeconds(150);

  private static final int REPLICAS = 4;

  /** canary 1 → analysis(error-rate) → canary 50% → analysis(error-rate) → full. */
  private static final RolloutSpec POLICY =
      RolloutSpec.of(
          Step.Canary.pods(1),
          new Step.Analysis(List.of(AnalysisRef.of("error-rate"))),
          Step.Canary.percent(50),
          new Step.Analysis(List.of(AnalysisRef.of("error-rate"))),
          Step.Canary.percent(100));

  @TempDir Path home;

  // ---------------------------------------------------------------- scenarios

  @Test
  void goodMetricsPromoteThroughBothAnalyses(KubernetesClient client, TestNamespace ns)
      throws Exception {
    try (Stack s = new Stack(client, ns.name(), "good", (pod, revision) -> 200)) {
      String v1 = s.startHealthy("registry.local/good:1", REPLICAS);

      String v2 = s.apply("registry.local/good:2");
      RolloutState done =
          s.awaitState(
              "healthy on v2", st -> st.phase() == Phase.HEALTHY && st.stableRevision().equals(v2));
      await("all pods on v2", TIMEOUT, () -> s.allOn(v2), s::pods);

      assertEquals(v2, done.targetRevision());
      assertTrue(done.failedRevisions().isEmpty(), done.toJson());
      // Promoted to every pod, then rested at the replica count for the next template.
      await(
          "the partition back at " + REPLICAS,
          TIMEOUT,
          () -> Integer.valueOf(REPLICAS).equals(s.partition()),
          s::describeLog);
      // canary 1 → partition 3; 50% of 4 = 2 → 2; full → 0
      assertEquals(List.of(3, 2, 0), s.partitions(), s.describeLog().toString());
      List<String> reasons = s.events();
      assertEquals(
          2, reasons.stream().filter("AnalysisSuccessful"::equals).count(), "events " + reasons);
      assertFalse(
          reasons.contains("AnalysisFailed") || reasons.contains("AnalysisInconclusive"),
          "events " + reasons);
      assertTrue(
          done.verdicts()
              .contains(new VerdictRecord(2, "error-rate", AnalysisVerdict.SUCCESSFUL, false)),
          done.verdicts().toString());
      assertTrue(
          done.verdicts()
              .contains(new VerdictRecord(4, "error-rate", AnalysisVerdict.SUCCESSFUL, false)),
          done.verdicts().toString());

      // both runs really measured the canary pods through Prometheus
      List<RunSnapshot> runs = s.runs();
      assertEquals(2, runs.size(), runs.toString());
      RunSnapshot first = runs.get(0);
      RunSnapshot second = runs.get(1);
      assertEquals(AnalysisVerdict.SUCCESSFUL, first.verdict(), first.toString());
      assertEquals(AnalysisVerdict.SUCCESSFUL, second.verdict(), second.toString());
      assertTrue(
          first.metrics().get(0).query().contains("pod=~\"good-3\""),
          first.metrics().get(0).query());
      assertTrue(
          second.metrics().get(0).query().contains("pod=~\"good-3|good-2\""),
          second.metrics().get(0).query());
      assertEquals(3, first.metrics().get(0).tally().successful(), first.toString());
      assertEquals(3, second.metrics().get(0).tally().successful(), second.toString());
    }
  }

  @Test
  void badMetricsRollBackAutomatically(KubernetesClient client, TestNamespace ns) throws Exception {
    String[] bad = new String[1];
    try (Stack s =
        new Stack(
            client, ns.name(), "bad", (pod, revision) -> revision.equals(bad[0]) ? 500 : 200)) {
      String v1 = s.startHealthy("registry.local/bad:1", REPLICAS);

      // pods on the new revision answer 500; the template is held at the partition, so the
      // revision is known (and bad) before any pod moves
      String v2 = s.apply("registry.local/bad:2", rev -> bad[0] = rev);

      RolloutState rolledBack = s.awaitState("rolled back", st -> st.phase() == Phase.ROLLED_BACK);
      assertEquals(v1, rolledBack.stableRevision());
      assertEquals(v2, rolledBack.targetRevision());
      assertTrue(rolledBack.failedRevisions().contains(v2), rolledBack.toJson());
      assertTrue(
          rolledBack.reason().contains("error-rate"),
          "state names the analysis: " + rolledBack.toJson());
      assertTrue(
          rolledBack
              .verdicts()
              .contains(new VerdictRecord(2, "error-rate", AnalysisVerdict.FAILED, false)),
          rolledBack.verdicts().toString());

      await("all pods back on v1", TIMEOUT, () -> s.allOn(v1), s::pods);
      assertEquals(Integer.valueOf(REPLICAS), s.partition());
      assertEquals("registry.local/bad:2", s.image(), "Git's template stays");
      // exactly the one canary moved, and it was recreated on the stable revision
      assertEquals(List.of("bad-3"), s.deletions(), s.describeLog().toString());
      List<PodSimulator.PodRecord> bad3 =
          s.sim.seen().stream()
              .filter(r -> r.name().equals("bad-3"))
              .sorted(Comparator.comparing(PodSimulator.PodRecord::seenAt))
              .toList();
      assertEquals(
          List.of(v1, v2, v1),
          bad3.stream().map(PodSimulator.PodRecord::revision).toList(),
          bad3.toString());
      assertTrue(
          s.sim.seen().stream()
              .filter(r -> r.revision().equals(v2))
              .allMatch(r -> r.name().equals("bad-3")),
          "no pod but the canary ever ran v2: " + s.sim.seen());
      assertEquals(List.of(3, REPLICAS), s.partitions(), s.describeLog().toString());

      List<String> messages = s.eventMessages("AnalysisFailed");
      assertEquals(1, messages.size(), "events " + s.events());
      assertTrue(
          messages.get(0).contains("error-rate") && messages.get(0).contains("FAILED"),
          messages.toString());

      // the one run failed on Prometheus' numbers, not on a setup problem or missing data
      List<RunSnapshot> runs = s.runs();
      assertEquals(1, runs.size(), runs.toString());
      RunSnapshot run = runs.get(0);
      assertEquals(AnalysisVerdict.FAILED, run.verdict(), run.toString());
      RunSnapshot.MetricSnapshot metric = run.metrics().get(0);
      assertTrue(metric.query().contains("pod=~\"bad-3\""), metric.query());
      assertEquals(2, metric.tally().failed(), run.toString());
      assertEquals("2 failed measurement(s) > failureLimit 1", metric.explanation());

      // stays rolled back: nothing retries a failed revision by itself
      s.poke();
      assertEquals(Phase.ROLLED_BACK, s.state().orElseThrow().phase());
      assertTrue(s.allOn(v1), s.pods().toString());
    }
  }

  @Test
  void noCanaryTrafficIsInconclusiveAndPausesForAHuman(KubernetesClient client, TestNamespace ns)
      throws Exception {
    // the canary-to-be (the highest ordinal) never gets a request: the query has no data for it
    try (Stack s =
        new Stack(client, ns.name(), "idle", (pod, revision) -> pod.equals("idle-3") ? 0 : 200)) {
      String v1 = s.startHealthy("registry.local/idle:1", REPLICAS - 1);

      String v2 = s.apply("registry.local/idle:2");
      RolloutState paused =
          s.awaitState("paused on an inconclusive analysis", st -> st.phase() == Phase.PAUSED);
      assertEquals(v2, paused.targetRevision());
      assertEquals(1, paused.stepIndex(), paused.toJson());
      assertTrue(
          paused.reason().contains("error-rate") && paused.reason().contains("inconclusive"),
          paused.toJson());
      assertTrue(
          paused
              .verdicts()
              .contains(new VerdictRecord(2, "error-rate", AnalysisVerdict.INCONCLUSIVE, false)),
          paused.verdicts().toString());
      // the Event is posted after the state write the test saw, so it may arrive a moment later
      StatefulSets.await(
          "the AnalysisInconclusive Event",
          Duration.ofSeconds(30),
          () -> s.events().contains("AnalysisInconclusive"),
          () -> "events " + s.events());

      // decided again on fresh facts, it still waits, with only the one canary on v2
      s.poke();
      RolloutState still = s.state().orElseThrow();
      assertEquals(Phase.PAUSED, still.phase(), still.toJson());
      assertEquals(1, still.stepIndex(), still.toJson());
      assertEquals(Integer.valueOf(REPLICAS - 1), s.partition());
      assertEquals(Map.of("idle-0", v1, "idle-1", v1, "idle-2", v1, "idle-3", v2), s.pods());
      assertFalse(s.events().contains("AnalysisSuccessful"), "events " + s.events());
      assertEquals(List.of(3), s.partitions(), s.describeLog().toString());
      RunSnapshot run = s.runs().get(0);
      assertEquals(AnalysisVerdict.INCONCLUSIVE, run.verdict(), run.toString());
      assertEquals(0, run.metrics().get(0).tally().successful(), run.toString());
    }
  }

  /**
   * The regression of issue 15, end to end: a background analysis with an interval and no count
   * keeps watching the canary while the rollout waits at a manual gate; when the canary turns bad
   * after good samples, the run fails and the release is rolled back on the real control plane.
   * (Before, such a metric measured once and then watched nothing.)
   */
  @Test
  void aBackgroundAnalysisKeepsWatchingAndRollsBackWhenTheCanaryTurnsBad(
      KubernetesClient client, TestNamespace ns) throws Exception {
    AtomicBoolean broken = new AtomicBoolean();
    AtomicReference<String> canary = new AtomicReference<>();
    Responder responder =
        (pod, revision) -> broken.get() && revision.equals(canary.get()) ? 500 : 200;
    try (Stack s = new Stack(client, ns.name(), "watched", responder, "watched")) {
      String v1 = s.startHealthy("registry.local/watched:1", REPLICAS);

      String v2 = s.apply("registry.local/watched:2", canary::set);
      s.awaitState("at the manual gate", st -> st.phase() == Phase.PAUSED && st.stepIndex() == 1);
      RunSnapshot watching =
          s.awaitRun(
              "three good samples of the canary",
              run -> run.metrics().get(0).tally().successful() >= 3);
      assertEquals(AnalysisVerdict.RUNNING, watching.verdict(), watching.toString());
      assertTrue(watching.runId().endsWith("/background"), watching.runId());
      assertTrue(
          watching.metrics().get(0).query().contains("revision=\"" + v2 + "\""),
          watching.metrics().get(0).query());

      broken.set(true);
      RolloutState rolledBack = s.awaitState("rolled back", st -> st.phase() == Phase.ROLLED_BACK);

      assertEquals(v2, rolledBack.targetRevision());
      assertTrue(rolledBack.failedRevisions().contains(v2), rolledBack.toJson());
      assertTrue(
          rolledBack
              .verdicts()
              .contains(new VerdictRecord(0, "background-errors", AnalysisVerdict.FAILED, false)),
          rolledBack.verdicts().toString());
      await("all pods back on v1", TIMEOUT, () -> s.allOn(v1), s::pods);
      assertEquals(Integer.valueOf(REPLICAS), s.partition());
      RunSnapshot run = s.runs().get(0);
      assertEquals(AnalysisVerdict.FAILED, run.verdict(), run.toString());
      RunSnapshot.MetricSnapshot metric = run.metrics().get(0);
      assertEquals(MetricTally.Rule.FAILURE_LIMIT, metric.decidedBy(), run.toString());
      assertEquals(2, metric.tally().failed(), run.toString());
      assertTrue(metric.tally().successful() >= 3, run.toString());
      assertEquals(
          "every 1s until a limit decides; failureLimit 1, inconclusiveLimit none,"
              + " consecutiveErrorLimit 4",
          metric.limits().describe());
    }
  }

  /**
   * A step analysis without a count ends on consecutiveSuccessLimit and the rollout is promoted;
   * the background analysis, still measuring when the rollout completes, is stopped and ends
   * Successful, as Argo ends a terminated run.
   */
  @Test
  void consecutiveSuccessLimitPromotesAndTheBackgroundRunEndsWithTheRollout(
      KubernetesClient client, TestNamespace ns) throws Exception {
    try (Stack s = new Stack(client, ns.name(), "settled", (pod, revision) -> 200, "settled")) {
      String v1 = s.startHealthy("registry.local/settled:1", REPLICAS);

      String v2 = s.apply("registry.local/settled:2");
      s.awaitState(
          "healthy on v2", st -> st.phase() == Phase.HEALTHY && st.stableRevision().equals(v2));
      await("all pods on v2", TIMEOUT, () -> s.allOn(v2), s::pods);

      RunSnapshot step =
          s.runs().stream().filter(r -> r.runId().endsWith("/step-2")).findFirst().orElseThrow();
      assertEquals(AnalysisVerdict.SUCCESSFUL, step.verdict(), step.toString());
      RunSnapshot.MetricSnapshot settle = step.metrics().get(0);
      assertEquals(MetricTally.Rule.CONSECUTIVE_SUCCESS_LIMIT, settle.decidedBy(), step.toString());
      assertTrue(settle.tally().consecutiveSuccesses() >= 3, step.toString());

      RunSnapshot background =
          s.awaitRun("the background run stopped with the rollout", RunSnapshot::stopped);
      assertTrue(background.runId().endsWith("/background"), background.runId());
      assertEquals(AnalysisVerdict.SUCCESSFUL, background.verdict(), background.toString());
      assertEquals(
          MetricTally.Rule.STOPPED, background.metrics().get(0).decidedBy(), background.toString());
    }
  }

  // ---------------------------------------------------------------- the stack

  /**
   * Everything one scenario runs: StatefulSet, kubelet, traffic, Prometheus, runner, controller.
   */
  private final class Stack implements AutoCloseable {
    final KubernetesClient client;
    final String ns;
    final String name;
    final PodSimulator sim;
    final PodTraffic traffic;
    final PrometheusServer prometheus;
    final AnalysisRunner runner;
    final RolloutLoop controller;
    final List<Action> log = new CopyOnWriteArrayList<>();
    private volatile long lastDecision;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * @param status the HTTP status the pods of a revision answer with; 0 for no requests
     */
    Stack(KubernetesClient client, String ns, String name, Responder status) throws Exception {
      this(client, ns, name, status, null);
    }

    /**
     * @param policy the RolloutPolicy of the loaded YAML to roll out with; null for {@link #POLICY}
     */
    Stack(KubernetesClient client, String ns, String name, Responder status, String policy)
        throws Exception {
      this.client = client;
      this.ns = ns;
      this.name = name;
      try {
        sim = open(new PodSimulator(client, ns, Duration.ofMillis(150)));
        traffic = open(new PodTraffic(client, ns, name, status));
        Path data = home.resolve("prometheus-data");
        prometheus = open(PrometheusServer.start(home, data, traffic.port()));
        DesiredState loaded = load(prometheus.address().toString());
        Map<String, AnalysisTemplate> templates = loaded.templates();
        RolloutSpec spec =
            policy == null ? POLICY : RolloutSpecs.from(loaded.policies().get(policy));
        runner =
            AnalysisRunner.create(
                n -> Optional.ofNullable(templates.get(n)), new RunStore.InMemory());
        opened.add(() -> runner.snapshots().forEach(r -> runner.stop(r.runId())));
        KubeCluster kube = open(new KubeCluster(client));
        controller =
            open(
                new RolloutLoop(
                        kube,
                        kube,
                        Set.of(ns),
                        sts ->
                            sts.getMetadata().getAnnotations() != null
                                    && sts.getMetadata()
                                        .getAnnotations()
                                        .containsKey(Annotations.POLICY)
                                ? Optional.of(spec)
                                : Optional.empty(),
                        runner,
                        Clock.systemUTC())
                    .onAction((key, action) -> log.add(action))
                    .onDecision((key, action) -> lastDecision = System.nanoTime()));
      } catch (Exception | Error e) {
        close();
        throw e;
      }
    }

    private <T extends AutoCloseable> T open(T closeable) {
      opened.add(closeable);
      return closeable;
    }

    /** Templates and policies as a user writes them, through the real manifest loader. */
    private DesiredState load(String prometheusAddress) throws IOException {
      Path repo = Files.createDirectories(home.resolve("repo"));
      Files.writeString(
          repo.resolve("analysis.yaml"),
          """
          apiVersion: ordinal.dev/v1alpha1
          kind: AnalysisTemplate
          metadata:
            name: error-rate
          spec:
            metrics:
              - name: error-rate
                initialDelay: 2s
                interval: 1s
                count: 3
                failureLimit: 1
                successCondition: "result[0] < 0.05"
                provider:
                  prometheus:
                    address: %1$s
                    query: >-
                      sum(rate(http_requests_total{code="500",pod=~"{{rollout.canaryPods}}"}[10s]))
                      / sum(rate(http_requests_total{pod=~"{{rollout.canaryPods}}"}[10s]))
          ---
          # Background: an interval and no count, so it watches the canary until the rollout ends.
          # It starts before any pod moves, so it selects the canary by revision, and tolerates
          # the no-data start with inconclusiveLimit -1.
          apiVersion: ordinal.dev/v1alpha1
          kind: AnalysisTemplate
          metadata:
            name: background-errors
          spec:
            metrics:
              - name: errors
                interval: 1s
                failureLimit: 1
                inconclusiveLimit: -1
                successCondition: "result[0] < {{args.threshold}}"
                provider:
                  prometheus:
                    address: %1$s
                    query: >-
                      sum(rate(http_requests_total{code="500",revision="{{rollout.canaryRevision}}"}[10s]))
                      / sum(rate(http_requests_total{revision="{{rollout.canaryRevision}}"}[10s]))
            args:
              - name: threshold
                value: "0.05"
          ---
          # A step analysis without a count: it ends when three measurements in a row pass. A
          # scrape late on a busy machine may leave the first ones without data: tolerated.
          apiVersion: ordinal.dev/v1alpha1
          kind: AnalysisTemplate
          metadata:
            name: settle
          spec:
            metrics:
              - name: errors
                initialDelay: 2s
                interval: 1s
                consecutiveSuccessLimit: 3
                failureLimit: 2
                inconclusiveLimit: 5
                successCondition: "result[0] < 0.05"
                provider:
                  prometheus:
                    address: %1$s
                    query: >-
                      sum(rate(http_requests_total{code="500",pod=~"{{rollout.canaryPods}}"}[10s]))
                      / sum(rate(http_requests_total{pod=~"{{rollout.canaryPods}}"}[10s]))
          ---
          apiVersion: ordinal.dev/v1alpha1
          kind: RolloutPolicy
          metadata:
            name: watched
          spec:
            analysis:
              templates: [{templateName: background-errors}]
            steps:
              - canary: {replicas: 1}
              - pause: {}
          ---
          apiVersion: ordinal.dev/v1alpha1
          kind: RolloutPolicy
          metadata:
            name: settled
          spec:
            analysis:
              templates: [{templateName: background-errors}]
            steps:
              - canary: {replicas: 1}
              - analysis:
                  templates: [{templateName: settle}]
          """
              .formatted(prometheusAddress));
      // the operator's config lists the test's Prometheus as a server
      LoadResult result =
          Loaders.trusting(Map.of("test", URI.create(prometheusAddress)))
              .load(LocalDirectory.read(repo));
      LoadResult.Loaded loaded =
          assertInstanceOf(LoadResult.Loaded.class, result, result.toString());
      return loaded.state();
    }

    /**
     * Waits until Prometheus has a request rate for {@code pods} pods (a rate needs two scrapes).
     */
    void awaitScraped(int pods) throws Exception {
      PrometheusClient query =
          new PrometheusClient(
              prometheus.address(), Duration.ofSeconds(5), Map.of(), Optional::empty);
      String promql = "count(rate(http_requests_total{code=\"200\"}[10s]) > 0)";
      List<Double> expected = List.of((double) pods);
      AtomicReference<Object> last = new AtomicReference<>(List.of());
      await(
          "Prometheus to see traffic on " + pods + " pods",
          TIMEOUT,
          () -> {
            try {
              List<Double> values = query.query(promql).toMetricResult().values();
              last.set(values);
              return values.equals(expected);
            } catch (Exception e) {
              last.set(e.toString());
              return false;
            }
          },
          () -> promql + " = " + last.get());
    }

    /**
     * Creates the StatefulSet on {@code image}, starts the controller, and waits until it is
     * healthy and Prometheus has a request rate for {@code scrapedPods} pods.
     *
     * @return the revision it runs
     */
    String startHealthy(String image, int scrapedPods) throws Exception {
      String revision = create(image);
      controller.start();
      awaitState(
          "initialised", st -> st.phase() == Phase.HEALTHY && st.targetRevision().equals(revision));
      awaitScraped(scrapedPods);
      return revision;
    }

    String create(String image) {
      StatefulSet sts = StatefulSets.statefulSet(name, REPLICAS, image);
      sts.getMetadata()
          .setAnnotations(new HashMap<>(Map.of(Annotations.POLICY, "canary-analysis")));
      client.apps().statefulSets().inNamespace(ns).resource(sts).create();
      return StatefulSets.awaitRolledOut(client, ns, name, TIMEOUT).getStatus().getUpdateRevision();
    }

    String apply(String image) {
      return apply(image, rev -> {});
    }

    /**
     * Applies a new image as Git does, template and partition = replicas in one update, and tells
     * {@code onRevision} the new revision as soon as the API shows it (before Ordinal moves a pod).
     */
    String apply(String image, Consumer<String> onRevision) {
      String before = sts().getStatus().getUpdateRevision();
      StatefulSets.edit(
          client,
          ns,
          name,
          s -> {
            s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
            s.getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .setPartition(s.getSpec().getReplicas());
          });
      String[] rev = new String[1];
      await(
          "new update revision",
          TIMEOUT,
          () -> {
            String r = sts().getStatus().getUpdateRevision();
            if (r != null && !r.equals(before)) {
              rev[0] = r;
              onRevision.accept(r);
              return true;
            }
            return false;
          },
          () -> sts().getStatus());
      return rev[0];
    }

    StatefulSet sts() {
      return client.apps().statefulSets().inNamespace(ns).withName(name).get();
    }

    Integer partition() {
      return sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
    }

    String image() {
      return sts().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    Optional<RolloutState> state() {
      return Annotations.state(sts().getMetadata().getAnnotations()).map(RolloutState::fromJson);
    }

    RolloutState awaitState(String what, Predicate<RolloutState> condition) {
      await(
          what,
          TIMEOUT,
          () -> state().filter(condition).isPresent(),
          () ->
              state().map(RolloutState::toJson).orElse("no state")
                  + " pods="
                  + pods()
                  + " log="
                  + describeLog()
                  + " runs="
                  + runs());
      return state().orElseThrow();
    }

    Map<String, String> pods() {
      return StatefulSets.revisions(client, ns, name);
    }

    boolean allOn(String revision) {
      Map<String, String> pods = pods();
      return pods.size() == REPLICAS && pods.values().stream().allMatch(revision::equals);
    }

    List<Integer> partitions() {
      return log.stream()
          .filter(a -> a instanceof Action.SetPartition)
          .filter(a -> !(a.event() instanceof RolloutEvent.PartitionRested))
          .map(a -> ((Action.SetPartition) a).partition())
          .toList();
    }

    List<String> deletions() {
      return log.stream()
          .filter(a -> a instanceof Action.DeletePod)
          .map(a -> ((Action.DeletePod) a).podName())
          .toList();
    }

    List<String> describeLog() {
      return log.stream()
          .map(a -> a.getClass().getSimpleName() + "(" + a.event().reason() + ")")
          .toList();
    }

    /**
     * Makes the loop look at the StatefulSet again (a harmless annotation is a watch event) and
     * waits until it has decided, so what is asserted next was decided on fresh facts.
     */
    void poke() {
      long asked = System.nanoTime();
      StatefulSets.edit(
          client,
          ns,
          name,
          s -> s.getMetadata().getAnnotations().put("test.ordinal.dev/poke", Long.toString(asked)));
      await("a decision after the poke", TIMEOUT, () -> lastDecision > asked, this::describeLog);
    }

    /** Analysis runs, oldest first. */
    List<RunSnapshot> runs() {
      return runner.snapshots().stream().sorted(Comparator.comparing(RunSnapshot::runId)).toList();
    }

    /** The background run of the current rollout, once {@code condition} holds for it. */
    RunSnapshot awaitRun(String what, Predicate<RunSnapshot> condition) {
      AtomicReference<RunSnapshot> found = new AtomicReference<>();
      await(
          what,
          TIMEOUT,
          () -> {
            Optional<RunSnapshot> run =
                runs().stream()
                    .filter(r -> r.runId().endsWith("/background") && !r.metrics().isEmpty())
                    .filter(condition)
                    .findFirst();
            run.ifPresent(found::set);
            return run.isPresent();
          },
          this::runs);
      return found.get();
    }

    private List<io.fabric8.kubernetes.api.model.Event> eventObjects() {
      return client.v1().events().inNamespace(ns).list().getItems().stream()
          .filter(e -> name.equals(e.getInvolvedObject().getName()))
          .sorted(Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
          .toList();
    }

    List<String> events() {
      return eventObjects().stream().map(io.fabric8.kubernetes.api.model.Event::getReason).toList();
    }

    List<String> eventMessages(String reason) {
      return eventObjects().stream()
          .filter(e -> reason.equals(e.getReason()))
          .map(io.fabric8.kubernetes.api.model.Event::getMessage)
          .toList();
    }

    /** Closes in reverse order of opening: controller, runs, Prometheus, traffic, kubelet. */
    @Override
    public void close() {
      List<Throwable> failures = new ArrayList<>();
      for (int i = opened.size() - 1; i >= 0; i--) {
        try {
          opened.get(i).close();
        } catch (Exception | Error e) {
          failures.add(e);
        }
      }
      if (!failures.isEmpty()) {
        IllegalStateException e = new IllegalStateException("closing the stack failed");
        failures.forEach(e::addSuppressed);
        throw e;
      }
    }
  }

  /** The HTTP status a pod answers with on its revision; 0: it gets no requests. */
  @FunctionalInterface
  interface Responder {
    int status(String pod, String revision);
  }

  /**
   * Live traffic: {@code http_requests_total{pod, code}} per pod of the StatefulSet, about 10
   * requests a second each, answered with the status the pod's revision (its {@code
   * controller-revision-hash} label, read from the API) gets. Both code series of every pod exist
   * from its first request, so a canary turning bad shows up as a rate, not as a missing series.
   */
  static final class PodTraffic implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests =
        Counter.builder()
            .name("http_requests_total")
            .labelNames("pod", "revision", "code")
            .register(registry);
    private final MetricsEndpoint endpoint;
    private final Thread driver;
    private final KubernetesClient client;
    private final String ns;
    private final String name;
    private final Responder status;
    private volatile boolean running = true;

    PodTraffic(KubernetesClient client, String ns, String name, Responder status)
        throws IOException {
      this.client = client;
      this.ns = ns;
      this.name = name;
      this.status = status;
      endpoint = new MetricsEndpoint(registry);
      driver = new Thread(this::drive, "pod-traffic-" + name);
      driver.setDaemon(true);
      driver.start();
    }

    int port() {
      return endpoint.port();
    }

    /** Every 100 ms: one request to each pod that exists, counted under its revision's status. */
    private void drive() {
      while (running) {
        try {
          for (Pod pod : client.pods().inNamespace(ns).withLabel("app", name).list().getItems()) {
            Map<String, String> labels = pod.getMetadata().getLabels();
            String revision = labels == null ? null : labels.get("controller-revision-hash");
            if (revision == null || pod.getMetadata().getDeletionTimestamp() != null) {
              continue;
            }
            int code = status.status(pod.getMetadata().getName(), revision);
            if (code == 0) {
              continue;
            }
            String podName = pod.getMetadata().getName();
            requests.labelValues(podName, revision, "200").inc(code == 200 ? 1 : 0);
            requests.labelValues(podName, revision, "500").inc(code == 500 ? 1 : 0);
          }
        } catch (RuntimeException e) {
          // the API being briefly unavailable only skips a tick of traffic
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      driver.interrupt();
      driver.join(5000);
      endpoint.close();
    }
  }
}
