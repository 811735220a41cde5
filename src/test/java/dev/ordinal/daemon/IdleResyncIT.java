package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.testkit.ApiRequests;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
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
    try (KubeCluster kube = new KubeCluster(client)) {
      AppSync sync = new AppSync("idle", ns.name(), false, Loaders.forFixtures(), kube);
      SyncResult.Applied first =
          assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
      assertEquals(40, first.created());
      // The caches see what was applied; the next plan fetches each object once to remember its
      // plan under the live fingerprint.
      assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));

      Map<String, Long> before = ApiRequests.snapshot(client);
      for (int i = 0; i < 3; i++) {
        SyncResult.Applied resync =
            assertInstanceOf(SyncResult.Applied.class, sync.sync(LocalDirectory.read(repo)));
        assertEquals(40, resync.unchanged(), resync.toString());
      }
      Map<String, Long> after = ApiRequests.snapshot(client);

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
