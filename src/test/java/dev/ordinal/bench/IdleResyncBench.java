package dev.ordinal.bench;

import dev.ordinal.daemon.AppSync;
import dev.ordinal.daemon.SyncResult;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.testkit.ApiRequests;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.Loaders;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Prints figures (no assertions): the API requests one idle resync of N unchanged StatefulSets
 * costs, read from kube-apiserver's {@code apiserver_request_total}, with live objects read
 * directly (the first wave's path: one GET per object, as {@code KubeCluster.direct}) beside the
 * watch caches of the daemon; and the heap the cached sync holds per StatefulSet.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.ordinal.bench.IdleResyncBench 1000
 * </pre>
 */
public final class IdleResyncBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    ControlPlane plane = ControlPlane.shared();
    KubernetesClient client = plane.client();
    String ns = "resync-" + Long.toString(System.nanoTime() % 100000, 36);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    Path repo = Files.createTempDirectory("ordinal-resync");
    for (int i = 0; i < n; i++) {
      Files.writeString(
          repo.resolve("db-" + i + ".yaml"),
          String.format(
              """
              apiVersion: apps/v1
              kind: StatefulSet
              metadata: {name: db-%d, labels: {tier: data}}
              spec:
                replicas: 0
                serviceName: db-%d
                selector: {matchLabels: {app: db-%d}}
                template:
                  metadata: {labels: {app: db-%d}}
                  spec:
                    containers:
                      - name: db
                        image: registry.local/db:1
                        ports: [{containerPort: 5432, name: pg}]
                        resources: {requests: {cpu: 100m, memory: 256Mi}}
                volumeClaimTemplates:
                  - metadata: {name: data}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
              """,
              i, i, i, i));
    }
    SourceTree tree = LocalDirectory.read(repo);
    ManifestLoader loader = Loaders.forFixtures();

    long t0 = System.nanoTime();
    try (KubeCluster direct = KubeCluster.direct(client)) {
      AppSync first = new AppSync("bench", ns, false, loader, direct);
      SyncResult applied = first.sync(tree);
      System.out.printf(
          "first sync of %d StatefulSets: %s in %d ms%n",
          n, applied.result(), (System.nanoTime() - t0) / 1_000_000);
      first.sync(tree); // settle: every plan remembered
      settle(client, ns);
      measure("direct reads (first wave)", client, first, tree, n);
    }

    long heapBefore = usedHeapAfterGc();
    KubeCluster cached = new KubeCluster(client);
    AppSync sync = new AppSync("bench", ns, false, Loaders.forFixtures(), cached);
    long t1 = System.nanoTime();
    sync.sync(tree);
    System.out.printf(
        "watch caches filled and first plan in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
    sync.sync(tree);
    measure("watch caches (this wave)", client, sync, tree, n);
    long heapAfter = usedHeapAfterGc();
    System.out.printf(
        "heap held by the cached sync (loader, plans, caches): %.1f KB per StatefulSet (%d)%n",
        (heapAfter - heapBefore) / 1024.0 / n, n);
    // keep both alive until measured
    System.out.println(sync.app() + cached.hashCode() % 1);
    cached.close();
    System.exit(0);
  }

  private static void measure(
      String label, KubernetesClient client, AppSync sync, SourceTree tree, int n) {
    Map<String, Long> before = ApiRequests.snapshot(client);
    long t = System.nanoTime();
    SyncResult result = sync.sync(tree);
    long ms = (System.nanoTime() - t) / 1_000_000;
    Map<String, Long> delta = ApiRequests.delta(before, ApiRequests.snapshot(client));
    long writes =
        delta.entrySet().stream()
            .filter(e -> !e.getKey().startsWith("GET") && !e.getKey().startsWith("LIST"))
            .filter(e -> !e.getKey().startsWith("WATCH"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    System.out.printf(
        "%-28s idle resync of %d: %s in %d ms; requests %s (GET statefulsets %d, writes %d)%n",
        label, n, result.result(), ms, delta, delta.getOrDefault("GET statefulsets", 0L), writes);
  }

  /**
   * Waits until the StatefulSet controller has caught up with every object, so what is counted next
   * is Ordinal's doing, not the controller finishing the first sync.
   */
  private static void settle(KubernetesClient client, String ns) throws InterruptedException {
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (System.nanoTime() < deadline) {
      boolean observed =
          client.apps().statefulSets().inNamespace(ns).list().getItems().stream()
              .allMatch(
                  s ->
                      s.getStatus() != null
                          && s.getMetadata()
                              .getGeneration()
                              .equals(s.getStatus().getObservedGeneration()));
      if (observed) {
        Thread.sleep(2000); // and its last status writes have landed
        return;
      }
      Thread.sleep(500);
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed();
  }
}
