package dev.ordinal.sim;

import static dev.ordinal.testkit.StatefulSets.await;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.backup.BackupManager;
import dev.ordinal.daemon.EventBus;
import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.SnapshotSimulator;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The real control plane: kube-apiserver, the StatefulSet controller, the pod simulator. */
final class RealStage implements Stage {
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  private final KubernetesClient client;
  private final String ns;
  private final PodSimulator kubelet;
  private final SnapshotSimulator snapshotter;
  private final KubeCluster kube;
  private final BackupManager backups;
  private final AnalysisRuns analysis;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  RealStage(KubernetesClient client, String ns, AnalysisRuns analysis) {
    this.client = client;
    this.ns = ns;
    this.kubelet = new PodSimulator(client, ns, Duration.ofMillis(150));
    this.snapshotter = new SnapshotSimulator(client, ns, Duration.ofMillis(150));
    this.kube = new KubeCluster(client);
    this.backups = new BackupManager(kube, Clock.systemUTC());
    this.analysis = analysis;
  }

  @Override
  public String create(
      String name, int replicas, String image, String strategy, Integer maxUnavailable) {
    StatefulSet sts = StatefulSets.statefulSet(name, replicas, image);
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
    client.apps().statefulSets().inNamespace(ns).resource(sts).create();
    return StatefulSets.awaitRolledOut(client, ns, name, TIMEOUT).getStatus().getUpdateRevision();
  }

  @Override
  public String apply(String name, String image) {
    String before = sts(name).getStatus().getUpdateRevision();
    StatefulSets.edit(
        client,
        ns,
        name,
        s -> {
          s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
          if (!"OnDelete".equals(s.getSpec().getUpdateStrategy().getType())) {
            s.getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .setPartition(s.getSpec().getReplicas());
          }
        });
    await(
        "new update revision",
        TIMEOUT,
        () -> !before.equals(sts(name).getStatus().getUpdateRevision()),
        () -> sts(name).getStatus());
    return sts(name).getStatus().getUpdateRevision();
  }

  @Override
  public void scale(String name, int replicas) {
    StatefulSets.edit(client, ns, name, s -> s.getSpec().setReplicas(replicas));
  }

  @Override
  public void behave(String image, PodBehaviour behaviour) {
    kubelet.behaveForImage(image, PodSimulator.Behaviour.valueOf(behaviour.name()));
  }

  @Override
  public void annotate(String name, String key, String value) {
    StatefulSets.edit(client, ns, name, s -> s.getMetadata().getAnnotations().put(key, value));
  }

  @Override
  public RolloutLoop loop(String name, RolloutSpec spec) {
    RolloutLoop loop =
        new RolloutLoop(
            kube,
            EventBus.standard(kube),
            Set.of(ns),
            s -> Optional.of(spec),
            analysis,
            backups,
            Clock.systemUTC(),
            2);
    closeables.add(loop);
    return loop;
  }

  @Override
  public Optional<RolloutState> state(String name) {
    return Annotations.state(sts(name).getMetadata().getAnnotations()).map(RolloutState::fromJson);
  }

  @Override
  public StatefulSet statefulSet(String name) {
    return sts(name);
  }

  @Override
  public Map<String, String> pods(String name) {
    return StatefulSets.revisions(client, ns, name);
  }

  @Override
  public List<String> podHistory(String name) {
    return kubelet.seenInOrder().stream()
        .filter(p -> p.name().startsWith(name + "-"))
        .map(p -> p.name() + "@" + p.revision())
        .toList();
  }

  private StatefulSet sts(String name) {
    return client.apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    backups.close();
    kube.close();
    kubelet.close();
    snapshotter.close();
  }
}
