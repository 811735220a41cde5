package dev.ordinal.sim;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.daemon.FakeAnalysisRuns;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.RolloutPolicy;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.BackupSpec;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutSpecs;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.VolumeOp;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Holds the in-memory cluster to the real StatefulSet controller: each scenario runs the same
 * rollout loop against both, and both must create the same pods on the same revisions in the same
 * order, and make the same decisions. Revisions are compared by the order they appeared in (the
 * real controller's hashes differ from the simulator's); waits and progress counts, which depend on
 * timing, are left out of the decisions.
 */
@ControlPlaneTest
class SimDifferentialIT {
  /** The decisions that must agree: every write but progress bookkeeping. */
  private static final Set<String> TIMING_ONLY = Set.of("Progress", "Progressing", "Paused");

  /** What one play of a scenario produced, with revisions named v1, v2, ... */
  record Play(List<String> pods, List<String> decisions) {}

  /** A scenario: plays on a stage, naming each revision it creates. */
  interface Scenario {
    void play(Stage stage, Map<String, String> revisions) throws Exception;
  }

  private static Play play(Stage stage, String name, RolloutSpec spec, Scenario scenario)
      throws Exception {
    Map<String, String> revisions = new LinkedHashMap<>();
    List<String> decisions = new CopyOnWriteArrayList<>();
    AtomicReference<RolloutState> recorded = new AtomicReference<>();
    AtomicReference<Integer> toldPartition = new AtomicReference<>();
    stage
        .loop(name, spec)
        .onAction(
            (key, action) -> {
              decisions.add(describe(action));
              recorded.set(action.state());
              if (action instanceof Action.SetPartition set) {
                toldPartition.set(set.partition());
              }
            })
        .start();
    scenario.play(stage, revisions);
    if (stage.state(name).map(s -> s.phase() == Phase.HEALTHY).orElse(false)) {
      // A completed rollout's last decision rests the partition: part of what both must agree on.
      // The partition is written before its decision is told, and resting it leaves the state as
      // it was: wait for the telling of the write, not only for the write.
      await(
          "the partition at rest, and the decision that rested it told",
          Duration.ofSeconds(30),
          () -> {
            StatefulSet sts = stage.statefulSet(name);
            return Stage.atRest(sts) && Stage.partitionTold(sts, toldPartition.get());
          },
          () -> decisions);
    }
    // The state is written before its decision is told to the listener: wait for the telling.
    await(
        "the last decision recorded",
        Duration.ofSeconds(30),
        () -> stage.state(name).equals(Optional.ofNullable(recorded.get())),
        () -> decisions);
    List<String> pods = new ArrayList<>();
    for (String pod : stage.podHistory(name)) {
      String revision = pod.substring(pod.indexOf('@') + 1);
      pods.add(pod.substring(0, pod.indexOf('@')) + "@" + revisions.getOrDefault(revision, "?"));
    }
    List<String> named = new ArrayList<>();
    for (String d : decisions) {
      if (!d.isEmpty()) {
        named.add(d);
      }
    }
    return new Play(pods, named);
  }

  private static String describe(Action action) {
    if (action instanceof Action.SetPartition set) {
      return "SetPartition(" + set.partition() + ")";
    }
    if (action instanceof Action.DeletePod delete) {
      return "DeletePod(" + delete.podName() + ")";
    }
    if (action instanceof Action.SetReplicas scale) {
      return "SetReplicas(" + scale.replicas() + ")";
    }
    if (action instanceof Action.Volume volume) {
      VolumeOp op = volume.op();
      if (op instanceof VolumeOp.DeleteClaim d) {
        return "DeleteClaim(" + d.claim() + ")";
      }
      if (op instanceof VolumeOp.RestoreClaim r) {
        return "RestoreClaim(" + r.claim() + ")";
      }
      return op.getClass().getSimpleName();
    }
    String reason = action.event().reason();
    return TIMING_ONLY.contains(reason) ? "" : reason;
  }

  /**
   * Whether the pods of {@code name}, read once, pass {@code test}. Read twice, once for the count
   * and once for the revisions, they may be seen at two moments: a pod deleted in between (its
   * replacement not yet created) let "five pods, one canary" pass while two were canaries.
   */
  private static boolean podsAre(Stage stage, String name, Predicate<Map<String, String>> test) {
    return test.test(stage.pods(name));
  }

  private static void compare(
      KubernetesClient client, String ns, String name, RolloutSpec spec, Scenario scenario)
      throws Exception {
    compare(client, ns, name, spec, scenario, FakeAnalysisRuns::new);
  }

  private static void compare(
      KubernetesClient client,
      String ns,
      String name,
      RolloutSpec spec,
      Scenario scenario,
      Supplier<AnalysisRuns> analysis)
      throws Exception {
    Play real;
    try (RealStage stage = new RealStage(client, ns, analysis.get())) {
      real = play(stage, name, spec, scenario);
    }
    Play sim;
    try (SimStage stage = new SimStage(analysis.get())) {
      sim = play(stage, name, spec, scenario);
    }
    System.out.println(name + " real: " + real);
    System.out.println(name + " sim:  " + sim);
    assertEquals(real.pods(), sim.pods(), "pods created, in order");
    assertEquals(real.decisions(), sim.decisions(), "decisions");
  }

