package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.ordinal.testkit.Loaders;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A load that changes a few files of a source is made by patching that source's last load. Each
 * test holds it to what a new loader makes of the same tree, so a patch can only be a shortcut to
 * the same result, never a different one.
 */
class ManifestLoaderPatchTest {
  private static final String STATEFUL_SET =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: %1$s
        namespace: prod
        labels: {app: %1$s, tier: memory}
      spec:
        serviceName: %1$s
        replicas: 1
        selector: {matchLabels: {app: %1$s}}
        template:
          metadata: {labels: {app: %1$s, tier: memory}}
          spec:
            containers: [{name: c, image: "%2$s"}]
      """;

  private static final String CONFIG_MAP =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: %s, namespace: prod}
      data: {key: "%s"}
      """;

  /** A policy file, two ConfigMaps in one file, and ten governed StatefulSets, in path order. */
  private static InMemoryTree app() throws Exception {
    InMemoryTree files = new InMemoryTree();
    files.put(
        "a-config.yaml", CONFIG_MAP.formatted("one", 1) + "---\n" + CONFIG_MAP.formatted("two", 1));
    files.put("b-policy.yaml", policies());
    for (int i = 0; i < 10; i++) {
      files.put("sts-" + i + ".yaml", STATEFUL_SET.formatted("db-" + i, "postgres:16.1"));
    }
    return files;
  }

  private static String policies() throws Exception {
    return Files.readString(
        Path.of(
            ManifestLoaderPatchTest.class.getResource("/manifest/valid/app/rollout.yaml").toURI()));
  }

  /** What a new loader, with nothing to patch, makes of the tree. */
  private static LoadResult whole(InMemoryTree files, String revision) {
    return Loaders.forFixtures().load(files.tree(revision));
  }

