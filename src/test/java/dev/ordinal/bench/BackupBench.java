package dev.ordinal.bench;

import dev.ordinal.backup.BackupManager;
import dev.ordinal.daemon.EventBus;
import dev.ordinal.daemon.FakeAnalysisRuns;
import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.BackupSpec;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.SnapshotSimulator;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Prints figures (no assertions): on the real control plane, the time from a rollout's start (the
 * new template applied) to the first pod moving (the first partition below the replica count
 * written), without a backup and with one, for 3 and 30 replicas; beside it, the snapshotter's own
 * time (from the first snapshot it saw to the last it made readyToUse). Ordinal's overhead is the
 * difference less the snapshotter's time.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.ordinal.bench.BackupBench [runs] [snapshotDelayMs]
 * </pre>
 */
public final class BackupBench {
  static final Duration TIMEOUT = Duration.ofMinutes(3);

  /** The goal: what Ordinal adds beyond the snapshotter's own time. */
  static final Duration FLOOR = Duration.ofSeconds(1);

  record Run(int replicas, boolean backup, Duration toFirstMove, Duration snapshotter) {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Duration snapshotDelay = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 500);
    ControlPlane plane = ControlPlane.shared();
    List<Run> all = new ArrayList<>();
    // warm up the JVM and the API server's caches; not counted
    once(plane.client(), 3, false, snapshotDelay);
    once(plane.client(), 3, true, snapshotDelay);
    for (int replicas : new int[] {3, 30}) {
      for (int i = 0; i < runs; i++) {
        for (boolean backup : new boolean[] {false, true}) {
          Run run = once(plane.client(), replicas, backup, snapshotDelay);
          all.add(run);
          System.out.printf(
              "replicas=%-3d backup=%-5s first pod moves after %5d ms  snapshotter %5d ms%n",
              run.replicas(),
              run.backup(),
              run.toFirstMove().toMillis(),
              run.snapshotter().toMillis());
        }
      }
    }
    System.out.println();
    System.out.println(
        "median of "
            + runs
            + " runs (snapshot delay "
            + snapshotDelay.toMillis()
            + " ms): without, with backup, snapshotter, Ordinal's overhead beyond the snapshotter"
            + " beside its floor");
    for (int replicas : new int[] {3, 30}) {
      long without = median(all, replicas, false, Run::toFirstMove);
      long with = median(all, replicas, true, Run::toFirstMove);
      long snap = median(all, replicas, true, Run::snapshotter);
      long overhead = with - without - snap;
      System.out.printf(
          "replicas=%-3d without %5d ms  with %5d ms  snapshotter %5d ms  overhead %5d ms"
              + "  (floor: under %d ms, %s)%n",
          replicas,
          without,
          with,
          snap,
          overhead,
          FLOOR.toMillis(),
          overhead < FLOOR.toMillis() ? "met" : "NOT met");
    }
    System.exit(0);
  }

  private static long median(
      List<Run> all, int replicas, boolean backup, Function<Run, Duration> f) {
    List<Long> values =
        all.stream()
            .filter(r -> r.replicas() == replicas && r.backup() == backup)
            .map(r -> f.apply(r).toMillis())
            .sorted()
            .toList();
    return values.get(values.size() / 2);
  }

  private static Run once(
      KubernetesClient client, int replicas, boolean backup, Duration snapshotDelay)
      throws Exception {
    String ns = "backup-bench-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    BenchSupport.namespace(client, ns);
    RolloutSpec spec = RolloutSpec.of(Step.Canary.pods(1), Step.Pause.untilPromoted());
    if (backup) {
      spec = spec.withBackup(BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL));
    }
    RolloutSpec policy = spec;
    AtomicLong firstMove = new AtomicLong();
    try (PodSimulator pods = new PodSimulator(client, ns, Duration.ofMillis(20));
        SnapshotSimulator snapshots = new SnapshotSimulator(client, ns, snapshotDelay);
        KubeCluster kube = new KubeCluster(client, "bench", Clock.systemUTC());
        BackupManager backups = new BackupManager(kube, Clock.systemUTC())) {
      StatefulSet sts = StatefulSets.statefulSet("db", replicas, "registry.local/db:1");
      sts.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.POLICY, "bench")));
      sts.getSpec().setPodManagementPolicy("Parallel");
      client.apps().statefulSets().inNamespace(ns).resource(sts).create();
      StatefulSets.awaitRolledOut(client, ns, "db", TIMEOUT);
      try (RolloutLoop loop =
          new RolloutLoop(
                  kube,
                  EventBus.standard(kube),
                  Set.of(ns),
                  s -> Optional.of(policy),
                  new FakeAnalysisRuns(),
                  backups,
                  Clock.systemUTC(),
                  2)
              .onAction(
                  (key, action) -> {
                    if (action instanceof Action.SetPartition p && p.partition() < replicas) {
                      firstMove.compareAndSet(0, System.nanoTime());
                    }
                  })) {
        loop.start();
        awaitPhase(client, ns, Phase.HEALTHY);
        long start = System.nanoTime();
        StatefulSets.edit(
            client,
            ns,
            "db",
            StatefulSets.image("registry.local/db:2")
                .andThen(
                    s ->
                        s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(replicas)));
        StatefulSets.await("the first pod to move", TIMEOUT, () -> firstMove.get() != 0, () -> "");
        Duration snapshotter = Duration.ZERO;
        List<SnapshotSimulator.Timing> timings = snapshots.timings();
        if (!timings.isEmpty()) {
          Instant first =
              timings.stream().map(SnapshotSimulator.Timing::seen).min(Instant::compareTo).get();
          Instant last =
              timings.stream().map(SnapshotSimulator.Timing::done).max(Instant::compareTo).get();
          snapshotter = Duration.between(first, last);
        }
        return new Run(replicas, backup, Duration.ofNanos(firstMove.get() - start), snapshotter);
      }
    }
  }

  private static void awaitPhase(KubernetesClient client, String ns, Phase phase) {
    StatefulSets.await(
        "phase " + phase,
        TIMEOUT,
        () -> {
          StatefulSet s = client.apps().statefulSets().inNamespace(ns).withName("db").get();
          return Annotations.state(s.getMetadata().getAnnotations())
              .map(RolloutState::fromJson)
              .filter(st -> st.phase() == phase)
              .isPresent();
        },
        () -> "");
  }
}
