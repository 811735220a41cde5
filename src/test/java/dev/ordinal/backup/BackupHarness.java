package dev.ordinal.backup;

import static dev.ordinal.testkit.StatefulSets.await;
import static dev.ordinal.testkit.StatefulSets.awaitRolledOut;
import static dev.ordinal.testkit.StatefulSets.revisions;

import dev.ordinal.daemon.EventBus;
import dev.ordinal.daemon.FakeAnalysisRuns;
import dev.ordinal.daemon.RolloutLoop;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VolumeOp;
import dev.ordinal.testkit.JobRunner;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.SnapshotSimulator;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One StatefulSet with a claim per pod on the real control plane, under Ordinal's rollout loop with
 * backups: the pod simulator for the kubelet, the snapshot simulator for the CSI snapshotter, the
 * job runner for the Job controller. Every claim creation in the namespace is recorded from a
 * watch, so a test can assert on each one.
 */
final class BackupHarness implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  /**
   * A claim creation the watch saw: its name and the snapshot it was created from ("" for none).
   */
  record ClaimCreated(String name, String uid, String dataSource) {}

  /** One executed action, by which controller instance. */
  record Executed(String instance, Action action) {
    String describe() {
      if (action instanceof Action.SetPartition p) {
        return "SetPartition(" + p.partition() + ")";
      }
      if (action instanceof Action.SetReplicas r) {
        return "SetReplicas(" + r.replicas() + ")";
      }
      if (action instanceof Action.Volume v) {
        VolumeOp op = v.op();
        if (op instanceof VolumeOp.DeleteClaim d) {
          return "DeleteClaim(" + d.claim() + ")";
        }
        if (op instanceof VolumeOp.RestoreClaim r) {
          return "RestoreClaim(" + r.claim() + ")";
        }
        return op.getClass().getSimpleName();
      }
      return action.getClass().getSimpleName() + "(" + action.event().reason() + ")";
    }
  }

  final KubernetesClient client;
  final String ns;
  final String name;
  final PodSimulator pods;
  final SnapshotSimulator snapshots;
  final JobRunner jobs;
  final List<Executed> log = new CopyOnWriteArrayList<>();
  final List<ClaimCreated> claimsCreated = new CopyOnWriteArrayList<>();
  volatile RolloutSpec spec;
  private volatile long lastDecision;
  private final Watch claimWatch;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  BackupHarness(
      KubernetesClient client, String ns, String name, RolloutSpec spec, Duration snapshotDelay) {
    this.client = client;
    this.ns = ns;
    this.name = name;
    this.spec = spec;
    this.pods = new PodSimulator(client, ns, Duration.ofMillis(100));
    this.snapshots = new SnapshotSimulator(client, ns, snapshotDelay);
    this.jobs = new JobRunner(client, ns, Duration.ofMillis(200));
    this.claimWatch =
        client
            .persistentVolumeClaims()
            .inNamespace(ns)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, PersistentVolumeClaim claim) {
                    if (action == Action.ADDED) {
                      var source = claim.getSpec().getDataSource();
                      claimsCreated.add(
                          new ClaimCreated(
                              claim.getMetadata().getName(),
                              claim.getMetadata().getUid(),
                              source == null ? "" : source.getName()));
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  /** Creates the StatefulSet under a policy, lets {@code change} adjust it, waits until it runs. */
  String create(int replicas, String image, Consumer<StatefulSet> change) {
    StatefulSet sts = StatefulSets.statefulSet(name, replicas, image);
    sts.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.POLICY, "test")));
    change.accept(sts);
    client.apps().statefulSets().inNamespace(ns).resource(sts).create();
    return awaitRolledOut(client, ns, name, TIMEOUT).getStatus().getUpdateRevision();
  }

  String create(int replicas, String image) {
    return create(replicas, image, s -> {});
  }

  /** A rollout loop with backups; it closes itself after the first action matching {@code kill}. */
  RolloutLoop controller(String instance, Predicate<Action> kill) {
    RolloutLoop[] self = new RolloutLoop[1];
    KubeCluster kube = new KubeCluster(client, instance, Clock.systemUTC());
    BackupManager backups = new BackupManager(kube, Clock.systemUTC());
    RolloutLoop loop =
        new RolloutLoop(
                kube,
                EventBus.standard(kube),
                Set.of(ns),
                s -> Optional.of(spec),
                new FakeAnalysisRuns(),
                backups,
                Clock.systemUTC(),
                2)
            .onAction(
                (key, action) -> {
                  log.add(new Executed(instance, action));
                  if (kill.test(action)) {
                    self[0].close();
                  }
                })
            .onDecision((key, action) -> lastDecision = System.nanoTime());
    self[0] = loop;
    closeables.add(loop);
    closeables.add(backups);
    closeables.add(kube);
    return loop;
  }

  RolloutLoop controller(String instance) {
    return controller(instance, a -> false);
  }

  /** A new template as Git applies it: image, partition held at replicas, the Git commit. */
  String release(String image, String commit) {
    String before = sts().getStatus().getUpdateRevision();
    StatefulSets.edit(
        client,
        ns,
        name,
        s -> {
          s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
          s.getSpec()
              .getUpdateStrategy()
              .getRollingUpdate()
              .setPartition(s.getSpec().getReplicas());
          s.getMetadata().getAnnotations().put(Annotations.TEMPLATE_COMMIT, commit);
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
   * until it has decided: what a test asserts next is what the loop decided on fresh facts.
   */
  void poke() {
    long asked = System.nanoTime();
    annotate("test.ordinal.dev/poke", Long.toString(asked));
    await("a decision after the poke", TIMEOUT, () -> lastDecision > asked, this::describeLog);
  }

  void annotate(String key, String value) {
    StatefulSets.edit(client, ns, name, s -> s.getMetadata().getAnnotations().put(key, value));
  }

  /** Writes data to a claim's volume, as the app would (the simulation's marker). */
  void writeData(String claim, String data) {
    client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .withName(claim)
        .edit(
            c -> {
              Map<String, String> a =
                  c.getMetadata().getAnnotations() == null
                      ? new HashMap<>()
                      : new HashMap<>(c.getMetadata().getAnnotations());
              a.put(SnapshotSimulator.DATA, data);
              c.getMetadata().setAnnotations(a);
              return c;
            });
  }

  /** The data on each claim of the StatefulSet, by claim name. */
  Map<String, String> data() {
    Map<String, String> data = new TreeMap<>();
    for (PersistentVolumeClaim c :
        client.persistentVolumeClaims().inNamespace(ns).list().getItems()) {
      Map<String, String> a = c.getMetadata().getAnnotations();
      data.put(
          c.getMetadata().getName(), a == null ? "" : a.getOrDefault(SnapshotSimulator.DATA, ""));
    }
    return data;
  }

  /** Ordinal's snapshots in the namespace. */
  List<VolumeSnapshot> volumeSnapshots() {
    try (KubeCluster kube = KubeCluster.direct(client)) {
      return kube.snapshots(ns, Map.of(BackupNames.STATEFULSET, name));
    }
  }

  Map<String, String> pods() {
    return revisions(client, ns, name);
  }

  boolean allOn(String revision, int replicas) {
    Map<String, String> p = pods();
    return p.size() == replicas && p.values().stream().allMatch(revision::equals);
  }

  List<String> describeLog() {
    return log.stream().map(Executed::describe).toList();
  }

  long count(String description) {
    return describeLog().stream().filter(description::equals).count();
  }

  List<String> events() {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    claimWatch.close();
    pods.close();
    snapshots.close();
    jobs.close();
  }
}
