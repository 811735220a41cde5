package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.manifest.AnalysisTemplate.Header;
import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.SecretKeyRef;
import dev.ordinal.manifest.RolloutPolicy.Analysis;
import dev.ordinal.manifest.RolloutPolicy.AnalysisStep;
import dev.ordinal.manifest.RolloutPolicy.Canary;
import dev.ordinal.manifest.RolloutPolicy.Pause;
import dev.ordinal.manifest.RolloutPolicy.Percent;
import dev.ordinal.manifest.RolloutPolicy.Replicas;
import dev.ordinal.testkit.Loaders;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ManifestLoaderTest {

  private static DesiredState loadValidApp() throws Exception {
    Path app = Path.of(ManifestLoaderTest.class.getResource("/manifest/valid/app").toURI());
    LoadResult result = Loaders.forFixtures().load(LocalDirectory.read(app));
    if (result instanceof LoadResult.Invalid invalid) {
      throw new AssertionError("expected a valid tree: " + invalid.errors());
    }
    return ((LoadResult.Loaded) result).state();
  }

  private static ManifestObject object(DesiredState state, String kind, String name) {
    return state.objects().stream()
        .filter(o -> o.resource().getKind().equals(kind))
        .filter(o -> o.resource().getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @Test
  void aCopyOfEveryLoadedObjectEqualsItAndSharesNothingMutableWithIt() throws Exception {
    DesiredState state = loadValidApp();
    for (ManifestObject object : state.objects()) {
      HasMetadata original = object.resource();
      HasMetadata copy = Loaders.forFixtures().copy(original);
      assertEquals(original, copy, original.getKind());
      assertEquals(original.getClass(), copy.getClass());
      Map<String, String> labels = copy.getMetadata().getLabels();
      if (labels == null || labels.isEmpty()) {
        // The shared immutable empty map: a change replaces it.
        copy.getMetadata().setLabels(new HashMap<>(Map.of("changed", "yes")));
      } else {
        labels.put("changed", "yes");
      }
      assertFalse(
          original.getMetadata().getLabels() != null
              && original.getMetadata().getLabels().containsKey("changed"),
          original.getKind() + " changed with its copy");
    }
  }

  @Test
  void aMetadataCopyEqualsItsOriginalAndOwnsOnlyItsMetadataAndUpdateStrategy() throws Exception {
    ManifestLoader loader = Loaders.forFixtures();
    byte[] held =
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: held, labels: {app: held}}
        spec:
          serviceName: held
          selector: {matchLabels: {app: held}}
          updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}
          template:
            metadata: {labels: {app: held}}
            spec: {containers: [{name: db, image: "registry.local/db:1"}]}
        """
            .getBytes(StandardCharsets.UTF_8);
    SourceEntry entry = new SourceEntry("held.yaml", LocalDirectory.gitBlobId(held));
    LoadResult heldLoad = loader.load(new SourceTree("r", List.of(entry), e -> held));
    List<ManifestObject> objects = new ArrayList<>(loadValidApp().objects());
    objects.addAll(((LoadResult.Loaded) heldLoad).state().objects());
    for (ManifestObject object : objects) {
      HasMetadata original = object.resource();
      String before = KubernetesObjects.MAPPER.writeValueAsString(original);
      HasMetadata copy = loader.copyMetadata(original);
      assertEquals(original, copy, original.getKind());
      assertEquals(original.getClass(), copy.getClass());
      assertNotSame(original.getMetadata(), copy.getMetadata(), original.getKind());
      copy.getMetadata().setLabels(Map.of("changed", "yes"));
      copy.getMetadata().setNamespace("elsewhere");
      if (copy instanceof StatefulSet sts) {
        StatefulSet source = (StatefulSet) original;
        assertSame(source.getSpec().getTemplate(), sts.getSpec().getTemplate());
        assertSame(
            source.getSpec().getVolumeClaimTemplates(), sts.getSpec().getVolumeClaimTemplates());
        sts.getSpec().setReplicas(99);
        if (sts.getSpec().getUpdateStrategy() != null) {
          assertNotSame(source.getSpec().getUpdateStrategy(), sts.getSpec().getUpdateStrategy());
          sts.getSpec().getUpdateStrategy().setType("OnDelete");
          if (sts.getSpec().getUpdateStrategy().getRollingUpdate() != null) {
            sts.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(7);
          }
        }
      }
      assertEquals(
          before, KubernetesObjects.MAPPER.writeValueAsString(original), original.getKind());
    }
  }

  @Test
  void wellKnownKindsBecomeTypedModelObjectsAndOthersGeneric() throws Exception {
    DesiredState state = loadValidApp();

    assertEquals("local", state.revision());
    assertEquals(14, state.objects().size());
    Map<String, Class<?>> expected =
        Map.ofEntries(
            Map.entry("StatefulSet/db", StatefulSet.class),
            Map.entry("Service/db", Service.class),
            Map.entry("Namespace/prod", Namespace.class),
            Map.entry("ConfigMap/db-config", ConfigMap.class),
            Map.entry("Secret/db-credentials", Secret.class),
            Map.entry("PersistentVolumeClaim/backups", PersistentVolumeClaim.class),
            Map.entry("Deployment/pgbouncer", Deployment.class),
            Map.entry("PodDisruptionBudget/db", PodDisruptionBudget.class),
            Map.entry("ServiceMonitor/db", GenericKubernetesResource.class),
            Map.entry("ServiceAccount/db", ServiceAccount.class),
            Map.entry("Role/db-leader-election", Role.class),
            Map.entry("RoleBinding/db-leader-election", RoleBinding.class));
    expected.forEach(
        (kindAndName, type) -> {
          String[] parts = kindAndName.split("/");
          assertInstanceOf(type, object(state, parts[0], parts[1]).resource(), kindAndName);
        });
  }

  @Test
  void objectsKeepTheirContentAndWhereTheyCameFrom() throws Exception {
    DesiredState state = loadValidApp();

    StatefulSet db = (StatefulSet) object(state, "StatefulSet", "db").resource();
    assertEquals(5, db.getSpec().getReplicas());
    assertEquals(
        "postgres:16.4", db.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertEquals(
        new Quantity("10Gi"),
        db.getSpec()
            .getVolumeClaimTemplates()
            .get(0)
            .getSpec()
            .getResources()
            .getRequests()
            .get("storage"));

    // Multi-document files: each document's first line, past comments and empty documents.
    assertEquals(
        new SourceLocation("statefulset.yaml", 2), object(state, "StatefulSet", "db").source());
    assertEquals(
        new SourceLocation("statefulset.yaml", 40), object(state, "StatefulSet", "cache").source());
    assertEquals(
        new SourceLocation("statefulset.yaml", 62), object(state, "StatefulSet", "queue").source());
    assertEquals(
        new SourceLocation("config.yml", 61), object(state, "ServiceMonitor", "db").source());
    assertEquals(
        new SourceLocation("rbac/rbac.yaml", 17),
        object(state, "RoleBinding", "db-leader-election").source());

    // JSON is read as YAML.
    Service service = (Service) object(state, "Service", "db").resource();
    assertEquals(new SourceLocation("service.json", 1), object(state, "Service", "db").source());
    assertEquals("pg", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());

    GenericKubernetesResource monitor =
        (GenericKubernetesResource) object(state, "ServiceMonitor", "db").resource();
    assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
    assertTrue(monitor.getAdditionalProperties().containsKey("spec"));

    // Objects come in path order, then document order.
    assertEquals(
        List.of("config.yml", "rbac/rbac.yaml", "service.json", "statefulset.yaml"),
        state.objects().stream().map(o -> o.source().file()).distinct().toList());
    assertEquals(
        List.of("db", "cache", "queue"),
        state.statefulSets().stream().map(o -> o.resource().getMetadata().getName()).toList());
  }

  @Test
  void emptyMapsAndListsAreSharedAndFilledOnesStay() throws Exception {
    DesiredState state = loadValidApp();
    StatefulSet db = (StatefulSet) object(state, "StatefulSet", "db").resource();
    Map<String, Object> extras = db.getAdditionalProperties();
    assertTrue(extras.isEmpty());
    assertSame(extras, db.getMetadata().getAdditionalProperties(), "one map, not one per object");
    assertSame(extras, db.getSpec().getTemplate().getSpec().getAdditionalProperties());
    assertSame(
        db.getMetadata().getFinalizers(),
        db.getSpec().getTemplate().getSpec().getInitContainers(),
        "two absent lists are one shared list");
    assertFalse(db.getSpec().getTemplate().getSpec().getContainers().isEmpty());
    assertSame(
        db.getSpec().getTemplate().getSpec().getNodeSelector(),
        db.getSpec().getTemplate().getSpec().getOverhead(),
        "two absent maps are one shared map");
    assertTrue(db.getSpec().getTemplate().getSpec().getNodeSelector().isEmpty());
    assertFalse(db.getMetadata().getLabels().isEmpty(), "a filled map stays");

    // A custom resource keeps its whole body there, as fabric8 reads it.
    GenericKubernetesResource monitor =
        (GenericKubernetesResource) object(state, "ServiceMonitor", "db").resource();
    assertTrue(monitor.getAdditionalProperties().containsKey("spec"));

    // A copy for decoration reads the same, shared empties and all: they are replaced, never added
    // to.
    StatefulSet copy = (StatefulSet) Loaders.forFixtures().copy(db);
    assertEquals(db, copy);
    assertThrows(
        UnsupportedOperationException.class, () -> copy.getMetadata().getFinalizers().add("x"));
    // This guards an assumption, not the change: fabric8's builders copy into lists and maps of
    // their own, so an object built from a loaded one can take fields again.
    StatefulSet rebuilt = new StatefulSetBuilder(db).build();
    rebuilt.setAdditionalProperty("x-note", "kept");
    rebuilt.getMetadata().getFinalizers().add("example.com/kept");
    rebuilt.getSpec().getTemplate().getSpec().getNodeSelector().put("zone", "a");
    assertEquals("kept", rebuilt.getAdditionalProperties().get("x-note"));
    assertEquals(List.of("example.com/kept"), rebuilt.getMetadata().getFinalizers());
    assertEquals(Map.of("zone", "a"), rebuilt.getSpec().getTemplate().getSpec().getNodeSelector());
    assertTrue(db.getAdditionalProperties().isEmpty(), "the loaded object is untouched");
  }

  @Test
  void policiesAreParsedWithDefaults() throws Exception {
    DesiredState state = loadValidApp();
    assertEquals(List.of("db-canary", "cache-rollout"), List.copyOf(state.policies().keySet()));

    RolloutPolicy canary = state.policies().get("db-canary");
    assertEquals(Optional.of("prod"), canary.namespace());
    assertEquals(Optional.of(Map.of("app", "db")), canary.matchLabels());
    assertEquals(Duration.ofSeconds(900), canary.progressDeadline());
    Analysis errorRate =
        new Analysis(List.of("error-rate"), List.of(new AnalysisArg("service", Optional.of("db"))));
    assertEquals(
        List.of(
            new Canary(new Replicas(1)),
            new Pause(Optional.of(Duration.ofSeconds(30))),
            new AnalysisStep(errorRate),
            new Canary(new Percent(50)),
            new Pause(Optional.empty())),
        canary.steps());
    assertTrue(((Pause) canary.steps().get(4)).isManualGate());
    assertEquals(Optional.of(errorRate), canary.backgroundAnalysis());
    RolloutPolicy.Backup backup = canary.backup().orElseThrow();
    assertEquals(Optional.of("csi-snapclass"), backup.volumeSnapshotClassName());
    assertEquals(List.of("data"), backup.volumeClaimTemplates());
    assertEquals(5, backup.keep());
    assertEquals(Duration.ofMinutes(15), backup.timeout());
    assertEquals(RolloutPolicy.RestoreMode.AUTO, backup.restoreOnRollback());
    assertEquals(
        Optional.of(
            new RolloutPolicy.ExecHook(
                List.of("sh", "-c", "psql -c CHECKPOINT"),
                Optional.of("db"),
                Duration.ofSeconds(20))),
        backup.quiesce());
    RolloutPolicy.JobHook resume = (RolloutPolicy.JobHook) backup.resume().orElseThrow();
    assertEquals(Duration.ofMinutes(2), resume.timeout());
    assertTrue(resume.template().contains("registry.local/thaw:1"), resume.template());

    RolloutPolicy cache = state.policies().get("cache-rollout");
    assertEquals(Optional.empty(), cache.namespace());
    assertEquals(Duration.ofSeconds(600), cache.progressDeadline());
    assertEquals(Optional.empty(), cache.backgroundAnalysis());
    assertEquals(Optional.empty(), cache.backup());
    assertEquals(
        List.of(new Canary(new Percent(34)), new Pause(Optional.of(Duration.ofMinutes(5)))),
        cache.steps());
  }

  @Test
  void templatesAreParsedWithDefaults() throws Exception {
    AnalysisTemplate template = loadValidApp().templates().get("error-rate");

    assertEquals(
        List.of(
            new AnalysisArg("service", Optional.empty()),
            new AnalysisArg("threshold", Optional.of("0.05"))),
        template.args());
    Metric errors = template.metrics().get(0);
    assertEquals(
        new Metric(
            "error-rate",
            Optional.of(Duration.ofSeconds(30)),
            OptionalInt.of(5),
            Optional.of(Duration.ofSeconds(90)),
            Optional.of("result[0] < 0.05"),
            Optional.of("result[0] >= 0.05"),
            1,
            0,
            4,
            0,
            false,
            new Prometheus(
                URI.create("http://prometheus.monitoring:9090"),
                "sum(rate(http_errors{service=\"{{args.service}}\"}[1m])) > {{ args.threshold }}",
                Optional.of(Duration.ofSeconds(10)),
                List.of(new Header("X-Scope-OrgID", "t1")),
                Optional.empty(),
                Optional.of(new SecretKeyRef("prom", "token")))),
        errors);

    Metric saturation = template.metrics().get(1);
    assertEquals(Optional.empty(), saturation.successCondition());
    assertEquals(Optional.empty(), saturation.interval());
    assertEquals(OptionalInt.empty(), saturation.count());
    assertEquals(0, saturation.failureLimit());
    assertEquals(4, saturation.consecutiveErrorLimit());
    assertTrue(saturation.dryRun());
    Prometheus prometheus = (Prometheus) saturation.provider();
    assertEquals(Optional.of("example"), prometheus.server());
    assertEquals(Optional.empty(), prometheus.explicitAddress());
    assertEquals(List.of(), prometheus.headers());
  }

  @Test
  void annotationWinsOverSelectorsAndUnmatchedStatefulSetsAreUngoverned() throws Exception {
    DesiredState state = loadValidApp();

    assertEquals(
        "db-canary",
        state.policyFor(object(state, "StatefulSet", "db").resource()).orElseThrow().name());
    assertEquals(
        "cache-rollout",
        state.policyFor(object(state, "StatefulSet", "cache").resource()).orElseThrow().name());
    assertEquals(
        Optional.empty(), state.policyFor(object(state, "StatefulSet", "queue").resource()));

    // The annotation overrides a selector that would pick another policy.
    HasMetadata annotated =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName("cache2")
            .withNamespace("prod")
            .addToLabels("tier", "memory")
            .addToAnnotations("ordinal.dev/policy", "db-canary")
            .endMetadata()
            .build();
    assertEquals("db-canary", state.policyFor(annotated).orElseThrow().name());

    // A namespaced policy's selector does not reach other namespaces.
    HasMetadata elsewhere =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName("db")
            .withNamespace("staging")
            .addToLabels("app", "db")
            .endMetadata()
            .build();
    assertEquals(Optional.empty(), state.policyFor(elsewhere));

    HasMetadata unknown =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName("x")
            .addToAnnotations("ordinal.dev/policy", "nope")
            .endMetadata()
            .build();
    assertThrows(IllegalArgumentException.class, () -> state.policyFor(unknown));
  }

  private static final String CONFIG_MAP =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: %s
      data:
        key: "%s"
      """;

  @Test
  void secondLoadOfTheSameTreeParsesNothing() {
    InMemoryTree files =
        new InMemoryTree()
            .put("a.yaml", CONFIG_MAP.formatted("a", 1))
            .put("b.yaml", CONFIG_MAP.formatted("b", 1))
            .put("c/d.yaml", CONFIG_MAP.formatted("d", 1));
    ManifestLoader loader = Loaders.forFixtures();

    assertInstanceOf(LoadResult.Loaded.class, loader.load(files.tree("r1")));
    assertEquals(3, loader.blobsParsed());
    assertEquals(3, files.reads.get());

    LoadResult again = loader.load(files.tree("r1"));
    assertEquals(3, loader.blobsParsed());
    assertEquals(3, files.reads.get(), "cached blobs are not even read");
    assertEquals(3, ((LoadResult.Loaded) again).state().objects().size());
  }

  @Test
  void changingOneBlobParsesExactlyOneAndEvictsTheOldOne() {
    InMemoryTree files = new InMemoryTree();
    for (int i = 0; i < 20; i++) {
      files.put("cm-" + i + ".yaml", CONFIG_MAP.formatted("cm-" + i, 1));
    }
    ManifestLoader loader = Loaders.forFixtures();
    loader.load(files.tree("r1"));
    assertEquals(20, loader.blobsParsed());

    files.put("cm-7.yaml", CONFIG_MAP.formatted("cm-7", 2));
    LoadResult result = loader.load(files.tree("r2"));

    assertEquals(21, loader.blobsParsed());
    assertEquals(20, loader.cachedBlobs(), "the blob of the old cm-7.yaml is evicted");
    DesiredState state = ((LoadResult.Loaded) result).state();
    ConfigMap changed = (ConfigMap) object(state, "ConfigMap", "cm-7").resource();
    assertEquals("2", changed.getData().get("key"));
    assertEquals("r2", state.revision());

    loader.clearCache();
    loader.load(files.tree("r2"));
    assertEquals(41, loader.blobsParsed());
  }

  @Test
  void aBlobStaysCachedWhileAnySourcesLatestTreeHoldsIt() {
    String shared = CONFIG_MAP.formatted("shared", 1);
    InMemoryTree shop =
        new InMemoryTree().put("shared.yaml", shared).put("own.yaml", CONFIG_MAP.formatted("s", 1));
    InMemoryTree web =
        new InMemoryTree().put("shared.yaml", shared).put("own.yaml", CONFIG_MAP.formatted("w", 1));
    ManifestLoader loader = Loaders.forFixtures();
    for (int round = 0; round < 3; round++) {
      loader.load("shop", shop.tree("s1"));
      loader.load("web", web.tree("w1"));
    }
    assertEquals(3, loader.blobsParsed(), "the shared blob once, each app's own once");

    // shop drops the shared file; web still holds it, so only shop's changed file is parsed.
    shop.remove("shared.yaml").put("own.yaml", CONFIG_MAP.formatted("s", 2));
    loader.load("shop", shop.tree("s2"));
    assertEquals(4, loader.blobsParsed());
    assertEquals(3, loader.cachedBlobs(), "shop's old own.yaml is evicted, the shared one kept");
    loader.load("web", web.tree("w1"));
    assertEquals(4, loader.blobsParsed(), "web parses nothing again");

    // web drops it too: now no latest tree holds it.
    web.remove("shared.yaml");
    loader.load("web", web.tree("w2"));
    assertEquals(2, loader.cachedBlobs(), "each app's own file, and no more");
  }

  @Test
  void errorsAreCachedWithTheirBlobButNamedByPath() {
    String broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad}\n";
    InMemoryTree files = new InMemoryTree().put("x.yaml", broken).put("y.yaml", broken);
    ManifestLoader loader = Loaders.forFixtures();

    LoadResult first = loader.load(files.tree("r1"));
    LoadResult second = loader.load(files.tree("r1"));

    List<String> expected =
        List.of(
            "x.yaml:3: metadata.name: invalid name \"Bad\": must be an RFC 1123 subdomain"
                + " (lowercase letters, digits, '-' and '.', starting and ending with a letter or"
                + " digit)",
            "y.yaml:3: metadata.name: invalid name \"Bad\": must be an RFC 1123 subdomain"
                + " (lowercase letters, digits, '-' and '.', starting and ending with a letter or"
                + " digit)");
    assertEquals(
        expected, ((LoadResult.Invalid) first).errors().stream().map(LoadError::toString).toList());
    assertEquals(first, second);
    assertEquals(1, loader.blobsParsed(), "two paths, one blob id: parsed once");
  }

  @Test
  void oneLoaderServesConcurrentLoads() throws Exception {
    InMemoryTree files = new InMemoryTree();
    for (int i = 0; i < 200; i++) {
      files.put("cm-" + i + ".yaml", CONFIG_MAP.formatted("cm-" + i, i));
    }
    SourceTree tree = files.tree("r1");
    ManifestLoader loader = Loaders.forFixtures();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<LoadResult>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(threads.submit(() -> loader.load(tree)));
      }
      for (Future<LoadResult> result : results) {
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, result.get());
        assertEquals(200, loaded.state().objects().size());
      }
    } finally {
      threads.shutdownNow();
    }
    assertEquals(200, loader.cachedBlobs());
  }

  @Test
  void unreadableBlobIsAnErrorAndIsNotCached() {
    SourceTree tree =
        new SourceTree(
            "r1",
            List.of(new SourceEntry("gone.yaml", "0123")),
            entry -> {
              throw new IOException("object 0123 missing");
            });
    ManifestLoader loader = Loaders.forFixtures();

    LoadResult result = loader.load(tree);

    assertEquals(
        List.of(new LoadError("gone.yaml", 1, "", "cannot read file: object 0123 missing")),
        ((LoadResult.Invalid) result).errors());
    assertEquals(0, loader.cachedBlobs());
  }

  @Test
  void manifestsUsingTheCornersOfTheApiAreValid() throws Exception {
    Path folder =
        Path.of(ManifestLoaderTest.class.getResource("/manifest/valid/edge-cases").toURI());

    LoadResult result = Loaders.forFixtures().load(LocalDirectory.read(folder));

    assertEquals(List.of(), result.problems());
    DesiredState state = ((LoadResult.Loaded) result).state();
    assertEquals(24, state.objects().size());
  }

  /**
   * {@code ordinal validate} binds each checked object as an outline; what it reports of a valid
   * tree (its objects, StatefulSets, policies and templates) must be what the daemon loads.
   */
  @Test
  void validateCountsWhatTheDaemonLoads() throws Exception {
    for (String folder : List.of("app", "edge-cases")) {
      SourceTree tree =
          LocalDirectory.read(
              Path.of(ManifestLoaderTest.class.getResource("/manifest/valid/" + folder).toURI()));

      LoadResult.Loaded daemon = (LoadResult.Loaded) Loaders.forFixtures().load(tree);
      LoadResult.Loaded validate = (LoadResult.Loaded) Loaders.forFixtures().checkOnly().load(tree);

      assertEquals(daemon.notes(), validate.notes(), folder);
      assertEquals(outlines(daemon.state().objects()), outlines(validate.state().objects()));
      assertEquals(
          outlines(daemon.state().statefulSets()), outlines(validate.state().statefulSets()));
      assertEquals(daemon.state().policies(), validate.state().policies(), folder);
      assertEquals(daemon.state().templates(), validate.state().templates(), folder);
    }
  }

  /**
   * validate binds an outline only where the checks vouch that the whole object would bind; where a
   * field is read by a deserializer of its own, only binding it tells, so it is bound whole.
   */
  @Test
  void theChecksVouchForBindingOnlyWhereTheyLookIntoEveryField() {
    assertTrue(FieldSchema.bindsWhenChecked(StatefulSet.class, KubernetesObjects.MAPPER));
    assertTrue(FieldSchema.bindsWhenChecked(Service.class, KubernetesObjects.MAPPER));
    // Its items are HasMetadata, read by fabric8's own deserializer.
    assertFalse(FieldSchema.bindsWhenChecked(KubernetesList.class, KubernetesObjects.MAPPER));
    // Schema fields such as additionalProperties (a boolean or a schema) have their own readers.
    assertFalse(
        FieldSchema.bindsWhenChecked(CustomResourceDefinition.class, KubernetesObjects.MAPPER));
  }

  /** What an outline keeps of each object: where it is, what it is, and its metadata. */
  private static List<String> outlines(List<ManifestObject> objects) {
    return objects.stream()
        .map(
            object ->
                object.source()
                    + " "
                    + object.resource().getApiVersion()
                    + " "
                    + object.resource().getClass().getSimpleName()
                    + " "
                    + object.resource().getMetadata())
        .toList();
  }

  @Test
  void anUnreadableFileSaysWhy() {
    SourceTree tree =
        new SourceTree(
            "r1",
            List.of(new SourceEntry("db.yaml", "0123")),
            entry -> {
              // What Files.readAllBytes throws for a file without read permission: only a path.
              throw new AccessDeniedException("/repo/db.yaml");
            });

    LoadResult result = Loaders.forFixtures().load(tree);

    assertEquals(
        List.of(
            "db.yaml:1: cannot read file: permission denied; give the user that runs ordinal read"
                + " access to it, or move it out of the path"),
        result.problems().stream().map(LoadError::toString).toList());
  }

  @Test
  void conditionSyntaxIsPluggable() {
    String template =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: t}
        spec:
          metrics:
            - name: m
              successCondition: result[0] < 1
              failureCondition: "result[0] >"
              provider:
                prometheus: {query: up}
        """;
    ConditionSyntax needsRightOperand =
        expression ->
            expression.trim().endsWith(">")
                ? Optional.of("expected an operand after '>'")
                : Optional.empty();
    SourceTree tree = new InMemoryTree().put("t.yaml", template).tree("r1");

    assertInstanceOf(
        LoadResult.Loaded.class, new ManifestLoader(ConditionSyntax.NON_BLANK).load(tree));
    LoadResult strict = new ManifestLoader(needsRightOperand).load(tree);
    assertEquals(
        List.of("t.yaml:8: spec.metrics[0].failureCondition: expected an operand after '>'"),
        ((LoadResult.Invalid) strict).errors().stream().map(LoadError::toString).toList());
  }

  @Test
  void policyAnnotationOutsideThePolicyNamespaceIsAnError() {
    String policy =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: p, namespace: prod}
        spec:
          steps: [{pause: {}}]
        """;
    String statefulSet =
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
          namespace: staging
          annotations:
            ordinal.dev/policy: p
        spec:
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: postgres:16}]}
        """;
    SourceTree tree =
        new InMemoryTree().put("p.yaml", policy).put("s.yaml", statefulSet).tree("r1");

    LoadResult result = Loaders.forFixtures().load(tree);

    assertEquals(
        List.of(
            "s.yaml:7: metadata.annotations.ordinal.dev/policy: StatefulSet staging/db names"
                + " RolloutPolicy 'p', which only governs namespace 'prod', not 'staging'"),
        ((LoadResult.Invalid) result).errors().stream().map(LoadError::toString).toList());
  }

  @Test
  void anUnknownImmutableChangesAnnotationIsAnErrorNamingTheAllowedValues() {
    String statefulSet =
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
          namespace: prod
          annotations:
            ordinal.dev/immutable-changes: recreated
        spec:
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: postgres:16}]}
        """;
    LoadResult result =
        Loaders.forFixtures().load(new InMemoryTree().put("s.yaml", statefulSet).tree("r1"));

    assertEquals(
        List.of(
            "s.yaml:7: metadata.annotations.ordinal.dev/immutable-changes: StatefulSet prod/db"
                + " asks for 'recreated'; allowed values: refuse, recreate (recreate lets Ordinal"
                + " grow its volumes by recreating the StatefulSet)"),
        ((LoadResult.Invalid) result).errors().stream().map(LoadError::toString).toList());
  }

  @Test
  void durationsAcceptSecondsAndUnits() {
    assertEquals(
        Optional.of(Duration.ofMinutes(90)),
        StrictMapping.parseDuration(com.fasterxml.jackson.databind.node.TextNode.valueOf("1h30m")));
    assertEquals(
        Optional.of(Duration.ofMillis(1500)),
        StrictMapping.parseDuration(
            com.fasterxml.jackson.databind.node.TextNode.valueOf("1s500ms")));
    assertEquals(
        Optional.of(Duration.ofSeconds(45)),
        StrictMapping.parseDuration(com.fasterxml.jackson.databind.node.TextNode.valueOf("45")));
    assertEquals(
        Optional.of(Duration.ofSeconds(45)),
        StrictMapping.parseDuration(com.fasterxml.jackson.databind.node.IntNode.valueOf(45)));
    assertFalse(
        StrictMapping.parseDuration(com.fasterxml.jackson.databind.node.TextNode.valueOf("1.5h"))
            .isPresent());
    assertFalse(
        StrictMapping.parseDuration(com.fasterxml.jackson.databind.node.TextNode.valueOf("h"))
            .isPresent());
  }
}
