package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sync} and {@code sharding} settings of the daemon config: defaults, values, and what
 * they refuse.
 */
class DaemonConfigSyncTest {
  private static final String APPS =
      "apps: [{name: shop, repo: \"https://git.example.com/c.git\", namespace: shop}]\n";

  @TempDir Path tmp;

  private DaemonConfig load(String yaml) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, yaml + APPS);
    return DaemonConfig.load(file);
  }

  private String problem(String yaml) {
    return assertThrows(DaemonConfig.ConfigException.class, () -> load(yaml)).getMessage();
  }

  @Test
  void withoutASyncSectionDriftIsRepairedEveryThreeMinutesEightObjectsAtATime() throws Exception {
    DaemonConfig.Sync sync = load("").syncOrDefault();
    assertEquals(Duration.ofMinutes(3), sync.resyncIntervalOrDefault());
    assertEquals(8, sync.applyConcurrencyOrDefault());
  }

  @Test
  void anEmptyRevisionMayPruneEverythingOnlyWhereTheAppSaysAllowEmpty() throws Exception {
    assertTrue(!load("").apps().get(0).allowEmptyEnabled());
    Path file = tmp.resolve("allow.yaml");
    Files.writeString(
        file,
        "apps: [{name: shop, repo: \"https://git.example.com/c.git\", namespace: shop,"
            + " prune: true, allowEmpty: true}]\n");
    DaemonConfig.App app = DaemonConfig.load(file).apps().get(0);
    assertTrue(app.pruneEnabled() && app.allowEmptyEnabled());
  }

  @Test
  void theResyncIntervalAndApplyConcurrencyAreTaken() throws Exception {
    DaemonConfig.Sync sync =
        load("sync: {resyncInterval: 90s, applyConcurrency: 32}\n").syncOrDefault();
    assertEquals(Duration.ofSeconds(90), sync.resyncIntervalOrDefault());
    assertEquals(32, sync.applyConcurrencyOrDefault());
  }

  @Test
  void oneShardUnlessTheConfigSaysMoreAndOnlyFromOneToSixtyFour() throws Exception {
    assertEquals(1, load("").shardsOrDefault());
    assertEquals(8, load("sharding: {shards: 8}\n").shardsOrDefault());
    assertEquals(
        tmp.resolve("config.yaml")
            + ": sharding.shards: 0 is not from 1 to 64; use about as many shards as replicas,"
            + " or a small multiple",
        problem("sharding: {shards: 0}\n"));
    assertEquals(
        tmp.resolve("config.yaml")
            + ": sharding.shards: 65 is not from 1 to 64; use about as many shards as replicas,"
            + " or a small multiple",
        problem("sharding: {shards: 65}\n"));
    // Recreates move with their app's shard (RecreateIT): a sharded config may opt in to them.
    Path file = tmp.resolve("config.yaml");
    Files.writeString(
        file,
        "sharding: {shards: 2}\napps: [{name: shop, repo: \"https://git.example.com/c.git\","
            + " namespace: shop, boundary: {recreates: true}}]\n");
    DaemonConfig sharded = DaemonConfig.load(file);
    assertEquals(2, sharded.shardsOrDefault());
    assertTrue(sharded.apps().get(0).appBoundary().recreates());
  }

  @Test
  void badValuesNameTheFileTheFieldAndWhatIsExpected() {
    assertEquals(
        tmp.resolve("config.yaml")
            + ": sync.resyncInterval: not a duration such as 3m or 90s: 'often'",
        problem("sync: {resyncInterval: often}\n"));
    assertEquals(
        tmp.resolve("config.yaml")
            + ": sync.resyncInterval: not a duration such as 3m or 90s: '0s'",
        problem("sync: {resyncInterval: 0s}\n"));
    assertEquals(
        tmp.resolve("config.yaml") + ": sync.applyConcurrency: a number from 1 to 64, got 0",
        problem("sync: {applyConcurrency: 0}\n"));
    assertEquals(
        tmp.resolve("config.yaml") + ": sync.applyConcurrency: a number from 1 to 64, got 500",
        problem("sync: {applyConcurrency: 500}\n"));
    String unknown = problem("sync: {resync: 3m}\n");
    assertEquals(
        tmp.resolve("config.yaml")
            + ":1: sync.resync: unknown field 'resync'; known fields: applyConcurrency, resyncInterval",
        unknown);
  }
}