  @Test
  void aOneFileChangeIsPatchedAndLoadsWhatAWholeLoadDoes() throws Exception {
    InMemoryTree files = app();
    ManifestLoader loader = Loaders.forFixtures();
    assertInstanceOf(LoadResult.Loaded.class, loader.load(files.tree("r1")));
    int cached = loader.cachedBlobs();

    files.put("sts-3.yaml", STATEFUL_SET.formatted("db-3", "postgres:17.0"));
    LoadResult patched = loader.load(files.tree("r2"));

    assertEquals(1, loader.loadsPatched());
    assertEquals(whole(files, "r2"), patched);
    StatefulSet changed =
        (StatefulSet) ((LoadResult.Loaded) patched).state().objects().get(5).resource();
    assertEquals("db-3", changed.getMetadata().getName());
    assertEquals(
        "postgres:17.0",
        changed.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertEquals(cached, loader.cachedBlobs(), "the old sts-3.yaml is evicted");
  }

  @Test
  void aFileThatGainsAnObjectMovesTheObjectsAfterItAndTheNextPatchFindsThem() throws Exception {
    InMemoryTree files = app();
    ManifestLoader loader = Loaders.forFixtures();
    loader.load(files.tree("r1"));

    files.put(
        "a-config.yaml",
        CONFIG_MAP.formatted("one", 1)
            + "---\n"
            + CONFIG_MAP.formatted("two", 1)
            + "---\n"
            + CONFIG_MAP.formatted("three", 1));
    assertEquals(whole(files, "r2"), loader.load(files.tree("r2")));
    files.put("sts-9.yaml", STATEFUL_SET.formatted("db-9", "postgres:17.0"));
    files.put("sts-2.yaml", STATEFUL_SET.formatted("db-2", "postgres:17.0"));
    assertEquals(whole(files, "r3"), loader.load(files.tree("r3")));
    files.put("a-config.yaml", CONFIG_MAP.formatted("one", 2));
    assertEquals(whole(files, "r4"), loader.load(files.tree("r4")));

    assertEquals(3, loader.loadsPatched());
  }

  @Test
  void aNewRevisionWithNoFileChangedIsPatchedToThatRevision() throws Exception {
    InMemoryTree files = app();
    ManifestLoader loader = Loaders.forFixtures();
    loader.load(files.tree("r1"));

    LoadResult again = loader.load(files.tree("r2"));

    assertEquals(1, loader.loadsPatched());
    assertEquals(whole(files, "r2"), again);
  }

  @Test
  void aDuplicateObjectIsReportedAtBothPlacesAsByAWholeLoad() throws Exception {
    loadedWholeThenPatchedAgain(
        files -> files.put("sts-4.yaml", STATEFUL_SET.formatted("db-7", "postgres:16.1")),
        LoadResult.Invalid.class);
  }

  @Test
  void aChangedFileWithAnErrorIsReportedAsByAWholeLoad() throws Exception {
    loadedWholeThenPatchedAgain(
        files -> files.put("sts-4.yaml", STATEFUL_SET.formatted("Db-4", "postgres:16.1")),
        LoadResult.Invalid.class);
  }

  @Test
  void aStatefulSetThatNamesAnUnknownPolicyIsReportedAsByAWholeLoad() throws Exception {
    // Valid on its own: only the check across files, against the policies, refuses it.
    loadedWholeThenPatchedAgain(
        files ->
            files.put(
                "sts-4.yaml",
                STATEFUL_SET
                    .formatted("db-4", "postgres:16.1")
                    .replace(
                        "  namespace: prod\n",
                        "  namespace: prod\n  annotations: {ordinal.dev/policy: nowhere}\n")),
        LoadResult.Invalid.class);
  }

  @Test
  void anObjectMovedBetweenTwoChangedFilesIsPatched() throws Exception {
    InMemoryTree files = app();
    ManifestLoader loader = Loaders.forFixtures();
    loader.load(files.tree("r1"));

    // db-8 moves into sts-2.yaml, and sts-8.yaml declares db-2 in its place.
    files.put("sts-2.yaml", STATEFUL_SET.formatted("db-8", "postgres:16.2"));
    files.put("sts-8.yaml", STATEFUL_SET.formatted("db-2", "postgres:17.0"));
    LoadResult moved = loader.load(files.tree("r2"));

    assertEquals(1, loader.loadsPatched(), "each file's old objects leave before the new arrive");
    assertEquals(whole(files, "r2"), moved);
  }

  @Test
  void aBlobThatAnotherSourceHoldsStaysCachedWhenOneSourcePatchesItAway() throws Exception {
    InMemoryTree shop = app();
    InMemoryTree web = app();
    ManifestLoader loader = Loaders.forFixtures();
    loader.load("shop", shop.tree("s1"));
    loader.load("web", web.tree("w1"));
    int cached = loader.cachedBlobs();

    shop.put("sts-3.yaml", STATEFUL_SET.formatted("db-3", "postgres:17.0"));
    loader.load("shop", shop.tree("s2"));
    assertEquals(cached + 1, loader.cachedBlobs(), "web still holds the old sts-3.yaml");
    long parsed = loader.blobsParsed();
    assertEquals(whole(web, "w1"), loader.load("web", web.tree("w1")));
    assertEquals(parsed, loader.blobsParsed(), "web parses nothing again");

    web.put("sts-3.yaml", STATEFUL_SET.formatted("db-3", "postgres:17.0"));
    loader.load("web", web.tree("w2"));
    assertEquals(cached, loader.cachedBlobs(), "no source holds the old sts-3.yaml now");
    assertEquals(3, loader.loadsPatched(), "each load after the first of each source");
  }

  @Test
  void moreChangedFilesThanThePatchLimitAreLoadedWhole() throws Exception {
    InMemoryTree files = new InMemoryTree();
    for (int i = 0; i < 100; i++) {
      files.put(String.format("cm-%03d.yaml", i), CONFIG_MAP.formatted("cm-" + i, 1));
    }
    ManifestLoader loader = Loaders.forFixtures();
    loader.load(files.tree("r1"));

    for (int i = 0; i < 64; i++) {
      files.put(String.format("cm-%03d.yaml", i), CONFIG_MAP.formatted("cm-" + i, 2));
    }
    assertEquals(whole(files, "r2"), loader.load(files.tree("r2")));
    assertEquals(1, loader.loadsPatched(), "64 changed files are patched in");
    for (int i = 0; i < 65; i++) {
      files.put(String.format("cm-%03d.yaml", i), CONFIG_MAP.formatted("cm-" + i, 3));
    }
    assertEquals(whole(files, "r3"), loader.load(files.tree("r3")));
    assertEquals(1, loader.loadsPatched(), "65 are loaded whole");
  }

  @Test
  void aChangedPolicyIsLoadedWhole() throws Exception {
    loadedWholeThenPatchedAgain(
        files -> {
          try {
            files.put("b-policy.yaml", policies().replace("percent: 34", "percent: 50"));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        LoadResult.Loaded.class);
  }

  @Test
  void anAddedOrRemovedFileIsLoadedWhole() throws Exception {
    loadedWholeThenPatchedAgain(
        files -> files.put("sts-90.yaml", STATEFUL_SET.formatted("db-90", "postgres:16.1")),
        LoadResult.Loaded.class);
    loadedWholeThenPatchedAgain(files -> files.remove("sts-5.yaml"), LoadResult.Loaded.class);
  }

  @Test
  void filesWithTheSameContentAreLoadedWhole() throws Exception {
    // Two paths, one blob: only the whole load keeps count of what holds a blob.
    InMemoryTree files = app().put("t-one.yaml", "# kept\n").put("t-two.yaml", "# unused\n");
    ManifestLoader loader = Loaders.forFixtures();
    loader.load(files.tree("r1"));

    files.put("t-two.yaml", "# kept\n");
    assertEquals(whole(files, "r2"), loader.load(files.tree("r2")));
    files.put("sts-1.yaml", STATEFUL_SET.formatted("db-1", "postgres:17.0"));
    assertEquals(whole(files, "r3"), loader.load(files.tree("r3")));

    assertEquals(0, loader.loadsPatched());
    files.put("t-two.yaml", "# unused\n");
    loader.load(files.tree("r4"));
    files.put("sts-1.yaml", STATEFUL_SET.formatted("db-1", "postgres:17.1"));
    assertEquals(whole(files, "r5"), loader.load(files.tree("r5")));
    assertEquals(1, loader.loadsPatched(), "once the contents differ again");
  }

  private static void loadedWholeThenPatchedAgain(
      Consumer<InMemoryTree> change, Class<? extends LoadResult> expected) throws Exception {
    loadedWholeThenPatchedAgain(files -> {}, change, expected);
  }

  /**
   * Loads the app, makes {@code change}, which cannot be patched, and checks that its load is a
   * whole one with a whole load's result; then, when that load is valid, makes a valid change to
   * one StatefulSet and checks that the loader patches again, from the state it loaded whole.
   */
  private static void loadedWholeThenPatchedAgain(
      Consumer<InMemoryTree> setUp,
      Consumer<InMemoryTree> change,
      Class<? extends LoadResult> expected)
      throws Exception {
    InMemoryTree files = app();
    setUp.accept(files);
    ManifestLoader loader = Loaders.forFixtures();
    assertInstanceOf(LoadResult.Loaded.class, loader.load(files.tree("r1")));

    change.accept(files);
    LoadResult changed = loader.load(files.tree("r2"));

    assertEquals(0, loader.loadsPatched());
    assertInstanceOf(expected, changed);
    assertEquals(whole(files, "r2"), changed);

    if (changed instanceof LoadResult.Loaded) {
      files.put("sts-1.yaml", STATEFUL_SET.formatted("db-1", "postgres:17.0"));
      assertEquals(whole(files, "r3"), loader.load(files.tree("r3")));
      assertEquals(1, loader.loadsPatched());
    }
  }
}