  private static RolloutState awaitState(Stage stage, String name, Predicate<RolloutState> ok) {
    await(
        name + " state",
        Duration.ofSeconds(90),
        () -> stage.state(name).filter(ok).isPresent(),
        () -> stage.state(name).map(RolloutState::toJson).orElse("none") + " " + stage.pods(name));
    return stage.state(name).orElseThrow();
  }

  /**
   * Waits until the rollout is healthy as {@code ok} says and its partition is at rest. A completed
   * rollout (or a first look) rests the partition one decision after it writes the healthy state; a
   * new template applied in between holds the partition itself, so that decision would come or not
   * by timing alone, on each side independently.
   */
  private static void awaitSettled(Stage stage, String name, Predicate<RolloutState> ok) {
    awaitState(stage, name, s -> s.phase() == Phase.HEALTHY && ok.test(s));
    await(
        name + " partition at rest",
        Duration.ofSeconds(30),
        () -> stage.partitionAtRest(name),
        () -> stage.statefulSet(name).getSpec().getUpdateStrategy());
  }

  private static Scenario rollout(
      String name, int replicas, String strategy, Integer maxUnavailable) {
    return (stage, revisions) -> {
      revisions.put(
          stage.create(name, replicas, "registry.local/" + name + ":1", strategy, maxUnavailable),
          "v1");
      awaitSettled(stage, name, s -> true);
      String v2 = stage.apply(name, "registry.local/" + name + ":2");
      revisions.put(v2, "v2");
      awaitState(stage, name, s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await(
          "all on v2",
          Duration.ofSeconds(60),
          () ->
              podsAre(
                  stage,
                  name,
                  p -> p.values().stream().allMatch(v2::equals) && p.size() == replicas),
          () -> stage.pods(name));
    };
  }

  @Test
  void partitionCanary(KubernetesClient client, TestNamespace ns) throws Exception {
    compare(
        client,
        ns.name(),
        "canary",
        RolloutSpec.of(Step.Canary.pods(1), Step.Canary.percent(60)),
        rollout("canary", 5, "RollingUpdate", null));
  }

  @Test
  void onDelete(KubernetesClient client, TestNamespace ns) throws Exception {
    compare(
        client,
        ns.name(),
        "ondel",
        RolloutSpec.of(Step.Canary.pods(1)),
        rollout("ondel", 3, "OnDelete", null));
  }

  @Test
  void maxUnavailableBatches(KubernetesClient client, TestNamespace ns) throws Exception {
    compare(
        client,
        ns.name(),
        "batch",
        RolloutSpec.of(Step.Canary.percent(50)),
        rollout("batch", 4, "RollingUpdate", 2));
  }

  @Test
  void scaleUpMidRollout(KubernetesClient client, TestNamespace ns) throws Exception {
    compare(
        client,
        ns.name(),
        "scale",
        RolloutSpec.of(Step.Canary.pods(1), Step.Pause.untilPromoted()),
        (stage, revisions) -> {
          revisions.put(
              stage.create("scale", 3, "registry.local/scale:1", "RollingUpdate", null), "v1");
          awaitSettled(stage, "scale", s -> true);
          String v2 = stage.apply("scale", "registry.local/scale:2");
          revisions.put(v2, "v2");
          awaitState(stage, "scale", s -> s.phase() == Phase.PAUSED);
          stage.scale("scale", 5);
          await(
              "five pods, scale-4 the one canary",
              Duration.ofSeconds(60),
              () ->
                  podsAre(
                      stage,
                      "scale",
                      p ->
                          p.size() == 5
                              && v2.equals(p.get("scale-4"))
                              && p.values().stream().filter(v2::equals).count() == 1),
              () -> stage.pods("scale"));
          stage.annotate("scale", Annotations.commandKey(Command.PROMOTE), "now");
          awaitState(
              stage, "scale", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
          await(
              "all on v2",
              Duration.ofSeconds(60),
              () ->
                  podsAre(
                      stage,
                      "scale",
                      p -> p.size() == 5 && p.values().stream().allMatch(v2::equals)),
              () -> stage.pods("scale"));
        });
  }

  /**
   * The story of {@code ordinal demo} with its policy (examples/orders-db/envs/prod), snapshots
   * first: a good release through one standby, analysis, the manual gate, both standbys and
   * analysis to all pods; then a release whose step analysis fails, rolled back. The background
   * analysis passes.
   */
  @Test
  void theDemosStory(KubernetesClient client, TestNamespace ns) throws Exception {
    LoadResult loaded =
        new ManifestLoader(ConditionGrammar.INSTANCE)
            .load(LocalDirectory.read(Path.of("examples/orders-db/envs/prod")));
    RolloutPolicy policy = ((LoadResult.Loaded) loaded).state().policies().get("orders-db-canary");
    // The policy's backup stays, but not its CHECKPOINT exec hook: the test control plane has no
    // kubelet, so an exec can never run there (BackupIT proves hooks as Jobs on the real server).
    RolloutSpec withHooks = RolloutSpecs.from(policy);
    RolloutSpec spec =
        withHooks
            .backup()
            .map(b -> withHooks.withBackup(b.withHooks(Optional.empty(), Optional.empty())))
            .orElse(withHooks);
    AtomicReference<AnalysisVerdict> steps = new AtomicReference<>();
    List<AnalysisRef> background = List.of(AnalysisRef.of("pod-restarts"));
    compare(
        client,
        ns.name(),
        "orders",
        spec,
        (stage, revisions) -> {
          steps.set(AnalysisVerdict.SUCCESSFUL);
          revisions.put(
              stage.create("orders", 3, "registry.local/postgres:16.4", "RollingUpdate", null),
              "v1");
          awaitSettled(stage, "orders", s -> true);
          String v2 = stage.apply("orders", "registry.local/postgres:16.6");
          revisions.put(v2, "v2");
          awaitState(stage, "orders", s -> s.reasonCode() == PhaseReason.MANUAL_GATE);
          stage.annotate("orders", Annotations.commandKey(Command.PROMOTE), "now");
          awaitSettled(stage, "orders", s -> s.stableRevision().equals(v2));
          await(
              "all on v2",
              Duration.ofSeconds(60),
              () ->
                  podsAre(
                      stage,
                      "orders",
                      p -> p.size() == 3 && p.values().stream().allMatch(v2::equals)),
              () -> stage.pods("orders"));

          steps.set(AnalysisVerdict.FAILED);
          String v3 = stage.apply("orders", "registry.local/postgres:16.6-timeout");
          revisions.put(v3, "v3");
          awaitState(stage, "orders", s -> s.phase() == Phase.ROLLED_BACK);
          await(
              "all back on v2",
              Duration.ofSeconds(60),
              () ->
                  podsAre(
                      stage,
                      "orders",
                      p -> p.size() == 3 && p.values().stream().allMatch(v2::equals)),
              () -> stage.pods("orders"));
        },
        () ->
            new FakeAnalysisRuns()
                .verdicts(
                    templates ->
                        templates.equals(background) ? AnalysisVerdict.SUCCESSFUL : steps.get()));
  }

  @Test
  void crashLoopRollsBack(KubernetesClient client, TestNamespace ns) throws Exception {
    compare(
        client,
        ns.name(),
        "crash",
        RolloutSpec.of(Step.Canary.pods(1), Step.Pause.untilPromoted()),
        (stage, revisions) -> {
          String v1 = stage.create("crash", 3, "registry.local/crash:1", "RollingUpdate", null);
          revisions.put(v1, "v1");
          awaitSettled(stage, "crash", s -> true);
          stage.behave("registry.local/crash:2", PodBehaviour.CRASH_LOOP);
          String v2 = stage.apply("crash", "registry.local/crash:2");
          revisions.put(v2, "v2");
          awaitState(stage, "crash", s -> s.phase() == Phase.ROLLED_BACK);
          await(
              "all on v1",
              Duration.ofSeconds(60),
              () ->
                  podsAre(
                      stage,
                      "crash",
                      p -> p.size() == 3 && p.values().stream().allMatch(v1::equals)),
              () -> stage.pods("crash"));
        });
  }

  /**
   * A rollback with auto restore: the canary ordinal leaves the set, its claim is replaced from the
   * snapshot taken before the rollout, and it comes back on the stable revision, in the same steps
   * and the same pod incarnations on both.
   */
  @Test
  void rollbackRestoresTheCanaryClaim(KubernetesClient client, TestNamespace ns) throws Exception {
    compare(
        client,
        ns.name(),
        "restore",
        RolloutSpec.of(Step.Canary.pods(1), Step.Pause.untilPromoted())
            .withBackup(BackupSpec.of(BackupSpec.RestoreOnRollback.AUTO)),
        (stage, revisions) -> {
          String v1 = stage.create("restore", 3, "registry.local/restore:1", "RollingUpdate", null);
          revisions.put(v1, "v1");
          awaitSettled(stage, "restore", s -> true);
          String v2 = stage.apply("restore", "registry.local/restore:2");
          revisions.put(v2, "v2");
          awaitState(stage, "restore", s -> s.phase() == Phase.PAUSED);
          stage.annotate("restore", Annotations.commandKey(Command.ABORT), "now");
          awaitState(stage, "restore", s -> s.phase() == Phase.ROLLED_BACK && s.restore() == null);
          await(
              "all on v1",
              Duration.ofSeconds(60),
              () ->
                  podsAre(
                      stage,
                      "restore",
                      p -> p.size() == 3 && p.values().stream().allMatch(v1::equals)),
              () -> stage.pods("restore"));
        });
  }
}
