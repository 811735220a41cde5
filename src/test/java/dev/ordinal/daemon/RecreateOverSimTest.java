package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.backup.BackupManager;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RecreateAction;
import dev.ordinal.rollout.RecreateEvent;
import dev.ordinal.rollout.RecreateState;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recreate path of the sync, over the in-memory cluster: an opted-in volume growth patches
 * every claim, replaces the StatefulSet and keeps every pod; an Ordinal stopped after any step
 * resumes in a fresh instance from the recorded state, repeating no side effect.
 */
class RecreateOverSimTest {
  private static final String NS = "shop";
  private static final String KEY = NS + "/db";

  @TempDir Path repo;
  @TempDir Path cacheRepo; // one folder per other app

  private final SimCluster cluster =
      new SimCluster(new SimClock(Instant.now(), 1), Duration.ofMillis(10))
          .storageClass("expandable", true)
          .storageClass("fixed", false);
  private final BackupManager backups = new BackupManager(cluster, cluster.clock());
  private final List<RecreateEvent> events = new CopyOnWriteArrayList<>();
  private final EventBus bus =
      new EventBus()
          .subscribe(
              o -> {
                if (o.event() instanceof RecreateEvent e) {
                  events.add(e);
                }
              });

  @AfterEach
  void close() throws Exception {
    backups.close();
    cluster.close();
  }

  private static String sts(String size, String storageClass, String optIn) {
    return Manifests.growable(
        size, storageClass, optIn.isEmpty() ? "" : "ordinal.dev/immutable-changes: " + optIn);
  }

  private SyncResult sync(String manifest, boolean recreates, Consumer<RecreateAction> hook)
      throws Exception {
    Files.writeString(repo.resolve("sts.yaml"), manifest);
    return appSync("shop", recreates, () -> true, recreator(hook)).sync(LocalDirectory.read(repo));
  }

  /** A sync of {@code app}, governing {@value #NS}, as an Ordinal that may write when told. */
  private AppSync appSync(
      String app, boolean recreates, BooleanSupplier mayWrite, Recreator recreator) {
    AppSync sync =
        new AppSync(
            app,
            NS,
            new AppBoundary(app, Set.of(NS), Set.of(), false, AppBoundary.Backups.NONE, recreates),
            false,
            Loaders.forFixtures(),
            cluster,
            cluster.clock(),
            mayWrite);
    sync.recreatingWith(recreator, Duration.ofSeconds(5));
    return sync;
  }

  private Recreator recreator(Consumer<RecreateAction> hook) {
    return new Recreator(
        cluster, "ordinal", backups, bus, cluster.clock(), Duration.ofMillis(5), hook);
  }

