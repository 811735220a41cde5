package dev.ordinal.sim;

import static dev.ordinal.testkit.StatefulSets.await;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.backup.BackupManager;
import dev.ordinal.daemon.EventBus;
import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.daemon.Workloads;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The in-memory cluster, at the speed of the wall clock so the scenario plays as it does for real.
 */
final class SimStage implements Stage {
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final String NS = "sim";

  final SimCluster cluster = new SimCluster(new SimClock(Instant.now(), 1), Duration.ofMillis(150));
  private final AnalysisRuns analysis;
  private final BackupManager backups = new BackupManager(cluster, cluster.clock());
  private final List<AutoCloseable> closeables = new ArrayList<>();

  SimStage(AnalysisRuns analysis) {
    this.analysis = analysis;
  }

  @Override
  public String create(
      String name, int replicas, String image, String strategy, Integer maxUnavailable) {
    StatefulSet sts = StatefulSets.statefulSet(name, replicas, image);
    sts.getMetadata().setNamespace(NS);
    sts.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.POLICY, "test")));
    var update = new StatefulSetUpdateStrategyBuilder().withType(strategy);
    if (!"OnDelete".equals(strategy)) {
      update
          .withNewRollingUpdate()
          .withPartition(0)
          .withMaxUnavailable(maxUnavailable == null ? null : new IntOrString(maxUnavailable))
          .endRollingUpdate();
    }
    sts.getSpec().setUpdateStrategy(update.build());
    cluster.apply(sts);
    await(
        name + " rolled out",
        TIMEOUT,
        () -> {
          StatefulSet s = cluster.get(NS, name).orElseThrow();
          return s.getStatus().getReadyReplicas() != null
              && s.getStatus().getReadyReplicas() == replicas
              && s.getStatus().getUpdateRevision().equals(s.getStatus().getCurrentRevision());
        },
        () -> cluster.get(NS, name).orElseThrow().getStatus());
    return cluster.get(NS, name).orElseThrow().getStatus().getUpdateRevision();
  }

  @Override
  public String apply(String name, String image) {
    StatefulSet sts = cluster.get(NS, name).orElseThrow();
    String before = sts.getStatus().getUpdateRevision();
    sts.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
    if (!"OnDelete".equals(sts.getSpec().getUpdateStrategy().getType())) {
      sts.getSpec()
          .getUpdateStrategy()
          .getRollingUpdate()
          .setPartition(sts.getSpec().getReplicas());
    }
    cluster.apply(sts);
    await(
        "new update revision",
        TIMEOUT,
        () -> !before.equals(cluster.get(NS, name).orElseThrow().getStatus().getUpdateRevision()),
        () -> cluster.get(NS, name).orElseThrow().getStatus());
    return cluster.get(NS, name).orElseThrow().getStatus().getUpdateRevision();
  }

  @Override
  public void scale(String name, int replicas) {
    StatefulSet sts = cluster.get(NS, name).orElseThrow();
    sts.getSpec().setReplicas(replicas);
    sts.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(null);
    cluster.apply(sts);
  }

  @Override
  public void behave(String image, PodBehaviour behaviour) {
    cluster.behaveForImage(image, behaviour);
  }

  @Override
  public void annotate(String name, String key, String value) {
    cluster.annotate(NS, name, Map.of(key, value));
  }

  @Override
  public RolloutLoop loop(String name, RolloutSpec spec) {
    return loop(spec, cluster);
  }

  /** The rollout loop over {@code workloads}, which may stand between it and this cluster. */
  RolloutLoop loop(RolloutSpec spec, Workloads workloads) {
    RolloutLoop loop =
        new RolloutLoop(
            workloads,
            EventBus.standard(cluster),
            Set.of(NS),
            s -> Optional.of(spec),
            analysis,
            backups,
            cluster.clock(),
            2);
    closeables.add(loop);
    return loop;
  }

  @Override
  public Optional<RolloutState> state(String name) {
    return Annotations.state(cluster.get(NS, name).orElseThrow().getMetadata().getAnnotations())
        .map(RolloutState::fromJson);
  }

  @Override
  public StatefulSet statefulSet(String name) {
    return cluster.get(NS, name).orElseThrow();
  }

  @Override
  public Map<String, String> pods(String name) {
    return cluster.podRevisions(NS, name);
  }

  @Override
  public List<String> podHistory(String name) {
    return cluster.podHistory().stream()
        .filter(p -> p.pod().startsWith(name + "-"))
        .map(p -> p.pod() + "@" + p.revision())
        .toList();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    backups.close();
    cluster.close();
  }
}
