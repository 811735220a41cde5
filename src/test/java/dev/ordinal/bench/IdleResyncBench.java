package dev.ordinal.bench;

import static dev.ordinal.bench.BenchSupport.namespace;
import static dev.ordinal.bench.BenchSupport.rssKb;
import static dev.ordinal.bench.BenchSupport.settle;
import static dev.ordinal.bench.BenchSupport.usedHeapAfterGc;

import dev.ordinal.daemon.AppSync;
import dev.ordinal.daemon.SyncResult;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.testkit.ApiRequests;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.Loaders;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The daemon scale bench (prints figures, asserts nothing), on the real control plane with N
 * StatefulSets of no replicas: the time to a first full sync beside its floor (the same N objects
 * server-side applied straight through the client on a pool of the same size, no load, no plan);
 * the API requests, by verb and resource as kube-apiserver's {@code apiserver_request_total} counts
 * them, of the sync right after the first and of idle resyncs (floor: none); and the live heap
 * after GC and the RSS of this process.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.ordinal.bench.IdleResyncBench 10000
 * </pre>
 */
public final class IdleResyncBench {
  private static final int POOL = 8;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    BenchSupport.printLoad("at start");
    ControlPlane plane = ControlPlane.shared();
    KubernetesClient client = plane.client();
    String suffix = Long.toString(System.nanoTime() % 100000, 36);
    String ns = namespace(client, "scale-" + suffix);
    String floorNs = namespace(client, "floor-" + suffix);
    Path repo = Files.createTempDirectory("ordinal-scale");
    for (int i = 0; i < n; i++) {
      Files.writeString(repo.resolve("db-" + i + ".yaml"), statefulSet(i));
    }
    SourceTree tree = LocalDirectory.read(repo);
    ExecutorService pool = Executors.newFixedThreadPool(POOL);

    // Floor: the same objects, parsed beforehand, applied with nothing else to do.
    List<StatefulSet> parsed = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StatefulSet sts = Serialization.unmarshal(statefulSet(i), StatefulSet.class);
      sts.getMetadata().setNamespace(floorNs);
      parsed.add(sts);
    }
    long f0 = System.nanoTime();
    List<Future<Object>> applies = new ArrayList<>();
    for (StatefulSet sts : parsed) {
      Callable<Object> apply =
          () -> client.resource(sts).fieldManager("floor").forceConflicts().serverSideApply();
      applies.add(pool.submit(apply));
    }
    for (Future<Object> f : applies) {
      f.get();
    }
    long floorMs = (System.nanoTime() - f0) / 1_000_000;
    parsed.clear();

    long heapBefore = usedHeapAfterGc();
    KubeCluster cached = new KubeCluster(client);
    AppSync sync =
        new AppSync(
            "bench",
            ns,
            AppBoundary.defaults("bench", ns),
            false,
            Loaders.forFixtures(),
            cached,
            Clock.systemUTC(),
            () -> true,
            pool);
    Map<String, Long> before = ApiRequests.snapshot(client);
    long t1 = System.nanoTime();
    SyncResult first = sync.sync(tree);
    long firstMs = (System.nanoTime() - t1) / 1_000_000;
    Map<String, Long> firstRequests = ApiRequests.delta(before, ApiRequests.snapshot(client));
    System.out.printf(
        Locale.ROOT,
        "first full sync of %d StatefulSets (watch caches filled, load, plan, apply on %d threads): %s in %d ms;"
            + " floor (%d bare server-side applies on %d threads): %d ms; ratio %.2fx%n",
        n,
        POOL,
        first.result(),
        firstMs,
        n,
        POOL,
        floorMs,
        (double) firstMs / floorMs);
    System.out.println("  requests of the first sync (all clients): " + firstRequests);

    measure("sync right after the first", client, sync, tree, n);
    settle(client, ns, n);
    for (int i = 1; i <= 3; i++) {
      measure("idle resync " + i, client, sync, tree, n);
    }
    long heapAfter = usedHeapAfterGc();
    System.out.printf(
        Locale.ROOT,
        "live heap after GC held by the sync (loader, plan memo, watch caches): %.1f KB per StatefulSet (%d);"
            + " RSS of this JVM (bench client and floor included): %d MB; issue's target 10 KB%n",
        (heapAfter - heapBefore) / 1024.0 / n,
        n,
        rssKb() / 1024);
    BenchSupport.printLoad("at end");
    System.out.println(sync.app() + cached.hashCode() % 1); // both alive until measured
    cached.close();
    pool.shutdownNow();
    System.exit(0);
  }

  private static String statefulSet(int i) {
    return String.format(
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
        i, i, i, i);
  }

  private static void measure(
      String label, KubernetesClient client, AppSync sync, SourceTree tree, int n) {
    Map<String, Long> before = ApiRequests.snapshot(client);
    long t = System.nanoTime();
    SyncResult result = sync.sync(tree);
    long ms = (System.nanoTime() - t) / 1_000_000;
    Map<String, Long> delta = ApiRequests.delta(before, ApiRequests.snapshot(client));
    long perObject =
        delta.entrySet().stream()
            .filter(e -> e.getKey().endsWith(" statefulsets"))
            .filter(e -> !e.getKey().startsWith("WATCH"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    System.out.printf(
        Locale.ROOT,
        "%-28s of %d: %s in %d ms; statefulset requests (GET, LIST, writes) %d, floor 0; all requests by verb %s%n",
        label,
        n,
        result.result(),
        ms,
        perObject,
        delta);
  }
}
