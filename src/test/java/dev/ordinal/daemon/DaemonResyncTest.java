package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ordinal.git.TestRemote;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's resync timer runs on its own, whatever the poll interval. */
class DaemonResyncTest {
  @TempDir Path tmp;

  @Test
  void driftIsRepairedOnTheResyncTimerWhileGitIsNeverPolledAgain() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote"));
        SimCluster cluster = new SimCluster(new SimClock(Instant.now(), 1), Duration.ZERO)) {
      remote.commit("main", Map.of("shop/settings.yaml", DaemonHttpTest.CONFIG_MAP));
      DaemonConfig config = shop(remote, "sync: {resyncInterval: 300ms, applyConcurrency: 2}");
      try (Daemon daemon = SimDaemons.start(config, cluster, "sim-resync")) {
        AppRunner app = daemon.apps().get(0);
        ConfigMap settings = awaitSettings(cluster, app);
        // The poller fetches once as soon as it is started, just after the start-up fetch; wait
        // until that one is done too, so the fetch compared below is the last before the drift.
        Instant lastFetch = app.status().git().lastAttempt();
        for (int stable = 0; stable < 4; ) {
          Thread.sleep(250);
          Instant now = app.status().git().lastAttempt();
          stable = now.equals(lastFetch) ? stable + 1 : 0;
          lastFetch = now;
        }

        cluster.delete(cluster.lookup(List.of(settings), "shop").values().iterator().next());
        await(
            "the deleted ConfigMap applied again by the timer",
            Duration.ofSeconds(30),
            () -> cluster.lookup(List.of(settings), "shop").size() == 1,
            app::status);
        assertEquals(lastFetch, app.status().git().lastAttempt(), "no poll in between");
      }
    }
  }

  @Test
  void aLabelWrittenWithoutAValueIsAppliedAsBeforeNotRefusedByTheDecoratedCopy() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote"));
        SimCluster cluster = new SimCluster(new SimClock(Instant.now(), 1), Duration.ZERO)) {
      // The loader accepts a null label value (the API server reads null as not set); the
      // decorated copy's immutable label map must too.
      remote.commit(
          "main",
          Map.of(
              "shop/settings.yaml",
              DaemonHttpTest.CONFIG_MAP.replace(
                  "metadata: {name: settings}", "metadata: {name: settings, labels: {tier: ~}}")));
      try (Daemon daemon = SimDaemons.start(shop(remote, ""), cluster, "sim-null-label")) {
        awaitSettings(cluster, daemon.apps().get(0));
      }
    }
  }

  /** The config of one app, shop, from {@code remote}'s shop folder, with {@code more} before. */
  private DaemonConfig shop(TestRemote remote, String more) throws Exception {
    return SimDaemons.config(
        tmp,
        more
            + """

            apps:
              - {name: shop, repo: "%s", revision: main, path: shop, namespace: shop}
            """
                .formatted(remote.fileUrl()));
  }

  /** Waits until shop's ConfigMap "settings" is in the cluster, and returns its key object. */
  private static ConfigMap awaitSettings(SimCluster cluster, AppRunner app) throws Exception {
    ConfigMap settings =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("settings")
            .withNamespace("shop")
            .endMetadata()
            .build();
    await(
        "settings applied",
        Duration.ofSeconds(30),
        () -> cluster.lookup(List.of(settings), "shop").size() == 1,
        app::status);
    return settings;
  }

  @Test
  void appsShareOneParseCacheWithoutEvictingEachOthersBlobs() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote"));
        SimCluster cluster = new SimCluster(new SimClock(Instant.now(), 1), Duration.ZERO)) {
      remote.commit(
          "main",
          Map.of(
              "shop/settings.yaml",
              DaemonHttpTest.CONFIG_MAP,
              "web/settings.yaml",
              DaemonHttpTest.CONFIG_MAP.replace("settings", "web-settings"),
              // The same bytes as shop's file, so the same blob in both apps' trees.
              "web/same-as-shop.yaml",
              DaemonHttpTest.CONFIG_MAP));
      DaemonConfig config =
          SimDaemons.config(
              tmp,
              """
              apps:
                - {name: shop, repo: "%1$s", revision: main, path: shop, namespace: shop}
                - {name: web, repo: "%1$s", revision: main, path: web, namespace: web}
              """
                  .formatted(remote.fileUrl()));
      try (Daemon daemon = SimDaemons.start(config, cluster, "sim-loaders")) {
        for (int round = 0; round < 3; round++) {
          for (AppRunner app : daemon.apps()) {
            app.syncNow();
          }
        }
        ManifestLoader loader = daemon.apps().get(0).sync().loader();
        assertSame(loader, daemon.apps().get(1).sync().loader(), "one loader for every app");
        assertEquals(
            2,
            loader.blobsParsed(),
            "each of the two distinct blobs parsed once over three syncs of both apps, the shared"
                + " one too, though each load holds only its own app's files");
        assertEquals(2, loader.cachedBlobs());
      }
    }
  }
}
