package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.TestRemote;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons on one control plane: the leader writes, the standby only plans. The leader stops in
 * the middle of a rollout; the standby takes over within the lease duration and finishes it, and
 * between them every partition is written once, in order: no step repeated, none skipped.
 */
@ControlPlaneTest
class LeaderChangeIT {
  @TempDir Path tmp;

  static final String POLICY =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: RolloutPolicy
      metadata: {name: canary}
      spec:
        steps:
          - canary: {replicas: 1}
          - pause: {duration: 4s}
          - canary: {replicas: 2}
          - pause: {duration: 4s}
      """;

  private record Executed(String daemon, Action action) {}

  @Test
  void theStandbyTakesOverMidRolloutWithNoStepRepeatedOrSkipped(
      ControlPlane plane, TestNamespace ns) throws Exception {
    KubernetesClient c1 = plane.newClient();
    KubernetesClient c2 = plane.newClient();
    List<Executed> log = new CopyOnWriteArrayList<>();
    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"));
        PodSimulator pods = new PodSimulator(plane.client(), ns.name(), Duration.ofMillis(100))) {
      String sts = dev.ordinal.testkit.Manifests.STS;
      remote.commit("main", Map.of("db/sts.yaml", sts, "db/policy.yaml", POLICY));
      Daemon one = start(c1, ns, remote, "one", log);
      Daemon two = null;
      try {
        await("one leads", Duration.ofSeconds(30), one::isLeading, () -> "");
        two = start(c2, ns, remote, "two", log);
        assertEquals(Daemon.Readiness.STANDBY, two.readiness());
        String v1 =
            StatefulSets.awaitRolledOut(plane.client(), ns.name(), "db", Duration.ofSeconds(90))
                .getStatus()
                .getUpdateRevision();

        remote.commit(
            "main", Map.of("db/sts.yaml", sts.replace("db:1", "db:2"), "db/policy.yaml", POLICY));
        one.apps().get(0).poll();
        two.apps().get(0).poll();
        await(
            "the first canary step written by the leader",
            Duration.ofSeconds(60),
            () -> partitions(log).contains(2),
            () -> describe(log));
        assertTrue(
            log.stream().allMatch(e -> e.daemon().equals("one")),
            "the standby wrote nothing: " + describe(log));

        one.close(); // the leader goes away mid-rollout, releasing its lease
        Daemon standby = two;
        await("two leads", Duration.ofSeconds(30), standby::isLeading, () -> "");
        await(
            "healthy on the new revision",
            Duration.ofSeconds(90),
            () ->
                state(plane.client(), ns)
                    .filter(s -> s.phase() == Phase.HEALTHY && !s.stableRevision().equals(v1))
                    .isPresent(),
            () -> state(plane.client(), ns).map(RolloutState::toJson).orElse("") + describe(log));

        assertEquals(
            List.of(2, 1, 0),
            partitions(log),
            "each partition written once, in order, across both daemons: " + describe(log));
        assertTrue(
            log.stream().anyMatch(e -> e.daemon().equals("two")),
            "the new leader finished the rollout: " + describe(log));
        long started =
            log.stream().filter(e -> e.action().event().reason().equals("RolloutStarted")).count();
        assertEquals(1, started, "the rollout started once: " + describe(log));
      } finally {
        one.close();
        if (two != null) {
          two.close();
        }
        c1.close();
        c2.close();
      }
    }
  }

  private Daemon start(
      KubernetesClient client, TestNamespace ns, TestRemote remote, String name, List<Executed> log)
      throws Exception {
    DaemonConfig config =
        new DaemonConfig(
            tmp.resolve("data-" + name).toString(),
            "127.0.0.1:0",
            "1h",
            ns.name(),
            null,
            List.of(
                new DaemonConfig.App(
                    "shop", remote.fileUrl(), "main", "db", ns.name(), false, null)));
    KubeCluster kube = new KubeCluster(client, name, Clock.systemUTC());
    Daemon daemon = Daemon.start(config, Duration.ofHours(1), Daemon.Ports.of(kube, config), name);
    daemon.onAction((key, action) -> log.add(new Executed(name, action)));
    return daemon;
  }

  private static List<Integer> partitions(List<Executed> log) {
    return log.stream()
        .map(Executed::action)
        .filter(a -> a instanceof Action.SetPartition)
        // The rests between rollouts are not steps (RolloutEngineTest covers them).
        .filter(a -> !(a.event() instanceof RolloutEvent.PartitionRested))
        .map(a -> ((Action.SetPartition) a).partition())
        .toList();
  }

  private static String describe(List<Executed> log) {
    return log.stream()
        .map(
            e ->
                e.daemon()
                    + ":"
                    + e.action().getClass().getSimpleName()
                    + "/"
                    + e.action().event().reason())
        .toList()
        .toString();
  }

  private static Optional<RolloutState> state(KubernetesClient client, TestNamespace ns) {
    return Optional.ofNullable(
            client.apps().statefulSets().inNamespace(ns.name()).withName("db").get())
        .flatMap(s -> Annotations.state(s.getMetadata().getAnnotations()))
        .map(RolloutState::fromJson);
  }
}
