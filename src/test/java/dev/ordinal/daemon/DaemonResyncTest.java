package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.git.TestRemote;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
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
      DaemonConfig config =
          SimDaemons.config(
              tmp,
              new DaemonConfig.Sync("300ms", 2),
              new DaemonConfig.App("shop", remote.fileUrl(), "main", "shop", "shop", false, null));
      try (Daemon daemon = SimDaemons.start(config, cluster, "sim-resync")) {
        AppRunner app = daemon.apps().get(0);
        var settings =
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .withNamespace("shop")
                .endMetadata()
                .build();
        await(
            "applied at start-up",
            Duration.ofSeconds(30),
            () -> cluster.lookup(List.of(settings), "shop").size() == 1,
            app::status);
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
  void eachAppKeepsItsOwnParsedBlobsSoSyncingOneDoesNotMakeTheOtherParseAgain() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote"));
        SimCluster cluster = new SimCluster(new SimClock(Instant.now(), 1), Duration.ZERO)) {
      remote.commit(
          "main",
          Map.of(
              "shop/settings.yaml",
              DaemonHttpTest.CONFIG_MAP,
              "web/settings.yaml",
              DaemonHttpTest.CONFIG_MAP.replace("fast", "safe")));
      DaemonConfig config =
          SimDaemons.config(
              tmp,
              null,
              new DaemonConfig.App("shop", remote.fileUrl(), "main", "shop", "shop", false, null),
              new DaemonConfig.App("web", remote.fileUrl(), "main", "web", "web", false, null));
      try (Daemon daemon = SimDaemons.start(config, cluster, "sim-loaders")) {
        for (int round = 0; round < 3; round++) {
          for (AppRunner app : daemon.apps()) {
            app.syncNow();
          }
        }
        for (AppRunner app : daemon.apps()) {
          assertEquals(
              1,
              app.sync().loader().blobsParsed(),
              app.sync().app() + " parsed its one file once over every sync of both apps");
        }
      }
    }
  }
}
