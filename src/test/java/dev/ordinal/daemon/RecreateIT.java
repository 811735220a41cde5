package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.backup.BackupManager;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RecreateAction;
import dev.ordinal.rollout.RecreateEvent;
import dev.ordinal.rollout.RecreateState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.SnapshotSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import dev.ordinal.testkit.VolumeSimulator;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Growing a StatefulSet's volumes by recreating it, on the real control plane: kube-apiserver (with
 * its PersistentVolumeClaimResize admission and claim validation), the StatefulSet and
 * garbage-collector controllers, and simulators for the kubelet and for the PV binder and CSI
 * resizer. Each case says what changed and what did not: claim sizes, the StatefulSet's uid, the
 * pods' uids and their controller.
 */
@ControlPlaneTest
class RecreateIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> CLAIMS = List.of("data-db-0", "data-db-1", "data-db-2");

  @TempDir Path repo;
  @TempDir Path cacheRepo;

  private KubernetesClient client;
  private String ns;
  private String expandable;
  private String fixed;
  private PodSimulator pods;
  private VolumeSimulator volumes;
  private final List<RecreateEvent> events = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start(KubernetesClient client, TestNamespace ns) {
    this.client = client;
    this.ns = ns.name();
    // StorageClasses are cluster-scoped: named after the test's namespace, so tests do not meet
    this.expandable = storageClass(ns.name() + "-expandable", true);
    this.fixed = storageClass(ns.name() + "-fixed", false);
    this.pods = new PodSimulator(client, ns.name(), Duration.ofMillis(100));
    this.volumes = new VolumeSimulator(client, ns.name(), Duration.ofMillis(200));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    volumes.close();
    pods.close();
    client.storage().v1().storageClasses().withName(expandable).delete();
    client.storage().v1().storageClasses().withName(fixed).delete();
  }

  private String storageClass(String name, boolean allowVolumeExpansion) {
    return VolumeSimulator.createStorageClass(client, name, allowVolumeExpansion);
  }

  /** One Ordinal: its own client and cluster adapter, and one recreator for all its apps. */
  private record Replica(KubeCluster cluster, Recreator recreator) {}

  /**
   * An Ordinal as a fresh process would start: its own client, cluster adapter and recreator, the
   * recreate's state read from the ConfigMap in Ordinal's namespace (here the test's).
   */
  private Replica replica(Consumer<RecreateAction> afterEachAction) {
    KubernetesClient own = ControlPlane.shared().newClient();
    KubeCluster cluster = new KubeCluster(own);
    BackupManager backups = new BackupManager(cluster, Clock.systemUTC());
    closing.add(own);
    closing.add(backups);
    EventBus bus =
        new EventBus()
            .subscribe(
                o -> {
                  if (o.event() instanceof RecreateEvent e) {
                    events.add(e);
                  }
                });
    return new Replica(
        cluster,
        new Recreator(
            cluster, ns, backups, bus, Clock.systemUTC(), Duration.ofMillis(200), afterEachAction));
  }

  /** The sync of {@code app}, which governs the test's namespace, in {@code replica}. */
  private AppSync ordinal(Replica replica, String app, BooleanSupplier mayWrite) {
    return new AppSync(
            app,
            ns,
            new AppBoundary(
                app, Set.of(ns), Set.of(), false, new AppBoundary.Backups(true, Set.of()), true),
            false,
            Loaders.forFixtures(),
            replica.cluster(),
            Clock.systemUTC(),
            mayWrite)
        .recreatingWith(replica.recreator(), TIMEOUT);
  }

  /** A sync as a fresh Ordinal, alone and always allowed to write, would run it. */
  private AppSync ordinal(Consumer<RecreateAction> afterEachAction) {
    return ordinal(replica(afterEachAction), "shop", () -> true);
  }

  private AppSync ordinal() {
    return ordinal(a -> {});
  }

  private SyncResult sync(AppSync sync, String... files) throws Exception {
    try (var old = Files.list(repo)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    for (int i = 0; i < files.length; i++) {
      Files.writeString(repo.resolve("f" + i + ".yaml"), files[i]);
    }
    return sync.sync(LocalDirectory.read(repo));
  }

  private static String optedIn(String size, String storageClass) {
    return Manifests.growable(size, storageClass, "ordinal.dev/immutable-changes: recreate");
  }

  /** Applies {@code manifest} and waits for three Ready pods and three Bound claims. */
  private void running(String... manifest) throws Exception {
    assertInstanceOf(SyncResult.Applied.class, sync(ordinal(), manifest));
    StatefulSets.awaitRolledOut(client, ns, "db", TIMEOUT);
    await("three bound claims", TIMEOUT, () -> bound().size() == 3, this::claims);
  }

  private StatefulSet sts() {
    return client.apps().statefulSets().inNamespace(ns).withName("db").get();
  }

  private Set<String> bound() {
    return client.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
        .filter(c -> c.getStatus() != null && "Bound".equals(c.getStatus().getPhase()))
        .map(c -> c.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  /** Claim to "requested/capacity". */
  private Map<String, String> claims() {
    Map<String, String> sizes = new TreeMap<>();
    for (PersistentVolumeClaim c :
        client.persistentVolumeClaims().inNamespace(ns).list().getItems()) {
      var capacity = c.getStatus() == null ? null : c.getStatus().getCapacity();
      sizes.put(
          c.getMetadata().getName(),
          c.getSpec().getResources().getRequests().get("storage")
              + "/"
              + (capacity == null ? "-" : capacity.get("storage")));
    }
    return sizes;
  }

  private static Map<String, String> all(String requestedAndCapacity) {
    Map<String, String> all = new TreeMap<>();
    CLAIMS.forEach(c -> all.put(c, requestedAndCapacity));
    return all;
  }

  /** Pod name to uid. */
  private Map<String, String> podUids() {
    Map<String, String> uids = new TreeMap<>();
    for (Pod p : client.pods().inNamespace(ns).list().getItems()) {
      uids.put(p.getMetadata().getName(), p.getMetadata().getUid());
    }
    return uids;
  }

  /** Pod name to the uid of its controller (empty when it has none). */
  private Map<String, String> controllers() {
    Map<String, String> owners = new TreeMap<>();
    for (Pod p : client.pods().inNamespace(ns).list().getItems()) {
      owners.put(
          p.getMetadata().getName(),
          p.getMetadata().getOwnerReferences().stream()
              .filter(o -> Boolean.TRUE.equals(o.getController()))
              .map(OwnerReference::getUid)
              .findFirst()
              .orElse(""));
    }
    return owners;
  }

  private static Integer partition(StatefulSet sts) {
    var strategy = sts.getSpec().getUpdateStrategy();
    return strategy == null || strategy.getRollingUpdate() == null
        ? null
        : strategy.getRollingUpdate().getPartition();
  }

  private long steps(RecreateEvent.Step step) {
    return events.stream().filter(e -> e.step() == step).count();
  }

  /** The claims, the StatefulSet and the pods are as before, the recreate left no state. */
  private void nothingChanged(String uid, Map<String, String> podUids) {
    assertEquals(all("1Gi/1Gi"), claims());
    assertEquals(uid, sts().getMetadata().getUid(), "the same StatefulSet");
    assertEquals("1Gi", StatefulSets.claimTemplateStorage(sts()));
    assertEquals(podUids, podUids());
    assertEquals(0, steps(RecreateEvent.Step.CLAIM_PATCHED), "" + events);
    assertNoRecreateInFlight();
  }

  private void assertNoRecreateInFlight() {
    var map = client.configMaps().inNamespace(ns).withName(Recreator.STORE).get();
    assertTrue(
        map == null || map.getData() == null || map.getData().isEmpty(),
        "recreates in flight: " + (map == null ? null : map.getData()));
  }

  /**
   * Grown and recreated: each claim requests and has 2Gi, a new StatefulSet with the 2Gi template
   * controls the same pods, no pod was deleted (not even later, by the controller), and Git's
   * manifest plans as unchanged.
   */
  private void grownAndRecreated(String oldUid, Map<String, String> podUids) throws Exception {
    grownAndRecreated(oldUid, podUids, all("2Gi/2Gi"));
  }

  private void grownAndRecreated(
      String oldUid, Map<String, String> podUids, Map<String, String> claims) throws Exception {
    assertEquals(claims, claims());
    List<StatefulSet> sets = client.apps().statefulSets().inNamespace(ns).list().getItems();
    assertEquals(1, sets.size(), "one StatefulSet");
    StatefulSet recreated = sets.get(0);
    String newUid = recreated.getMetadata().getUid();
    assertNotEquals(oldUid, newUid, "recreated");
    assertEquals("2Gi", StatefulSets.claimTemplateStorage(recreated));
    await(
        "the new StatefulSet to adopt the pods",
        TIMEOUT,
        () -> controllers().values().stream().allMatch(newUid::equals),
        this::controllers);
    StatefulSets.awaitRolledOut(client, ns, "db", TIMEOUT);
    assertEquals(podUids, podUids(), "no pod deleted or replaced");
    assertEquals(
        CLAIMS,
        volumes.resizes().stream().map(VolumeSimulator.Resize::claim).sorted().toList(),
        "each claim grew once");
    assertEquals(3, steps(RecreateEvent.Step.CLAIM_PATCHED), "each claim patched once: " + events);
    assertEquals(1, steps(RecreateEvent.Step.CREATED), "created once: " + events);
    assertEquals(1, steps(RecreateEvent.Step.FINISHED), "" + events);
    assertNoRecreateInFlight();
    AppSync.Planned again = ordinal().plan(LocalDirectory.read(repo));
    assertFalse(again.plan().hasChanges(), again.plan().unifiedDiff());
    assertTrue(again.outsideBoundary().isEmpty(), "" + again.outsideBoundary());
  }

  @Test
  void growingTheClaimsPatchesEachAndRecreatesTheStatefulSetWithNoPodDeleted() throws Exception {
    // Opted in through the policy: the StatefulSet is under it, so its partition and the Git
    // commit of its template are carried to the new one.
    String policy = Manifests.POLICY + "  immutableChanges: recreate\n";
    running(Manifests.growable("1Gi", expandable, "ordinal.dev/policy: canary"), policy);
    StatefulSet old = sts();
    Map<String, String> podUids = podUids();
    assertEquals(Set.of(old.getMetadata().getUid()), Set.copyOf(controllers().values()));

    SyncResult result =
        sync(
            ordinal(), Manifests.growable("2Gi", expandable, "ordinal.dev/policy: canary"), policy);

    assertInstanceOf(SyncResult.Applied.class, result, result.toString());
    grownAndRecreated(old.getMetadata().getUid(), podUids);
    StatefulSet recreated = sts();
    assertEquals(partition(old), partition(recreated), "the partition carried over");
    assertEquals(
        old.getMetadata().getAnnotations().get(Annotations.TEMPLATE_COMMIT),
        recreated.getMetadata().getAnnotations().get(Annotations.TEMPLATE_COMMIT));
  }

  @Test
  void aHeldPartitionIsCarriedOverAndOutlivesTheApplierLeavingItOut() throws Exception {
    String policy = Manifests.POLICY + "  immutableChanges: recreate\n";
    String sts = Manifests.growable("1Gi", expandable, "ordinal.dev/policy: canary");
    running(sts, policy);
    // The rollout side holds every pod, as before a rollout.
    assertInstanceOf(
        Workloads.WriteResult.Written.class,
        new KubeCluster(client).write(sts(), new Workloads.RolloutWrite(3, Map.of(), Set.of())));
    String oldUid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();

    String grown = sts.replace("storage: 1Gi", "storage: 2Gi");
    SyncResult result = sync(ordinal(), grown, policy);

    assertInstanceOf(SyncResult.Applied.class, result, result.toString());
    grownAndRecreated(oldUid, podUids);
    assertEquals(3, partition(sts()), "the hold carried over");
    // A later apply from Git leaves the partition out; it must not reset it to 0.
    SyncResult relabelled =
        sync(
            ordinal(),
            grown.replaceFirst("labels: \\{app: db\\}", "labels: {app: db, tier: data}"),
            policy);
    assertInstanceOf(SyncResult.Applied.class, relabelled, relabelled.toString());
    assertEquals("data", sts().getMetadata().getLabels().get("tier"));
    assertEquals(3, partition(sts()), "the hold outlived the applier's next apply");
    StatefulSets.awaitObserved(client, ns, "db", TIMEOUT);
    assertEquals(podUids, podUids());
  }

  @Test
  void aClaimWhoseFileSystemWaitsForAPodCountsAsGrown() throws Exception {
    volumes.fileSystemResizePending("data-db-1");
    running(optedIn("1Gi", expandable));
    String uid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();

    SyncResult result = sync(ordinal(), optedIn("2Gi", expandable));

    assertInstanceOf(SyncResult.Applied.class, result, result.toString());
    Map<String, String> claims = all("2Gi/2Gi");
    claims.put("data-db-1", "2Gi/1Gi"); // the volume grew; the file system grows on next mount
    grownAndRecreated(uid, podUids, claims);
    assertTrue(
        volumes.resizes().contains(new VolumeSimulator.Resize("data-db-1", "1Gi", "2Gi", true)),
        "" + volumes.resizes());
  }

  @Test
  void aPolicyWithABackupSnapshotsEveryClaimBeforeAnyIsPatched() throws Exception {
    try (SnapshotSimulator snapshots = new SnapshotSimulator(client, ns, Duration.ofMillis(300))) {
      String policy = Manifests.POLICY + "  immutableChanges: recreate\n  backup: {timeout: 60s}\n";
      running(Manifests.growable("1Gi", expandable, "ordinal.dev/policy: canary"), policy);
      String uid = sts().getMetadata().getUid();
      Map<String, String> podUids = podUids();

      SyncResult result =
          sync(
              ordinal(),
              Manifests.growable("2Gi", expandable, "ordinal.dev/policy: canary"),
              policy);

      assertInstanceOf(SyncResult.Applied.class, result, result.toString());
      grownAndRecreated(uid, podUids);
      Map<String, String> taken = new TreeMap<>();
      for (var snapshot : snapshots.snapshots().inNamespace(ns).list().getItems()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
            (Map<String, Object>) snapshot.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        Map<String, Object> source = (Map<String, Object>) spec.get("source");
        taken.put(
            String.valueOf(source.get("persistentVolumeClaimName")),
            String.valueOf(
                ((Map<?, ?>) snapshot.getAdditionalProperties().get("status")).get("readyToUse")));
      }
      assertEquals(
          Map.of("data-db-0", "true", "data-db-1", "true", "data-db-2", "true"),
          taken,
          "a ready snapshot of each claim");
      List<RecreateEvent.Step> order = events.stream().map(RecreateEvent::step).toList();
      assertTrue(
          order.indexOf(RecreateEvent.Step.BACKUP_READY)
                  < order.indexOf(RecreateEvent.Step.CLAIM_PATCHED)
              && order.indexOf(RecreateEvent.Step.BACKUP_REQUESTED) >= 0,
          "the backup was ready before the first claim was patched: " + order);
    }
  }

  @Test
  void aStorageClassWithoutExpansionIsRefusedByNameAndNothingChanges() throws Exception {
    running(optedIn("1Gi", fixed));
    String uid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();

    String why = refusal(sync(ordinal(), optedIn("2Gi", fixed)));

    assertTrue(why.contains("StorageClass " + fixed + " does not allow volume expansion"), why);
    assertTrue(why.contains("data-db-0, data-db-1, data-db-2 cannot grow"), why);
    nothingChanged(uid, podUids);
  }

  @Test
  void aShrinkIsRefusedAndNothingChanges() throws Exception {
    running(optedIn("1Gi", expandable));
    String uid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();

    String why = refusal(sync(ordinal(), optedIn("500Mi", expandable)));

    assertTrue(why.contains("shrinks from 1Gi to 500Mi"), why);
    assertTrue(why.contains("Kubernetes cannot shrink a PersistentVolumeClaim"), why);
    nothingChanged(uid, podUids);
  }

  @Test
  void withoutTheOptInTheRefusalSaysWhatAnOrphanDeleteLeavesAndHowToOptIn() throws Exception {
    running(Manifests.growable("1Gi", expandable, ""));
    String uid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();

    String why = refusal(sync(ordinal(), Manifests.growable("2Gi", expandable, "")));

    assertTrue(why.contains("volumeClaimTemplates"), why);
    assertTrue(why.contains("grows from 1Gi to 2Gi"), why);
    assertTrue(why.contains("the existing PVCs (data-db-N) keep their old size"), why);
    assertTrue(why.contains("allowVolumeExpansion: true"), why);
    assertTrue(why.contains("spec.immutableChanges: recreate"), why);
    assertTrue(why.contains("ordinal.dev/immutable-changes: recreate"), why);
    nothingChanged(uid, podUids);
  }

  private void crashesThenAFreshOrdinalResumes(
      Predicate<RecreateAction> when, RecreateState.Stage recorded) throws Exception {
    running(optedIn("1Gi", expandable));
    String uid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();

    assertThrows(Crash.class, () -> sync(ordinal(Crash.after(when)), optedIn("2Gi", expandable)));
    RecreateState state =
        new Recreator(
                new KubeCluster(client),
                ns,
                null,
                new EventBus(),
                Clock.systemUTC(),
                Duration.ZERO,
                a -> {})
            .recorded(ns, "db")
            .orElseThrow();
    assertEquals(recorded, state.stage(), "recorded in the ConfigMap before the crash");
    assertEquals(uid, state.statefulSetUid());

    SyncResult resumed = sync(ordinal(), optedIn("2Gi", expandable));

    assertInstanceOf(SyncResult.Applied.class, resumed, resumed.toString());
    grownAndRecreated(uid, podUids);
  }

  @Test
  void aCrashBetweenTheClaimPatchesAndTheDeleteResumes() throws Exception {
    crashesThenAFreshOrdinalResumes(
        a ->
            a instanceof RecreateAction.Record r
                && r.next().stage() == RecreateState.Stage.DELETING,
        RecreateState.Stage.DELETING);
  }

  @Test
  void aCrashBetweenTheOrphanDeleteAndTheCreateResumes() throws Exception {
    crashesThenAFreshOrdinalResumes(
        a -> a instanceof RecreateAction.OrphanDelete, RecreateState.Stage.DELETING);
  }

  @Test
  void aCrashAfterTheFirstClaimPatchResumesWithoutPatchingItAgain() throws Exception {
    crashesThenAFreshOrdinalResumes(
        a -> a instanceof RecreateAction.GrowClaim, RecreateState.Stage.RESIZING);
  }

  @Test
  void aCrashBetweenTheCreateAndTheFinishResumes() throws Exception {
    crashesThenAFreshOrdinalResumes(
        a -> a instanceof RecreateAction.Create, RecreateState.Stage.CREATING);
  }

  @Test
  void aCrashPastTheDeleteIsFinishedThoughTheNextCommitIsInvalid() throws Exception {
    running(optedIn("1Gi", expandable));
    String uid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();
    assertThrows(
        Crash.class,
        () ->
            sync(
                ordinal(Crash.after(a -> a instanceof RecreateAction.OrphanDelete)),
                optedIn("2Gi", expandable)));

    SyncResult invalid =
        sync(
            ordinal(),
            optedIn("2Gi", expandable),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n");

    assertInstanceOf(SyncResult.Invalid.class, invalid, invalid.toString());
    assertNotEquals(uid, sts().getMetadata().getUid(), "created from the recorded manifest");
    // Git fixed: nothing left to do
    assertInstanceOf(SyncResult.Applied.class, sync(ordinal(), optedIn("2Gi", expandable)));
    grownAndRecreated(uid, podUids);
  }

  private static String refusal(SyncResult result) {
    return String.join("\n", assertInstanceOf(SyncResult.Refused.class, result).reasons());
  }

  /**
   * Sharded, or with a leader and a standby: the Ordinal that writes for the app loses its Lease
   * right after the orphan delete, and another, which had read the recorded recreates (none) while
   * it held only another app of the namespace, gains the app and finishes the recreate.
   */
  @Test
  void aRecreateMovesWithItsAppToTheOrdinalThatGainsItWithNoStepRepeated() throws Exception {
    running(optedIn("1Gi", expandable));
    String uid = sts().getMetadata().getUid();
    Map<String, String> podUids = podUids();
    AtomicBoolean secondHoldsShop = new AtomicBoolean(false);
    Replica second = replica(a -> {});
    AppSync secondShop = ordinal(second, "shop", secondHoldsShop::get);
    AppSync secondCache = ordinal(second, "cache", () -> true);
    assertInstanceOf(
        SyncResult.Standby.class, sync(secondShop, optedIn("1Gi", expandable)), "a standby");
    Files.writeString(
        cacheRepo.resolve("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cache}\ndata: {size: small}\n");
    assertInstanceOf(
        SyncResult.Applied.class, secondCache.sync(LocalDirectory.read(cacheRepo)), "its own app");

    AtomicBoolean firstHoldsShop = new AtomicBoolean(true);
    AppSync first =
        ordinal(
            replica(
                a -> {
                  if (a instanceof RecreateAction.OrphanDelete) {
                    firstHoldsShop.set(false);
                  }
                }),
            "shop",
            firstHoldsShop::get);
    SyncResult stopped = sync(first, optedIn("2Gi", expandable));

    assertInstanceOf(SyncResult.Standby.class, stopped, stopped.toString());
    assertEquals(1, steps(RecreateEvent.Step.ORPHANED), "" + events);
    assertEquals(0, steps(RecreateEvent.Step.CREATED), "stopped before the create: " + events);

    assertInstanceOf(
        SyncResult.Applied.class, secondCache.sync(LocalDirectory.read(cacheRepo)), "its own app");
    secondHoldsShop.set(true);
    SyncResult resumed = sync(secondShop, optedIn("2Gi", expandable));

    assertInstanceOf(SyncResult.Applied.class, resumed, resumed.toString());
    grownAndRecreated(uid, podUids);
    // The steps of one uninterrupted recreate, none repeated: the second ORPHANED is the record
    // that the old StatefulSet is gone, made by the Ordinal that resumed.
    assertEquals(
        List.of(
            RecreateEvent.Step.STARTED,
            RecreateEvent.Step.CLAIM_PATCHED,
            RecreateEvent.Step.CLAIM_PATCHED,
            RecreateEvent.Step.CLAIM_PATCHED,
            RecreateEvent.Step.CLAIMS_GROWN,
            RecreateEvent.Step.ORPHANED,
            RecreateEvent.Step.ORPHANED,
            RecreateEvent.Step.CREATED,
            RecreateEvent.Step.FINISHED),
        events.stream().map(RecreateEvent::step).toList(),
        "" + events);
  }
}
