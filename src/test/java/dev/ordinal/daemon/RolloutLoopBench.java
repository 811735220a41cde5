package dev.ordinal.daemon;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.Step;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.PodSimulator.PodRecord;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prints figures (not a timed test): with N StatefulSets watched in the real control plane, the
 * latency from a canary pod becoming Ready to the next partition write, and the controller's heap
 * per managed StatefulSet.
 *
 * <p>Run:
 *
 * <pre>
 * mvn -B -q -Dordinal.buildDir=target-exec test-compile dependency:build-classpath -Dmdep.outputFile=target-exec/cp.txt
 * java -Xmx1g -cp target-exec/test-classes:target-exec/classes:$(cat target-exec/cp.txt) dev.ordinal.daemon.RolloutLoopBench [statefulSets] [samples]
 * </pre>
 */
public final class RolloutLoopBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    ControlPlane plane = ControlPlane.shared();
    KubernetesClient client = plane.client();
    String ns = "bench-" + Long.toString(System.nanoTime() % 100000, 36);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    PodSimulator sim = new PodSimulator(client, ns, Duration.ofMillis(100));

    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean sampled = i < samples;
      String name = (sampled ? "lat-" : "s-") + i;
      created.add(
          pool.submit(
              () -> {
                StatefulSet sts =
                    StatefulSets.statefulSet(name, sampled ? 2 : 1, "registry.local/b:1");
                sts.getSpec().setVolumeClaimTemplates(List.of());
                sts.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .setVolumeMounts(List.of());
                client.apps().statefulSets().inNamespace(ns).resource(sts).create();
              }));
    }
    for (Future<?> f : created) {
      f.get();
    }
    System.out.printf(
        "created %d StatefulSets in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
    waitFor(
        "all StatefulSets ready",
        Duration.ofMinutes(10),
        () ->
            client.apps().statefulSets().inNamespace(ns).list().getItems().stream()
                    .filter(
                        s ->
                            s.getStatus() != null
                                && s.getSpec()
                                    .getReplicas()
                                    .equals(s.getStatus().getReadyReplicas())
                                && s.getStatus().getUpdateRevision() != null)
                    .count()
                == n);
    System.out.printf("all %d ready after %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);

    RolloutSpec spec = RolloutSpec.of(Step.Canary.pods(1));
    Map<String, Instant> partitionZeroAt = new ConcurrentHashMap<>();
    long heapBefore = usedHeapAfterGc();
    KubeCluster kube = new KubeCluster(client, "bench", Clock.systemUTC());
    RolloutLoop controller =
        new RolloutLoop(
                kube,
                kube,
                Set.of(ns),
                s -> Optional.of(spec),
                new FakeAnalysisRuns(),
                Clock.systemUTC())
            .onAction(
                (key, action) -> {
                  if (action instanceof Action.SetPartition
                      && ((Action.SetPartition) action).partition() == 0) {
                    partitionZeroAt.putIfAbsent(key, Instant.now());
                  }
                });
    long t1 = System.nanoTime();
    controller.start();
    System.out.printf("controller synced in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
    waitFor(
        "all initialised",
        Duration.ofMinutes(10),
        () ->
            client.apps().statefulSets().inNamespace(ns).list().getItems().stream()
                    .filter(
                        s ->
                            s.getMetadata().getAnnotations() != null
                                && s.getMetadata().getAnnotations().containsKey(Annotations.STATE))
                    .count()
                == n);
    System.out.printf(
        "all %d initialised %d ms after start%n", n, (System.nanoTime() - t1) / 1_000_000);
    long heapAfter = usedHeapAfterGc();
    System.out.printf(
        "heap: %d KB before, %d KB after: %.1f KB per managed StatefulSet (informer caches of StatefulSets and pods included)%n",
        heapBefore / 1024, heapAfter / 1024, (heapAfter - heapBefore) / 1024.0 / n);

    Map<String, String> revisionBefore = new ConcurrentHashMap<>();
    for (int i = 0; i < samples; i++) {
      String name = "lat-" + i;
      revisionBefore.put(
          name,
          client
              .apps()
              .statefulSets()
              .inNamespace(ns)
              .withName(name)
              .get()
              .getStatus()
              .getUpdateRevision());
      StatefulSets.edit(
          client,
          ns,
          name,
          StatefulSets.image("registry.local/b:2")
              .andThen(s -> s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2)));
      Thread.sleep(100);
    }
    waitFor("all samples promoted", Duration.ofMinutes(5), () -> partitionZeroAt.size() >= samples);
    List<Long> latencies = new ArrayList<>();
    List<PodRecord> ready = sim.readyOrder();
    for (int i = 0; i < samples; i++) {
      String name = "lat-" + i;
      String old = revisionBefore.get(name);
      Optional<PodRecord> canary =
          ready.stream()
              .filter(r -> r.name().equals(name + "-1") && !r.revision().equals(old))
              .findFirst();
      Instant written = partitionZeroAt.get(ns + "/" + name);
      if (canary.isPresent() && written != null) {
        latencies.add(Duration.between(canary.get().readyAt(), written).toMillis());
      }
    }
    latencies.sort(null);
    System.out.printf(
        "pod Ready → next partition write, %d samples among %d watched StatefulSets: median %d ms, p99 %d ms, max %d ms%n",
        latencies.size(),
        n,
        pct(latencies, 50),
        pct(latencies, 99),
        latencies.get(latencies.size() - 1));
    controller.close();
    sim.close();
    pool.shutdownNow();
    client.namespaces().withName(ns).delete();
    System.exit(0);
  }

  private static long pct(List<Long> sorted, int p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void waitFor(String what, Duration timeout, java.util.function.BooleanSupplier c)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(500);
    }
  }
}