  /** Syncs another app of the namespace, whose repository holds one ConfigMap of its name. */
  private SyncResult syncCache(AppSync other) throws Exception {
    Path dir = Files.createDirectories(cacheRepo.resolve(other.app()));
    Files.writeString(
        dir.resolve("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "
            + other.app()
            + "}\ndata: {size: small}\n");
    return other.sync(LocalDirectory.read(dir));
  }

  /**
   * The recreate was finished once: the new StatefulSet's claims are 2Gi and every pod is the one
   * it was ({@code pods}).
   */
  private void recreatedOnceKeeping(Map<String, String> pods, String why) {
    assertEquals("2Gi", StatefulSets.claimTemplateStorage(live()));
    assertEquals(pods, pods());
    assertEquals(1, finishes(), why + events);
  }

  private long finishes() {
    return events.stream().filter(e -> e.step() == RecreateEvent.Step.FINISHED).count();
  }

  private SyncResult sync(String manifest) throws Exception {
    return sync(manifest, true, a -> {});
  }

  /** Applies the opted-in StatefulSet with 1Gi claims and waits for its three pods. */
  private void runningAt1Gi() throws Exception {
    assertInstanceOf(SyncResult.Applied.class, sync(sts("1Gi", "expandable", "recreate")));
    awaitThreePods();
  }

  private void awaitThreePods() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pods().size() < 3 || claims().size() < 3) {
      assertTrue(System.nanoTime() < deadline, "pods " + pods() + " claims " + claims());
      Thread.sleep(10);
    }
  }

  private StatefulSet live() {
    return cluster.statefulSet(KEY, Workloads.Read.FRESH).orElseThrow();
  }

  /** Pod name to uid. */
  private Map<String, String> pods() {
    Map<String, String> uids = new TreeMap<>();
    cluster
        .statefulSet(KEY, Workloads.Read.FRESH)
        .ifPresent(
            s -> {
              for (Pod p : cluster.pods(s, Workloads.Read.FRESH)) {
                uids.put(p.getMetadata().getName(), p.getMetadata().getUid());
              }
            });
    return uids;
  }

  /** Claim name to requested storage. */
  private Map<String, String> claims() {
    Map<String, String> sizes = new TreeMap<>();
    for (PersistentVolumeClaim c : cluster.claims(NS)) {
      sizes.put(
          c.getMetadata().getName(),
          c.getSpec().getResources().getRequests().get("storage").toString());
    }
    return sizes;
  }

  private long patches() {
    return events.stream().filter(e -> e.step() == RecreateEvent.Step.CLAIM_PATCHED).count();
  }

  @Test
  void growingTheClaimsRecreatesTheStatefulSetAndKeepsEveryPod() throws Exception {
    runningAt1Gi();
    String oldUid = live().getMetadata().getUid();
    Map<String, String> pods = pods();

    SyncResult.Applied grown =
        assertInstanceOf(SyncResult.Applied.class, sync(sts("2Gi", "expandable", "recreate")));

    assertEquals(1, grown.updated(), grown.toString());
    assertNotEquals(oldUid, live().getMetadata().getUid(), "a new StatefulSet");
    assertEquals("2Gi", StatefulSets.claimTemplateStorage(live()));
    assertEquals(
        Map.of("data-db-0", "2Gi", "data-db-1", "2Gi", "data-db-2", "2Gi"), claims(), "grown");
    assertEquals(pods, pods(), "no pod replaced");
    assertEquals(3, patches(), "each claim patched once: " + events);
    assertTrue(
        new Recreator(cluster, "ordinal", backups, bus, cluster.clock(), Duration.ZERO, a -> {})
            .recorded(NS, "db")
            .isEmpty(),
        "the finished recreate is forgotten");
    SyncResult.Applied again =
        assertInstanceOf(SyncResult.Applied.class, sync(sts("2Gi", "expandable", "recreate")));
    assertEquals(1, again.unchanged(), "the diff is clean after the recreate: " + again);
  }

  private void crashesAndResumes(Predicate<RecreateAction> when) throws Exception {
    runningAt1Gi();
    String oldUid = live().getMetadata().getUid();
    Map<String, String> pods = pods();

    assertThrows(
        Crash.class, () -> sync(sts("2Gi", "expandable", "recreate"), true, Crash.after(when)));
    SyncResult resumed = sync(sts("2Gi", "expandable", "recreate"));

    assertInstanceOf(SyncResult.Applied.class, resumed, resumed.toString());
    assertNotEquals(oldUid, live().getMetadata().getUid());
    assertEquals(
        Map.of("data-db-0", "2Gi", "data-db-1", "2Gi", "data-db-2", "2Gi"), claims(), "grown");
    assertEquals(pods, pods(), "no pod lost or replaced");
    assertEquals(3, patches(), "each claim patched once: " + events);
    assertEquals(
        1,
        events.stream().filter(e -> e.step() == RecreateEvent.Step.CREATED).count(),
        "created once: " + events);
    assertEquals(1, finishes(), "" + events);
  }

  /**
   * A new serviceName: the StatefulSet is recreated and its pod template stamped so the pods roll.
   * Ordinal is stopped after {@code when}, and a fresh instance syncs {@code resumeWith}.
   */
  private void aNewServiceNameCrashesAndResumes(Predicate<RecreateAction> when, String resumeWith)
      throws Exception {
    runningAt1Gi();
    String oldUid = live().getMetadata().getUid();
    String renamed =
        sts("1Gi", "expandable", "recreate").replace("serviceName: db", "serviceName: db-v2");

    assertThrows(Crash.class, () -> sync(renamed, true, Crash.after(when)));
    SyncResult resumed = sync(resumeWith);

    assertInstanceOf(SyncResult.Applied.class, resumed, resumed.toString());
    assertNotEquals(oldUid, live().getMetadata().getUid());
    assertEquals("db-v2", live().getSpec().getServiceName());
    assertTrue(
        live()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .containsKey(Annotations.RECREATED_AT),
        "the pod template is stamped, so the pods roll");
    for (RecreateEvent.Step step :
        List.of(
            RecreateEvent.Step.CREATED,
            RecreateEvent.Step.PODS_RESTARTED,
            RecreateEvent.Step.FINISHED)) {
      assertEquals(
          1, events.stream().filter(e -> e.step() == step).count(), step + " once: " + events);
    }
    assertTrue(
        new Recreator(cluster, "ordinal", backups, bus, cluster.clock(), Duration.ZERO, a -> {})
            .recorded(NS, "db")
            .isEmpty(),
        "the finished recreate is forgotten");
  }

  @Test
  void aCrashAfterTheStateIsCarriedOverStillRollsThePods() throws Exception {
    String renamed =
        sts("1Gi", "expandable", "recreate").replace("serviceName: db", "serviceName: db-v2");
    aNewServiceNameCrashesAndResumes(a -> a instanceof RecreateAction.Finish, renamed);
  }

  @Test
  void aCrashAfterTheStampFinishesWithoutStampingAgain() throws Exception {
    String renamed =
        sts("1Gi", "expandable", "recreate").replace("serviceName: db", "serviceName: db-v2");
    aNewServiceNameCrashesAndResumes(a -> a instanceof RecreateAction.Restart, renamed);
  }

  @Test
  void aCommitDroppingTheOptInAfterTheCreateStillRollsThePods() throws Exception {
    String renamedWithoutOptIn =
        sts("1Gi", "expandable", "").replace("serviceName: db", "serviceName: db-v2");
    aNewServiceNameCrashesAndResumes(a -> a instanceof RecreateAction.Finish, renamedWithoutOptIn);
  }

  @Test
  void aCrashAfterTheFirstClaimPatchResumes() throws Exception {
    crashesAndResumes(a -> a instanceof RecreateAction.GrowClaim);
  }

  @Test
  void aCrashBetweenThePatchesAndTheDeleteResumes() throws Exception {
    crashesAndResumes(
        a ->
            a instanceof RecreateAction.Record r
                && r.next().stage() == RecreateState.Stage.DELETING);
  }

  @Test
  void aCrashBetweenTheOrphanDeleteAndTheCreateResumes() throws Exception {
    crashesAndResumes(a -> a instanceof RecreateAction.OrphanDelete);
  }

  @Test
  void aCrashBetweenTheCreateAndTheFinishResumes() throws Exception {
    crashesAndResumes(a -> a instanceof RecreateAction.Create);
  }

  /** Starts growing the claims to 2Gi and stops the process right after the orphan delete. */
  private void crashPastTheOrphanDeleteOfAGrowth() {
    assertThrows(
        Crash.class,
        () ->
            sync(
                sts("2Gi", "expandable", "recreate"),
                true,
                Crash.after(a -> a instanceof RecreateAction.OrphanDelete)));
    assertTrue(cluster.statefulSet(KEY, Workloads.Read.FRESH).isEmpty(), "deleted, not created");
  }

  @Test
  void aRecreateKilledPastItsDeleteIsFinishedThoughTheNextCommitIsInvalid() throws Exception {
    runningAt1Gi();
    String oldUid = live().getMetadata().getUid();
    Map<String, String> pods = pods();
    crashPastTheOrphanDeleteOfAGrowth();

    SyncResult invalid =
        sync(
            sts("2Gi", "expandable", "recreate")
                + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n");

    assertInstanceOf(SyncResult.Invalid.class, invalid, invalid.toString());
    assertNotEquals(oldUid, live().getMetadata().getUid(), "created from the recorded manifest");
    recreatedOnceKeeping(pods, "");
  }

  @Test
  void anotherAppOfTheNamespaceLeavesARecreateKilledPastItsDeleteToTheAppThatStartedIt()
      throws Exception {
    runningAt1Gi();
    Map<String, String> pods = pods();
    crashPastTheOrphanDeleteOfAGrowth();

    // A second app governs the same namespace; its syncs run beside the first app's.
    SyncResult otherResult = syncCache(appSync("cache", true, () -> true, recreator(a -> {})));
    assertInstanceOf(SyncResult.Applied.class, otherResult, otherResult.toString());
    assertTrue(
        cluster.statefulSet(KEY, Workloads.Read.FRESH).isEmpty(),
        "the other app's sync left the recreate alone");
    assertEquals(0, finishes(), "" + events);

    assertInstanceOf(SyncResult.Applied.class, sync(sts("2Gi", "expandable", "recreate")));
    recreatedOnceKeeping(pods, "");
  }

  @Test
  void anOrdinalThatGainsTheAppFinishesTheRecreateItsLastHolderLeftPastTheDelete()
      throws Exception {
    runningAt1Gi();
    Map<String, String> pods = pods();
    // A second Ordinal holds the cache app's shard, not the shop app's; one recreator serves both
    // of its apps, and it read the recorded recreates (none) before the first Ordinal died.
    AtomicBoolean holdsShop = new AtomicBoolean(false);
    Recreator second = recreator(a -> {});
    AppSync secondShop = appSync("shop", true, holdsShop::get, second);
    AppSync secondCache = appSync("cache", true, () -> true, second);
    SyncResult standby = secondShop.sync(LocalDirectory.read(repo));
    assertInstanceOf(SyncResult.Standby.class, standby, standby.toString());
    assertInstanceOf(SyncResult.Applied.class, syncCache(secondCache));

    crashPastTheOrphanDeleteOfAGrowth();
    assertInstanceOf(SyncResult.Applied.class, syncCache(secondCache));
    holdsShop.set(true); // the dead Ordinal's shard Lease ran out, and the second one took it

    SyncResult resumed = secondShop.sync(LocalDirectory.read(repo));

    assertInstanceOf(SyncResult.Applied.class, resumed, resumed.toString());
    recreatedOnceKeeping(pods, "finished from the recorded state: ");
    assertTrue(cluster.recreateStore("ordinal", Recreator.STORE).all().isEmpty());
  }

  @Test
  void anOrdinalThatLosesTheAppMidRecreateStopsBeforeItsNextStepAndTheNewHolderFinishes()
      throws Exception {
    runningAt1Gi();
    String oldUid = live().getMetadata().getUid();
    Map<String, String> pods = pods();
    Files.writeString(repo.resolve("sts.yaml"), sts("2Gi", "expandable", "recreate"));
    // Its Lease runs out right after it patched the first claim.
    AtomicBoolean holds = new AtomicBoolean(true);
    AppSync first =
        appSync(
            "shop",
            true,
            holds::get,
            recreator(
                a -> {
                  if (a instanceof RecreateAction.GrowClaim) {
                    holds.set(false);
                  }
                }));

    SyncResult stopped = first.sync(LocalDirectory.read(repo));

    assertInstanceOf(SyncResult.Standby.class, stopped, stopped.toString());
    assertEquals(1, patches(), "stopped before its second claim: " + events);
    assertEquals(oldUid, live().getMetadata().getUid(), "the StatefulSet is not replaced");

    SyncResult finished =
        appSync("shop", true, () -> true, recreator(a -> {})).sync(LocalDirectory.read(repo));

    assertInstanceOf(SyncResult.Applied.class, finished, finished.toString());
    assertEquals(3, patches(), "each claim patched once: " + events);
    assertEquals(1, finishes(), "" + events);
    assertNotEquals(oldUid, live().getMetadata().getUid());
    assertEquals(pods, pods());
  }

  @Test
  void anOrdinalThatLosesTheAppWhileFinishingAnOrphanStopsBeforeItsFirstStep() throws Exception {
    runningAt1Gi();
    Map<String, String> pods = pods();
    crashPastTheOrphanDeleteOfAGrowth();
    // It may write when its sync starts, and no longer when the recreate's first step is due.
    AtomicInteger asked = new AtomicInteger();
    AppSync losing = appSync("shop", true, () -> asked.getAndIncrement() == 0, recreator(a -> {}));
    Files.writeString(repo.resolve("sts.yaml"), sts("2Gi", "expandable", "recreate"));

    SyncResult stopped = losing.sync(LocalDirectory.read(repo));

    assertInstanceOf(SyncResult.Standby.class, stopped, stopped.toString());
    assertTrue(cluster.statefulSet(KEY, Workloads.Read.FRESH).isEmpty(), "not created");
    assertEquals(
        1, cluster.recreateStore("ordinal", Recreator.STORE).all().size(), "still recorded");
    assertInstanceOf(SyncResult.Applied.class, sync(sts("2Gi", "expandable", "recreate")));
    assertEquals(pods, pods());
    assertEquals(1, finishes(), "" + events);
  }

  @Test
  void aRecreateWhoseAppLeftTheConfigIsFinishedByTheFirstAppOfItsNamespaceAlone() throws Exception {
    // The shop app was removed from the config; two others govern its namespace.
    adoptedByTheFirstAppOfTheNamespace(Map.of("cache", Set.of(NS), "other", Set.of(NS)));
  }

  @Test
  void aRecreateWhoseAppNoLongerGovernsItsNamespaceIsAdoptedAsWell() throws Exception {
    adoptedByTheFirstAppOfTheNamespace(
        Map.of("shop", Set.of("elsewhere"), "cache", Set.of(NS), "other", Set.of(NS)));
  }

  private void adoptedByTheFirstAppOfTheNamespace(Map<String, Set<String>> configured)
      throws Exception {
    runningAt1Gi();
    Map<String, String> pods = pods();
    crashPastTheOrphanDeleteOfAGrowth();

    SyncResult other =
        syncCache(
            appSync("other", true, () -> true, recreator(a -> {}).configuredApps(configured)));

    assertInstanceOf(SyncResult.Applied.class, other, other.toString());
    assertTrue(cluster.statefulSet(KEY, Workloads.Read.FRESH).isEmpty(), "left to the first app");
    assertEquals(0, finishes(), "" + events);

    SyncResult cache =
        syncCache(
            appSync("cache", true, () -> true, recreator(a -> {}).configuredApps(configured)));

    assertInstanceOf(SyncResult.Applied.class, cache, cache.toString());
    recreatedOnceKeeping(pods, "");
  }

  @Test
  void aClassWithoutExpansionAShrinkAndAMissingOptInOrBoundaryAreRefusedChangingNothing()
      throws Exception {
    assertInstanceOf(SyncResult.Applied.class, sync(sts("1Gi", "fixed", "recreate")));
    awaitThreePods();
    String uid = live().getMetadata().getUid();

    String fixed = refusal(sync(sts("2Gi", "fixed", "recreate")));
    assertTrue(fixed.contains("StorageClass fixed does not allow volume expansion"), fixed);

    String shrink = refusal(sync(sts("500Mi", "fixed", "recreate")));
    assertTrue(shrink.contains("Kubernetes cannot shrink a PersistentVolumeClaim"), shrink);

    String absent = refusal(sync(sts("2Gi", "fixed", "")));
    assertTrue(absent.contains("ordinal.dev/immutable-changes: recreate"), absent);
    assertTrue(absent.contains("keep their old size"), absent);

    String boundary = refusal(sync(sts("2Gi", "fixed", "recreate"), false, a -> {}));
    assertTrue(boundary.contains("apps[shop].boundary.recreates: true"), boundary);

    assertEquals(uid, live().getMetadata().getUid());
    assertEquals(
        Map.of("data-db-0", "1Gi", "data-db-1", "1Gi", "data-db-2", "1Gi"), claims(), "unchanged");
    assertEquals(0, patches());
  }

  private static String refusal(SyncResult result) {
    return String.join("\n", assertInstanceOf(SyncResult.Refused.class, result).reasons());
  }
}
