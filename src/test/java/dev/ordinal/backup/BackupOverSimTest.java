package dev.ordinal.backup;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.daemon.EventBus;
import dev.ordinal.daemon.FakeAnalysisRuns;
import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.BackupSpec;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Backups and restores end to end over the in-memory cluster: the rollout loop, the backup manager
 * and the simulated StatefulSet controller, snapshotter, claims and hooks. Exec hooks can only be
 * proven here: the test control plane has no kubelet to exec in.
 */
class BackupOverSimTest {
  static final String NS = "shop";
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final RolloutSpec STEPS = RolloutSpec.of(Step.Canary.pods(2), Step.Pause.untilPromoted());

  final SimCluster cluster =
      new SimCluster(new SimClock(Instant.now(), 1), Duration.ofMillis(30))
          .snapshotDelay(Duration.ofMillis(60));
  final BackupManager backups = new BackupManager(cluster, cluster.clock());
  final List<Action> actions = new CopyOnWriteArrayList<>();
  volatile RolloutSpec spec;
  RolloutLoop loop;

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.close();
    }
    backups.close();
    cluster.close();
  }

  void start(RolloutSpec rolloutSpec) {
    spec = rolloutSpec;
    loop =
        new RolloutLoop(
                cluster,
                EventBus.standard(cluster),
                Set.of(NS),
                s -> Optional.of(spec),
                new FakeAnalysisRuns(),
                backups,
                cluster.clock(),
                2)
            .onAction((k, a) -> actions.add(a));
    loop.start();
  }

  String create(int replicas, String image) {
    StatefulSet sts = StatefulSets.statefulSet("db", replicas, image);
    sts.getMetadata().setNamespace(NS);
    sts.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.POLICY, "p")));
    cluster.apply(sts);
    await(
        "db rolled out",
        TIMEOUT,
        () -> {
          StatefulSet s = cluster.get(NS, "db").orElseThrow();
          return s.getStatus().getReadyReplicas() != null
              && s.getStatus().getReadyReplicas() == replicas;
        },
        () -> cluster.get(NS, "db").orElseThrow().getStatus());
    return cluster.get(NS, "db").orElseThrow().getStatus().getUpdateRevision();
  }

  String release(String image) {
    StatefulSet sts = cluster.get(NS, "db").orElseThrow();
    String before = sts.getStatus().getUpdateRevision();
    sts.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
    sts.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(sts.getSpec().getReplicas());
    cluster.apply(sts);
    await(
        "new revision",
        TIMEOUT,
        () -> !before.equals(cluster.get(NS, "db").orElseThrow().getStatus().getUpdateRevision()),
        () -> "");
    return cluster.get(NS, "db").orElseThrow().getStatus().getUpdateRevision();
  }

  Optional<RolloutState> state() {
    return Annotations.state(cluster.get(NS, "db").orElseThrow().getMetadata().getAnnotations())
        .map(RolloutState::fromJson);
  }

  RolloutState awaitState(String what, Predicate<RolloutState> ok) {
    await(
        what,
        TIMEOUT,
        () -> state().filter(ok).isPresent(),
        () -> state().map(RolloutState::toJson).orElse("none") + " " + lastLines());
    return state().orElseThrow();
  }

  List<String> reasons() {
    return actions.stream().map(a -> a.event().reason()).toList();
  }

  /** The last decisions, for failure messages. */
  List<String> lastLines() {
    List<String> lines = actions.stream().map(Action::logLine).toList();
    return lines.subList(Math.max(0, lines.size() - 12), lines.size());
  }

  @Test
  void quiesceAndResumeExecHooksRunInEveryPodAroundTheSnapshots() {
    create(3, "db:1");
    BackupSpec.Hook freeze =
        new BackupSpec.Exec(List.of("fsfreeze", "-f", "/data"), Optional.of("main"), null);
    BackupSpec.Hook thaw =
        new BackupSpec.Exec(List.of("fsfreeze", "-u", "/data"), Optional.of("main"), null);
    start(
        STEPS.withBackup(
            BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL)
                .withHooks(Optional.of(freeze), Optional.of(thaw))));
    awaitState("initialised", s -> s.phase() == Phase.HEALTHY);
    release("db:2");
    RolloutState paused = awaitState("at the gate", s -> s.phase() == Phase.PAUSED);

    assertEquals(RolloutState.BackupStage.READY, paused.backup().stage());
    List<SimCluster.ExecCall> calls = cluster.execCalls();
    assertEquals(6, calls.size(), "quiesce and resume in each of 3 pods: " + calls);
    assertTrue(calls.subList(0, 3).stream().allMatch(c -> c.command().contains("-f")));
    assertTrue(calls.subList(3, 6).stream().allMatch(c -> c.command().contains("-u")));
    assertTrue(calls.stream().allMatch(c -> c.container().equals("main")));
    int snapshotsAt = reasons().indexOf("SnapshotsRequested");
    assertTrue(
        reasons().indexOf("BackupHook") < snapshotsAt
            && reasons().lastIndexOf("BackupHook") > snapshotsAt,
        "quiesce, snapshots, resume: " + reasons());
  }

  @Test
  void aFailingQuiesceHookTakesNoSnapshotRunsTheResumeHookAndBlocksTheRollout() {
    String v1 = create(3, "db:1");
    cluster.execOutcome(
        (pod, command) ->
            command.contains("-f") && pod.equals("db-1")
                ? new Volumes.ExecResult(1, "fsfreeze: /data: Device or resource busy", false)
                : new Volumes.ExecResult(0, "", false));
    start(
        STEPS.withBackup(
            BackupSpec.of(BackupSpec.RestoreOnRollback.MANUAL)
                .withHooks(
                    Optional.of(
                        new BackupSpec.Exec(
                            List.of("fsfreeze", "-f", "/data"), Optional.empty(), null)),
                    Optional.of(
                        new BackupSpec.Exec(
                            List.of("fsfreeze", "-u", "/data"), Optional.empty(), null)))));
    awaitState("initialised", s -> s.phase() == Phase.HEALTHY);
    release("db:2");
    RolloutState failed = awaitState("rolled back", s -> s.phase() == Phase.ROLLED_BACK);

    assertEquals(PhaseReason.BACKUP_FAILED, failed.reasonCode());
    assertTrue(failed.reason().contains("db-1: exit 1"), failed.reason());
    assertTrue(cluster.snapshots(NS, Map.of()).isEmpty(), "no snapshot was taken");
    long resumed = cluster.execCalls().stream().filter(c -> c.command().contains("-u")).count();
    assertEquals(3, resumed, "the resume hook ran in every pod all the same");
    assertEquals(Map.of("db-0", v1, "db-1", v1, "db-2", v1), cluster.podRevisions(NS, "db"));
    assertTrue(!reasons().contains("CanaryStep"), "no pod moved: " + reasons());
  }

  @Test
  void restoreDrillTheCanaryWritesAreGoneAndNoRestoredOrdinalEverGotAnEmptyClaim() {
    String v1 = create(4, "db:1");
    for (int o = 0; o < 4; o++) {
      cluster.writeData(NS, "data-db-" + o, "v1-data-" + o);
    }
    start(STEPS.withBackup(BackupSpec.of(BackupSpec.RestoreOnRollback.AUTO)));
    awaitState("initialised", s -> s.phase() == Phase.HEALTHY);
    String v2 = release("db:2");
    awaitState("at the gate", s -> s.phase() == Phase.PAUSED);
    // the canary writes through its claims
    cluster.writeData(NS, "data-db-3", "v2-wrote-this");
    cluster.writeData(NS, "data-db-2", "v2-wrote-this");
    int claimsBefore = cluster.claimHistory().size();
    cluster.annotate(NS, "db", Map.of(Annotations.commandKey(Command.ABORT), "now"));

    RolloutState done =
        awaitState(
            "rolled back and restored", s -> s.phase() == Phase.ROLLED_BACK && s.restore() == null);
    await(
        "all on v1",
        TIMEOUT,
        () ->
            cluster.podRevisions(NS, "db").values().stream().allMatch(v1::equals)
                && cluster.podRevisions(NS, "db").size() == 4,
        () -> cluster.podRevisions(NS, "db"));

    assertEquals(Optional.of("v1-data-3"), cluster.data(NS, "data-db-3"));
    assertEquals(Optional.of("v1-data-2"), cluster.data(NS, "data-db-2"));
    assertEquals(Optional.of("v1-data-1"), cluster.data(NS, "data-db-1"), "untouched");
    List<SimCluster.ClaimCreated> made =
        cluster.claimHistory().subList(claimsBefore, cluster.claimHistory().size());
    assertEquals(
        List.of("data-db-2", "data-db-3"),
        made.stream().map(SimCluster.ClaimCreated::name).toList());
    for (SimCluster.ClaimCreated c : made) {
      assertTrue(!c.dataSource().isEmpty() && !c.data().isEmpty(), "restored, not empty: " + c);
    }
    assertEquals(List.of(2, 3), done.backup().ranTarget());
    assertTrue(reasons().contains("RestoreCompleted"), reasons().toString());
    assertTrue(done.failedRevisions().contains(v2));
  }
}
