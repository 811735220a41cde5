package dev.ordinal.bench;

import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.git.TestRemote;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rollout load bench (prints figures, asserts nothing): a daemon on the real control plane
 * watches {@code watched} StatefulSets, of which {@code rolling} (2 replicas each, a one-step
 * canary policy) get a new image in one commit and roll out at once. For each, the time from its
 * canary pod turning Ready (when the pod simulator's status write returned) to Ordinal's write of
 * the next partition (when the daemon reports the write done): p50, p99 and max, and the rollouts
 * that did not finish (stalls). The floor, from the same run: the same interval up to a plain
 * informer in this process seeing the pod Ready, the least any watcher can take.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.ordinal.bench.RolloutLoadBench 1000 100
 * </pre>
 */
public final class RolloutLoadBench {
  private static final String POLICY =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: RolloutPolicy
      metadata: {name: canary}
      spec:
        steps:
          - canary: {replicas: 1}
      """;

  public static void main(String[] args) throws Exception {
    int watched = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rolling = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    BenchSupport.printLoad("at start");
    ControlPlane plane = ControlPlane.shared();
    KubernetesClient admin = plane.client();
    String ns = "load-" + Long.toString(System.nanoTime() % 100000, 36);
    BenchSupport.namespace(admin, ns);
    Path dir = Files.createTempDirectory("ordinal-load");
    Map<String, Instant> partitionWrites = new ConcurrentHashMap<>();
    try (TestRemote remote = TestRemote.create(dir.resolve("config.git"));
        PodSimulator pods = new PodSimulator(admin, ns, Duration.ofMillis(200))) {
      remote.commit("main", files(watched, rolling, "registry.local/db:1"));
      Path configFile = BenchSupport.daemonConfig(dir, ns, "load", remote.fileUrl(), "1h");
      DaemonConfig config = DaemonConfig.load(configFile);
      KubeCluster kube = new KubeCluster(plane.newClient(), "load", Clock.systemUTC());
      try (Daemon daemon =
          Daemon.start(config, Duration.ofHours(1), Daemon.Ports.of(kube, config), "load")) {
        daemon.onAction(
            (key, action) -> {
              if (action instanceof Action.SetPartition set && set.partition() == 0) {
                partitionWrites.putIfAbsent(key, Instant.now());
              }
            });
        long t0 = System.nanoTime();
        await(admin, ns, rolling, "registry.local/db:1", Duration.ofMinutes(15));
        System.out.printf(
            Locale.ROOT,
            "first sync of %d StatefulSets and %d pods Ready on the first revision: %d s%n",
            watched,
            2 * rolling,
            (System.nanoTime() - t0) / 1_000_000_000);
        partitionWrites.clear();
        Map<String, Instant> seenReady = new ConcurrentHashMap<>();
        var informer =
            admin
                .pods()
                .inNamespace(ns)
                .inform(
                    new ResourceEventHandler<Pod>() {
                      @Override
                      public void onAdd(Pod pod) {
                        onUpdate(null, pod);
                      }

                      @Override
                      public void onUpdate(Pod old, Pod pod) {
                        if (pod.getStatus() != null
                            && pod.getStatus().getConditions() != null
                            && pod.getStatus().getConditions().stream()
                                .anyMatch(
                                    c ->
                                        c.getType().equals("Ready")
                                            && c.getStatus().equals("True"))) {
                          seenReady.putIfAbsent(pod.getMetadata().getUid(), Instant.now());
                        }
                      }

                      @Override
                      public void onDelete(Pod pod, boolean unknown) {}
                    });
        Instant committed = Instant.now();
        remote.commit("main", files(watched, rolling, "registry.local/db:2"));
        long r0 = System.nanoTime();
        daemon.apps().get(0).poll();
        List<String> stalled =
            await(admin, ns, rolling, "registry.local/db:2", Duration.ofMinutes(10));
        long rolloutMs = (System.nanoTime() - r0) / 1_000_000;

        informer.close();
        List<Long> gated = new ArrayList<>();
        List<Long> floor = new ArrayList<>();
        for (int i = 0; i < rolling; i++) {
          String name = "roll-" + i;
          Instant write = partitionWrites.get(ns + "/" + name);
          PodSimulator.PodRecord canary =
              pods.readyOrder().stream()
                  .filter(p -> p.name().equals(name + "-1") && p.readyAt() != null)
                  .filter(p -> p.readyAt().isAfter(committed))
                  .findFirst()
                  .orElse(null);
          if (canary == null) {
            continue;
          }
          if (write != null) {
            gated.add(Duration.between(canary.readyAt(), write).toMillis());
          }
          Instant seen = seenReady.get(canary.uid());
          if (seen != null) {
            floor.add(Duration.between(canary.readyAt(), seen).toMillis());
          }
        }
        Collections.sort(gated);
        Collections.sort(floor);
        System.out.printf(
            Locale.ROOT,
            "%d concurrent rollouts among %d watched StatefulSets: all done in %d ms; canary pod Ready"
                + " -> next partition write: p50 %d ms, p99 %d ms, max %d ms (%d measured); stalled: %s;"
                + " floor (Ready -> a plain informer sees it): p50 %d ms, p99 %d ms%n",
            rolling,
            watched,
            rolloutMs,
            percentile(gated, 50),
            percentile(gated, 99),
            gated.isEmpty() ? -1 : gated.get(gated.size() - 1),
            gated.size(),
            stalled.isEmpty() ? "none" : stalled,
            percentile(floor, 50),
            percentile(floor, 99));
      }
    }
    BenchSupport.printLoad("at end");
    System.exit(0);
  }

  private static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /**
   * Waits until every rolled StatefulSet is Healthy on {@code image}; returns those that are not.
   */
  private static List<String> await(
      KubernetesClient client, String ns, int rolling, String image, Duration patience)
      throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    List<String> behind = List.of();
    while (System.nanoTime() < deadline) {
      behind = new ArrayList<>();
      Map<String, StatefulSet> byName = new LinkedHashMap<>();
      for (StatefulSet s : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
        byName.put(s.getMetadata().getName(), s);
      }
      for (int i = 0; i < rolling; i++) {
        StatefulSet s = byName.get("roll-" + i);
        boolean done =
            s != null
                && image.equals(
                    s.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                && s.getStatus() != null
                && s.getStatus().getUpdateRevision() != null
                && s.getStatus().getUpdateRevision().equals(s.getStatus().getCurrentRevision())
                && Integer.valueOf(2).equals(s.getStatus().getReadyReplicas())
                && Annotations.state(s.getMetadata().getAnnotations())
                    .map(RolloutState::fromJson)
                    .filter(st -> st.phase() == Phase.HEALTHY)
                    .isPresent();
        if (!done) {
          behind.add("roll-" + i);
        }
      }
      if (behind.isEmpty()) {
        return behind;
      }
      Thread.sleep(500);
    }
    return behind;
  }

  private static Map<String, String> files(int watched, int rolling, String image) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("policy.yaml", POLICY);
    for (int i = 0; i < rolling; i++) {
      files.put("roll-" + i + ".yaml", Manifests.statefulSet("roll-" + i, 2, image, "canary"));
    }
    for (int i = rolling; i < watched; i++) {
      files.put(
          "idle-" + i + ".yaml",
          Manifests.statefulSet("idle-" + i, 0, "registry.local/db:1", null));
    }
    return files;
  }
}
