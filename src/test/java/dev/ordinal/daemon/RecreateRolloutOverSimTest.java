package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.testkit.SimOrdinal;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon over the in-memory cluster carries out a change Kubernetes forbids (a new serviceName,
 * a narrower selector) on an opted-in StatefulSet: it recreates the StatefulSet with the pods
 * running on, then the rollout engine rolls them to it through the policy's steps, one canary step
 * at a time, held at each pause until promoted.
 */
class RecreateRolloutOverSimTest {
  @TempDir Path tmp;

  static final String POLICY =
      SimOrdinal.policy(
              "canary",
              "[{canary: {replicas: 1}}, {pause: {}}, {canary: {replicas: 2}}, {pause: {}}]",
              "600")
          + "  immutableChanges: recreate\n";

  /** The shop's StatefulSet with pods labelled tier: data, and this serviceName and selector. */
  static Map<String, String> tree(String serviceName, String selector) {
    String sts =
        SimOrdinal.statefulSet("orders", "registry.local/orders:1", "canary", false)
            .replace("serviceName: orders", "serviceName: " + serviceName)
            .replace(
                "selector: {matchLabels: {app: orders}}",
                "selector: {matchLabels: " + selector + "}")
            .replace(
                "metadata: {labels: {app: orders}}",
                "metadata: {labels: {app: orders, tier: data}}");
    return Map.of("shop/sts.yaml", sts, "shop/policy.yaml", POLICY);
  }

  @Test
  void aNewServiceNameRecreatesTheStatefulSetAndRollsThePodsStepByStep() throws Exception {
    recreateAndRoll(tree("orders-v2", "{app: orders}"), "orders-v2");
  }

  @Test
  void aNarrowerSelectorTheTemplateMatchesIsAdoptedAndRolled() throws Exception {
    recreateAndRoll(tree("orders", "{app: orders, tier: data}"), "orders");
  }

  private void recreateAndRoll(Map<String, String> next, String serviceName) throws Exception {
    try (SimOrdinal ordinal = SimOrdinal.create(tmp, 20)) {
      SimCluster cluster = ordinal.cluster;
      ordinal.remote.commit("main", tree("orders", "{app: orders}"));
      ordinal.start("", "", ", boundary: {recreates: true}");
      String v1 =
          awaitState(ordinal, "initialised", s -> s.phase() == Phase.HEALTHY).stableRevision();
      await(
          "three pods ready",
          Duration.ofSeconds(30),
          () -> cluster.podRevisions("shop", "orders").size() == 3,
          () -> cluster.podRevisions("shop", "orders"));
      String oldUid = cluster.get("shop", "orders").orElseThrow().getMetadata().getUid();
      Map<String, String> uids = podUids(cluster);

      ordinal.commit(next);

      // recreated, pods kept, and the rollout stops at the first pause with one pod moved
      RolloutState first =
          awaitState(
              ordinal,
              "paused after the first canary step",
              s -> s.phase() == Phase.PAUSED && s.stepIndex() == 1);
      StatefulSet recreated = cluster.get("shop", "orders").orElseThrow();
      assertNotEquals(oldUid, recreated.getMetadata().getUid(), "a new StatefulSet");
      assertEquals(serviceName, recreated.getSpec().getServiceName());
      assertEquals(v1, first.stableRevision(), "rolled from the revision that ran");
      String v2 = first.targetRevision();
      assertNotEquals(v1, v2);
      assertEquals(
          Map.of("orders-0", v1, "orders-1", v1, "orders-2", v2),
          cluster.podRevisions("shop", "orders"));
      Map<String, String> now = podUids(cluster);
      assertEquals(uids.get("orders-0"), now.get("orders-0"), "not restarted before its step");
      assertEquals(uids.get("orders-1"), now.get("orders-1"), "not restarted before its step");

      promote(cluster);
      awaitState(
          ordinal,
          "paused after the second step",
          s -> s.phase() == Phase.PAUSED && s.stepIndex() == 3);
      assertEquals(
          Map.of("orders-0", v1, "orders-1", v2, "orders-2", v2),
          cluster.podRevisions("shop", "orders"));
      assertEquals(uids.get("orders-0"), podUids(cluster).get("orders-0"));

      promote(cluster);
      awaitState(
          ordinal,
          "healthy on the stamped revision",
          s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await(
          "every pod on the new revision with the new subdomain",
          Duration.ofSeconds(30),
          () ->
              cluster.podRevisions("shop", "orders").values().stream().allMatch(v2::equals)
                  && pods(cluster).stream()
                      .allMatch(p -> serviceName.equals(p.getSpec().getSubdomain())),
          () -> cluster.podRevisions("shop", "orders"));
      // the pods were created on the new revision highest ordinal first
      List<String> order =
          cluster.podHistory().stream()
              .filter(p -> p.revision().equals(v2))
              .map(SimCluster.PodCreated::pod)
              .toList();
      assertEquals(List.of("orders-2", "orders-1", "orders-0"), order);
      // and another sync of the same commit changes nothing: the stamp stays, no new revision
      ordinal.daemon().apps().get(0).poll();
      assertEquals(v2, cluster.get("shop", "orders").orElseThrow().getStatus().getUpdateRevision());
    }
  }

  private static void promote(SimCluster cluster) {
    cluster.annotate(
        "shop", "orders", Map.of(Annotations.commandKey(Command.PROMOTE), "2026-12-01T10:00:00Z"));
  }

  private static List<Pod> pods(SimCluster cluster) {
    return cluster.pods(cluster.get("shop", "orders").orElseThrow(), Workloads.Read.FRESH);
  }

  private static Map<String, String> podUids(SimCluster cluster) {
    Map<String, String> uids = new TreeMap<>();
    pods(cluster).forEach(p -> uids.put(p.getMetadata().getName(), p.getMetadata().getUid()));
    return uids;
  }

  private static RolloutState awaitState(
      SimOrdinal ordinal, String what, Predicate<RolloutState> ok) {
    return ordinal.awaitState("shop", "orders", what, ok);
  }
}
