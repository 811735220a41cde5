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
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

/**
 * Prints figures (not a timed test): with N StatefulSets watched in the real control plane, the
 * latency from a canary pod becoming Ready to the next partition write, and the controller's heap
 * per managed StatefulSet.
 *
 * <p>What is measured: from the moment the simulator's status write that made the canary Ready
 * returned (the API server had committed it) to the moment the write that set the partition to 0
 * returned. Beside it, where the time went ({@link LatencyProbe}): the watch delivering the change
 * to the loop, the wait for a worker, each request the decision made, and the rest (deciding,
 * logging, waiting for a CPU). And a floor measured in the same run: how late a plain fabric8 watch
 * of the namespace's pods saw the same Ready, plus the round trip of a plain partition PATCH of a
 * StatefulSet Ordinal does not manage, made meanwhile. The loop needs at least one watch delivery
 * and one write, so it cannot beat the floor on this machine at this load.
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
      created.add(pool.submit(() -> create(client, ns, name, sampled ? 2 : 1)));
    }
    // Ordinal leaves this one alone: the bench patches its partition to time a bare write.
    created.add(pool.submit(() -> create(client, ns, FLOOR, 1)));
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
                == n + 1);
    System.out.printf("all %d ready after %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);

    RolloutSpec spec = RolloutSpec.of(Step.Canary.pods(1));
    Map<String, Instant> partitionZeroAt = new ConcurrentHashMap<>();
    long heapBefore = usedHeapAfterGc();
    KubeCluster kube = new KubeCluster(client, "bench", Clock.systemUTC());
    LatencyProbe probe = new LatencyProbe(kube, kube, key -> key.contains("/lat-"));
    RolloutLoop controller =
        new RolloutLoop(
                probe,
                EventBus.standard(probe),
                Set.of(ns),
                s -> FLOOR.equals(s.getMetadata().getName()) ? Optional.empty() : Optional.of(spec),
                new FakeAnalysisRuns(),
                Clock.systemUTC(),
                2)
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

    Map<String, Instant> plainSawReady = new ConcurrentHashMap<>();
    Watch plain = client.pods().inNamespace(ns).watch(new ReadyWatcher(plainSawReady));
    List<Long> floorPatchMillis = new ArrayList<>();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Future<?> floorPatches = pool.submit(() -> patchFloor(client, ns, sampling, floorPatchMillis));
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
    sampling.set(false);
    floorPatches.get();
    plain.close();
    List<Sample> measured = new ArrayList<>();
    List<PodRecord> ready = sim.readyOrder();
    for (int i = 0; i < samples; i++) {
      String name = "lat-" + i;
      String old = revisionBefore.get(name);
      Optional<PodRecord> canary =
          ready.stream()
              .filter(r -> r.name().equals(name + "-1") && !r.revision().equals(old))
              .findFirst();
      Instant listenerTold = partitionZeroAt.get(ns + "/" + name);
      if (canary.isPresent() && listenerTold != null) {
        Sample.of(
                canary.get(),
                plainSawReady.get(canary.get().uid()),
                listenerTold,
                probe.marks(ns + "/" + name))
            .ifPresent(measured::add);
      }
    }
    System.out.printf(
        "pod Ready → next partition write, %d samples among %d watched StatefulSets (ms; load average %.2f):%n",
        measured.size(), n, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("  per sample: " + Sample.HEADER);
    measured.forEach(m -> System.out.println("              " + m));
    System.out.println("  p50 of each column, p99, max:");
    row("total (Ready written → partition write returned)", measured, Sample::total);
    row("total as the action listener hears it", measured, Sample::listener);
    row("total from the Ready request sent", measured, Sample::fromRequest);
    row("  watch delivery to the loop", measured, Sample::delivery);
    row("  queue (told → worker reads the cache)", measured, Sample::queue);
    row("  StatefulSet writes (all)", measured, Sample::writes);
    row("  writes lost to a conflict", measured, Sample::conflicts);
    row("  fresh reads after a conflict", measured, Sample::fresh);
    row("  Event posts", measured, Sample::events);
    row("  the rest (deciding, logging, CPU)", measured, Sample::rest);
    row("  requests on the path (count)", measured, Sample::requests);
    System.out.println("  floor, same run:");
    row("  plain watch delivery of the Ready", measured, Sample::plainDelivery);
    List<Long> patches = new ArrayList<>(floorPatchMillis);
    patches.sort(null);
    System.out.printf(
        "    %-52s p50 %4d  p99 %4d  max %4d  (%d patches)%n",
        "plain partition PATCH round trip",
        pct(patches, 50),
        pct(patches, 99),
        patches.get(patches.size() - 1),
        patches.size());
    System.out.printf(
        "    %-52s p50 %4d%n",
        "floor: watch delivery p50 + PATCH p50",
        pct(sorted(measured, Sample::plainDelivery), 50) + pct(patches, 50));
    row("  Ready write round trip (simulator)", measured, Sample::readyWrite);
    controller.close();
    sim.close();
    pool.shutdownNow();
    client.namespaces().withName(ns).delete();
    System.exit(0);
  }

  private static final String FLOOR = "floor";

  /** A StatefulSet without volumes: the simulator has no storage to offer. */
  private static void create(KubernetesClient client, String ns, String name, int replicas) {
    StatefulSet sts = StatefulSets.statefulSet(name, replicas, "registry.local/b:1");
    sts.getSpec().setVolumeClaimTemplates(List.of());
    sts.getSpec().getTemplate().getSpec().getContainers().get(0).setVolumeMounts(List.of());
    client.apps().statefulSets().inNamespace(ns).resource(sts).create();
  }

  /** Patches the floor StatefulSet's partition back and forth, timing each round trip. */
  private static void patchFloor(
      KubernetesClient client, String ns, AtomicBoolean sampling, List<Long> millis) {
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    for (int i = 0; sampling.get(); i++) {
      String patch =
          "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":" + (i % 2) + "}}}}";
      long start = System.nanoTime();
      client.apps().statefulSets().inNamespace(ns).withName(FLOOR).patch(merge, patch);
      synchronized (millis) {
        millis.add((System.nanoTime() - start) / 1_000_000);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Remembers, per pod uid, when a bare watch first saw the pod Ready. */
  private record ReadyWatcher(Map<String, Instant> sawReady) implements Watcher<Pod> {
    @Override
    public void eventReceived(Action action, Pod pod) {
      Instant now = Instant.now();
      if (pod.getStatus() != null
          && pod.getStatus().getConditions() != null
          && pod.getStatus().getConditions().stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
        sawReady.putIfAbsent(pod.getMetadata().getUid(), now);
      }
    }

    @Override
    public void onClose(WatcherException cause) {}
  }

  /**
   * One canary's path, in ms from its Ready: the probe's first TOLD after the Ready request was
   * sent, the first pass that began after it, and the requests made until the partition write.
   */
  private record Sample(
      long total,
      long listener,
      long fromRequest,
      long delivery,
      long queue,
      long writes,
      long conflicts,
      long fresh,
      long events,
      long rest,
      long requests,
      long plainDelivery,
      long readyWrite) {
    static final String HEADER =
        "total listener delivery queue writes conflicts fresh events rest requests | plain-delivery";

    static Optional<Sample> of(
        PodRecord canary, Instant plainSaw, Instant listenerTold, List<LatencyProbe.Mark> marks) {
      Instant ready = canary.readyAt();
      Instant requested = canary.readyRequestedAt();
      Optional<LatencyProbe.Mark> write =
          marks.stream()
              .filter(m -> m.kind() == LatencyProbe.Kind.WRITE && m.detail().equals("partition=0"))
              .findFirst();
      Optional<LatencyProbe.Mark> told =
          marks.stream()
              .filter(m -> m.kind() == LatencyProbe.Kind.TOLD && !m.start().isBefore(requested))
              .findFirst();
      if (write.isEmpty() || told.isEmpty() || plainSaw == null) {
        return Optional.empty();
      }
      Instant written = write.get().end();
      Optional<LatencyProbe.Mark> taken =
          marks.stream()
              .filter(
                  m ->
                      m.kind() == LatencyProbe.Kind.TAKEN
                          && !m.start().isBefore(told.get().start()))
              .findFirst();
      if (taken.isEmpty()) {
        return Optional.empty();
      }
      Instant from = taken.get().start();
      long writes = 0;
      long conflicts = 0;
      long fresh = 0;
      long events = 0;
      long requests = 0;
      for (LatencyProbe.Mark m : marks) {
        if (m.start().isBefore(from) || m.end().isAfter(written)) {
          continue;
        }
        long ms = ms(m.start(), m.end());
        switch (m.kind()) {
          case WRITE -> {
            writes += ms;
            if (m.detail().equals("conflict")) {
              conflicts += ms;
            }
          }
          case FRESH_GET, FRESH_LIST -> fresh += ms;
          case EVENT_POST -> events += ms;
          default -> {
            continue;
          }
        }
        requests++;
      }
      long afterTaken = ms(from, written);
      return Optional.of(
          new Sample(
              ms(ready, written),
              ms(ready, listenerTold),
              ms(requested, written),
              ms(ready, told.get().start()),
              ms(told.get().start(), from),
              writes,
              conflicts,
              fresh,
              events,
              afterTaken - writes - fresh - events,
              requests,
              ms(ready, plainSaw),
              ms(requested, ready)));
    }

    private static long ms(Instant from, Instant to) {
      return Duration.between(from, to).toMillis();
    }

    @Override
    public String toString() {
      return String.format(
          "%5d %8d %8d %5d %6d %9d %5d %6d %4d %8d | %5d",
          total,
          listener,
          delivery,
          queue,
          writes,
          conflicts,
          fresh,
          events,
          rest,
          requests,
          plainDelivery);
    }
  }

  private static List<Long> sorted(List<Sample> samples, ToLongFunction<Sample> column) {
    List<Long> values = new ArrayList<>();
    samples.forEach(s -> values.add(column.applyAsLong(s)));
    values.sort(null);
    return values;
  }

  private static void row(String what, List<Sample> samples, ToLongFunction<Sample> column) {
    List<Long> values = sorted(samples, column);
    System.out.printf(
        "    %-52s p50 %4d  p99 %4d  max %4d%n",
        what, pct(values, 50), pct(values, 99), values.get(values.size() - 1));
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

  private static void waitFor(String what, Duration timeout, BooleanSupplier c)
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
