package dev.ordinal.daemon;

import static dev.ordinal.testkit.Manifests.POLICY;
import static dev.ordinal.testkit.Manifests.STS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.backup.BackupManager;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.testkit.Loaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups are the operator's to allow, per app, in Ordinal's config: a policy from Git that asks
 * for one (or for a hook kind) outside its app's boundary refuses the commit, and Ordinal watches
 * snapshots and Jobs only where some app may use them.
 */
class BackupBoundaryTest {
  @TempDir Path tmp;

  private static final String EXEC_HOOK =
      "  backup:\n    quiesce:\n      exec: {command: [sync], timeout: 20s}\n";
  private static final String JOB_HOOK =
      "  backup:\n    resume:\n      job:\n        template:\n          spec:\n"
          + "            containers: [{name: thaw, image: registry.local/thaw:1}]\n";

  private DaemonConfig config(String boundary) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(
        file,
        """
        apps:
          - name: shop
            repo: https://git.example.com/c.git
            namespace: shop
        """
            + (boundary.isEmpty() ? "" : "    boundary: " + boundary + "\n"));
    return DaemonConfig.load(file);
  }

  private SyncResult sync(DaemonConfig config, String policy) throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo-" + System.nanoTime()));
    Files.writeString(repo.resolve("sts.yaml"), STS);
    Files.writeString(repo.resolve("policy.yaml"), policy);
    try (SimCluster cluster =
        new SimCluster(new SimClock(Instant.now(), 1), Duration.ofMillis(100))) {
      return sync(config, Loaders.forFixtures(), cluster).sync(LocalDirectory.read(repo));
    }
  }

  /** The config's first app, synced into its own namespace of the in-memory cluster. */
  static AppSync sync(DaemonConfig config, ManifestLoader loader, SimCluster cluster) {
    DaemonConfig.App app = config.apps().get(0);
    return new AppSync(
        app.name(),
        app.namespace(),
        app.appBoundary(),
        false,
        loader,
        cluster,
        cluster.clock(),
        () -> true);
  }

  @Test
  void aPolicyThatBacksUpIsRefusedUnlessTheOperatorAllowsBackupsForItsApp() throws Exception {
    SyncResult.Refused refused =
        assertInstanceOf(
            SyncResult.Refused.class, sync(config(""), POLICY + "  backup: {keep: 2}\n"));
    String why = String.join("\n", refused.reasons());
    assertTrue(why.contains("RolloutPolicy canary: spec.backup is outside app shop"), why);
    assertTrue(why.contains("apps[shop].boundary.backups: true"), why);

    assertInstanceOf(
        SyncResult.Applied.class,
        sync(config("{backups: true}"), POLICY + "  backup: {keep: 2}\n"));
    assertInstanceOf(SyncResult.Applied.class, sync(config(""), POLICY), "no backup, no change");
  }

  @Test
  void eachHookKindIsAllowedOnItsOwn() throws Exception {
    DaemonConfig execOnly = config("{backups: true, backupHooks: [exec]}");
    assertInstanceOf(SyncResult.Applied.class, sync(execOnly, POLICY + EXEC_HOOK));
    SyncResult.Refused refused =
        assertInstanceOf(SyncResult.Refused.class, sync(execOnly, POLICY + JOB_HOOK));
    String why = String.join("\n", refused.reasons());
    assertTrue(why.contains("spec.backup uses job hooks, outside app shop"), why);
    assertTrue(why.contains("(allowed: exec)"), why);
    assertTrue(why.contains("apps[shop].boundary.backupHooks"), why);

    String none =
        String.join(
            "\n",
            assertInstanceOf(
                    SyncResult.Refused.class, sync(config("{backups: true}"), POLICY + EXEC_HOOK))
                .reasons());
    assertTrue(none.contains("uses exec hooks") && none.contains("(allowed: none)"), none);
  }

  @Test
  void hookSettingsAreCheckedWhenTheConfigLoads() {
    String unknown =
        assertThrows(
                DaemonConfig.ConfigException.class,
                () -> config("{backups: true, backupHooks: [exec, cron]}"))
            .getMessage();
    assertTrue(
        unknown.contains(
            "apps[0].boundary.backupHooks[1]: 'cron' is not a hook kind; expected one of exec,"
                + " job"),
        unknown);
    String alone =
        assertThrows(DaemonConfig.ConfigException.class, () -> config("{backupHooks: [job]}"))
            .getMessage();
    assertTrue(alone.contains("apps[0].boundary.backupHooks: hooks are for backups"), alone);
  }

  @Test
  void onlyNamespacesWhereAnAppMayBackUpAreWatchedAndJobsOnlyWhereJobHooksMayRun()
      throws Exception {
    Path file = tmp.resolve("apps.yaml");
    Files.writeString(
        file,
        """
        apps:
          - {name: shop, repo: "https://git.example.com/c.git", namespace: shop}
          - name: orders
            repo: https://git.example.com/c.git
            namespace: orders
            boundary: {namespaces: [orders-eu], backups: true, backupHooks: [job]}
          - name: cache
            repo: https://git.example.com/c.git
            namespace: cache
            boundary: {backups: true, backupHooks: [exec]}
        """);
    BackupManager.Scope scope = Daemon.backupScope(DaemonConfig.load(file));
    assertEquals(Set.of("orders", "orders-eu", "cache"), scope.namespaces());
    assertEquals(Set.of("orders", "orders-eu"), scope.jobs());
    assertTrue(!scope.allows("shop") && scope.allows("cache"));
  }
}
