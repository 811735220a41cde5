package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static dev.ordinal.testkit.StatefulSets.awaitRolledOut;
import static dev.ordinal.testkit.StatefulSets.revisions;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * One StatefulSet under an Ordinal controller, with the simulated kubelet and a recorded action
 * log.
 */
final class RolloutHarness implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  /** One executed action, by which controller instance and when. */
  record Executed(String instance, Action action, Instant at) {
    String describe() {
      if (action instanceof Action.SetPartition) {
        return "SetPartition(" + ((Action.SetPartition) action).partition() + ")";
      }
      if (action instanceof Action.DeletePod) {
        return "DeletePod(" + ((Action.DeletePod) action).podName() + ")";
      }
      return action.getClass().getSimpleName() + "(" + action.event().reason() + ")";
    }
  }

  final KubernetesClient client;
  final String ns;
  final String name;
  final PodSimulator sim;
  final FakeAnalysisRuns analysis = new FakeAnalysisRuns();
  final List<Executed> log = new CopyOnWriteArrayList<>();
  volatile RolloutSpec spec;
  private volatile long lastDecision;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  RolloutHarness(KubernetesClient client, String ns, String name, RolloutSpec spec) {
    this.client = client;
    this.ns = ns;
    this.name = name;
    this.spec = spec;
    this.sim = new PodSimulator(client, ns, Duration.ofMillis(150));
  }

  /** Creates the StatefulSet (governed by a policy annotation) and waits until it runs. */
  String create(int replicas, String image, boolean onDelete) {
    StatefulSet sts = StatefulSets.statefulSet(name, replicas, image);
    sts.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.POLICY, "test")));
    if (onDelete) {
      sts.getSpec()
          .setUpdateStrategy(
              new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder()
                  .withType("OnDelete")
                  .build());
    }
    client.apps().statefulSets().inNamespace(ns).resource(sts).create();
    return awaitRolledOut(client, ns, name, TIMEOUT).getStatus().getUpdateRevision();
  }

  RolloutLoop controller(String instance) {
    return controller(instance, client);
  }

  RolloutLoop controller(String instance, KubernetesClient c) {
    return controller(instance, c, a -> false);
  }

  /**
   * A controller that closes itself right after executing the first action matching {@code
   * killAfter}.
   */
  RolloutLoop controller(String instance, KubernetesClient c, Predicate<Action> killAfter) {
    RolloutLoop[] self = new RolloutLoop[1];
    KubeCluster kube = new KubeCluster(c, instance, Clock.systemUTC());
    RolloutLoop controller =
        new RolloutLoop(
                kube,
                kube,
                Set.of(ns),
                s ->
                    s.getMetadata().getAnnotations() != null
                            && s.getMetadata().getAnnotations().containsKey(Annotations.POLICY)
                        ? Optional.of(spec)
                        : Optional.empty(),
                analysis,
                Clock.systemUTC())
            .onAction(
                (key, action) -> {
                  log.add(new Executed(instance, action, Instant.now()));
                  if (killAfter.test(action)) {
                    self[0].close();
                  }
                })
            .onDecision((key, action) -> lastDecision = System.nanoTime());
    self[0] = controller;
    closeables.add(controller);
    closeables.add(kube);
    return controller;
  }

  /** Applies a new image as Git does: template and partition = replicas in one update. */
  String apply(String image) {
    String before = sts().getStatus().getUpdateRevision();
    StatefulSets.edit(
        client,
        ns,
        name,
        s -> {
          s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
          if (!"OnDelete".equals(s.getSpec().getUpdateStrategy().getType())) {
            s.getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .setPartition(s.getSpec().getReplicas());
          }
        });
    await(
        "new update revision",
        TIMEOUT,
        () -> !before.equals(sts().getStatus().getUpdateRevision()),
        () -> sts().getStatus());
    return sts().getStatus().getUpdateRevision();
  }

  StatefulSet sts() {
    return client.apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  Optional<RolloutState> state() {
    return Annotations.state(sts().getMetadata().getAnnotations()).map(RolloutState::fromJson);
  }

  RolloutState awaitState(String what, Predicate<RolloutState> condition) {
    await(
        what,
        TIMEOUT,
        () -> state().filter(condition).isPresent(),
        () ->
            state().map(RolloutState::toJson).orElse("no state")
                + " pods="
                + revisions(client, ns, name)
                + " log="
                + describeLog());
    return state().orElseThrow();
  }

  /**
   * Makes the loop look at the StatefulSet again (a harmless annotation is a watch event) and waits
   * until it has decided: what a test asserts next is what the loop decided on fresh facts, not on
   * how long the test slept.
   */
  void poke() {
    long asked = System.nanoTime();
    annotate("test.ordinal.dev/poke", Long.toString(asked));
    await("a decision after the poke", TIMEOUT, () -> lastDecision > asked, this::describeLog);
  }

  void annotate(String key, String value) {
    StatefulSets.edit(client, ns, name, s -> s.getMetadata().getAnnotations().put(key, value));
  }

  Map<String, String> pods() {
    return revisions(client, ns, name);
  }

  boolean allOn(String revision, int replicas) {
    Map<String, String> pods = pods();
    return pods.size() == replicas && pods.values().stream().allMatch(revision::equals);
  }

  List<String> describeLog() {
    return log.stream().map(Executed::describe).toList();
  }

  List<String> deletions() {
    return log.stream()
        .filter(e -> e.action() instanceof Action.DeletePod)
        .map(e -> ((Action.DeletePod) e.action()).podName())
        .toList();
  }

  long count(String instance) {
    return log.stream().filter(e -> e.instance().equals(instance)).count();
  }

  List<Integer> partitions() {
    return log.stream()
        .filter(e -> e.action() instanceof Action.SetPartition)
        .filter(e -> !(e.action().event() instanceof RolloutEvent.PartitionRested))
        .map(e -> ((Action.SetPartition) e.action()).partition())
        .toList();
  }

  /**
   * How many times Events with this reason were told about the StatefulSet: repeats of one Event
   * are aggregated into its count rather than posted again.
   */
  long timesTold(String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> reason.equals(e.getReason()))
        .mapToLong(e -> e.getCount() == null ? 1 : e.getCount())
        .sum();
  }

  List<String> events() {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
        .map(e -> e.getReason())
        .toList();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    sim.close();
  }
}
