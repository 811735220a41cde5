package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.testkit.ApiRequests;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle resync of unchanged objects costs the API server nothing: live state comes from the watch
 * caches, and an unchanged plan writes nothing. Counted by the API server itself.
 */
@ControlPlaneTest
class IdleResyncIT {
  @TempDir Path repo;

  @Test
  void anIdleResyncMakesNoPerObjectRequestAndNoWrite(KubernetesClient client, TestNamespace ns)
      throws Exception {
    for (int i = 0; i < 20; i++) {
      Files.writeString(
          repo.resolve("cm-" + i + ".yaml"),
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-"
              + i
              + "}\ndata: {k: v"
              + i
              + "}\n");
      Files.writeString(
          repo.resolve("sts-" + i + ".yaml"), Manifests.withoutReplicas("db-" + i, "{}"));
    }
    // One StatefulSet with a pod, so the StatefulSet controller writes its status again and again.
    Files.writeString(
        repo.resolve("busy.yaml"),
        Manifests.withoutReplicas("busy", "{}").replace("replicas: 0", "replicas: 1"));
    try (KubeCluster kube = new KubeCluster(client);
        PodSimulator pods = new PodSimulator(client, ns.name(), Duration.ofMillis(100))) {
      AppSync sync = new AppSync("idle", ns.name(), false, Loaders.forFixtures(), kube);
      SyncResult.Applied first =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertEquals(41, first.created());
      // Each plan was made from the server's answer to its apply: the next sync reads nothing,
      // once the watch caches have seen the objects created.
      var tree = LocalDirectory.read(repo);
      StatefulSets.await(
          "the watch caches hold every object",
          Duration.ofSeconds(30),
          () -> sync.plan(tree).plan().counts().create() == 0,
          () -> "");
      StatefulSets.awaitRolledOut(client, ns.name(), "busy", Duration.ofSeconds(60));
      StatefulSet busy = client.apps().statefulSets().inNamespace(ns.name()).withName("busy").get();
      assertEquals(1, busy.getStatus().getReadyReplicas(), "the controller wrote the status");

      Map<String, Long> before = ApiRequests.snapshot(client);
      for (int i = 0; i < 3; i++) {
        SyncResult.Applied resync =
            assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
        assertEquals(41, resync.unchanged(), resync.toString());
      }
      Map<String, Long> after = ApiRequests.snapshot(client);
      assertEquals(
          0,
          sync.memo().misses(),
          "no object was planned again: not after its apply, not after status writes");

      Map<String, Long> byOrdinal = new TreeMap<>();
      ApiRequests.delta(before, after)
          .forEach(
              (key, count) -> {
                if (key.endsWith(" configmaps") || key.endsWith(" statefulsets")) {
                  byOrdinal.put(key, count);
                }
              });
      System.out.println(
          "requests for configmaps and statefulsets in 3 idle resyncs: " + byOrdinal);
      assertEquals(Map.of(), byOrdinal, "no GET, LIST or write per resync");
    }
  }
}
