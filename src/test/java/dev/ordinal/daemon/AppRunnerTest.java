package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSource;
import dev.ordinal.git.GitSourceConfig;
import dev.ordinal.git.PollResult;
import dev.ordinal.git.TestRemote;
import dev.ordinal.metrics.OrdinalMetrics;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.testkit.Loaders;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app's polls and syncs: syncs run on a worker, never inside the poll. */
class AppRunnerTest {
  @TempDir Path tmp;
  private SimCluster sim;
  private TestRemote remote;
  private GitRepoCache cache;
  private GitSource source;
  private SyncWorkers workers;

  @BeforeEach
  void start() throws Exception {
    sim = new SimCluster(new SimClock(Instant.now(), 1), Duration.ofMillis(100));
    remote = TestRemote.create(tmp.resolve("remote.git"));
    cache = new GitRepoCache(tmp.resolve("cache"));
    source = GitSource.open(cache, GitSourceConfig.of(remote.fileUrl(), "main", "."));
    workers = new SyncWorkers(1);
  }

  @AfterEach
  void stop() throws Exception {
    workers.close();
    source.close();
    cache.close();
    remote.close();
    sim.close();
  }

  @Test
  void aPollReturnsWhileThatAppsSyncRunsAndNewerCommitsCoalesceIntoOneSync() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    LiveObjects held =
        new LiveObjectsWrapper(sim) {
          @Override
          public HasMetadata apply(HasMetadata desired) {
            entered.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.apply(desired);
          }
        };
    AppRunner runner = runner(held);

    remote.commit("main", Map.of("cm.yaml", configMap("1")));
    assertInstanceOf(PollResult.Changed.class, runner.poll());
    assertTrue(entered.await(30, TimeUnit.SECONDS), "the first sync reached the cluster");

    // The first sync is held inside its apply; polls still fetch and return.
    remote.commit("main", Map.of("cm.yaml", configMap("2")));
    assertInstanceOf(PollResult.Changed.class, runner.poll());
    ObjectId third = remote.commit("main", Map.of("cm.yaml", configMap("3")));
    assertInstanceOf(PollResult.Changed.class, runner.poll());
    assertEquals(0, runner.syncCount(), "no sync finished while the first is held");

    release.countDown();
    await(
        "the newest commit applied",
        Duration.ofSeconds(30),
        () -> runner.status().lastAppliedRevision().orElse("").equals(third.name()),
        runner::status);
    assertEquals(
        2, runner.syncCount(), "the first commit, then the newest: the middle one skipped");
    assertEquals("3", data());
  }

  @Test
  void aResyncAppliesTheLastGoodTreeAgainWithoutAPoll() throws Exception {
    AppRunner runner = runner(sim);
    remote.commit("main", Map.of("cm.yaml", configMap("1")));
    runner.pollAndSync();
    assertEquals(1, runner.syncCount());

    // Drift: someone deletes the object; Git is quiet.
    sim.delete(sim.lookup(List.of(cm()), "shop").values().iterator().next());
    runner.resync();
    await("the drift repaired", Duration.ofSeconds(30), () -> runner.syncCount() == 2, () -> "");
    assertEquals("1", data());
  }

  @Test
  void aResyncAskedForDuringTheSyncOfANewCommitAppliesThatCommitNotTheOneBefore() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean hold = new AtomicBoolean();
    LiveObjects held =
        new LiveObjectsWrapper(sim) {
          @Override
          public HasMetadata apply(HasMetadata desired) {
            if (hold.get()) {
              entered.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return super.apply(desired);
          }
        };
    AppRunner runner = runner(held);
    remote.commit("main", Map.of("cm.yaml", configMap("1")));
    runner.pollAndSync();

    hold.set(true);
    ObjectId second = remote.commit("main", Map.of("cm.yaml", configMap("2")));
    runner.poll();
    assertTrue(entered.await(30, TimeUnit.SECONDS), "the second commit's sync reached the cluster");
    runner.resync(); // the resync timer fires while that sync runs
    hold.set(false);
    release.countDown();
    await("the resync ran", Duration.ofSeconds(30), () -> runner.syncCount() == 3, () -> "");
    assertEquals(
        second.name(),
        runner.status().lastAppliedRevision().orElse(""),
        "the resync applied the newest good commit again");
    assertEquals("2", data());
  }

  private AppRunner runner(LiveObjects cluster) {
    AppSync sync = new AppSync("shop", "shop", false, Loaders.forFixtures(), cluster);
    AppRunner runner =
        new AppRunner(
            "shop",
            source,
            sync,
            new OrdinalMetrics(new PrometheusRegistry()),
            EventBus.standard(sim),
            sim.clock(),
            r -> workers.request(r.name()));
    workers.register("shop", runner::runPending);
    return runner;
  }

  private String data() {
    var live = sim.lookup(List.of(cm()), "shop").values().iterator().next();
    return new ObjectMapper()
        .convertValue(sim.full(live).orElseThrow(), ConfigMap.class)
        .getData()
        .get("v");
  }

  private static HasMetadata cm() {
    return new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata().build();
  }

  private static String configMap(String value) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {v: \""
        + value
        + "\"}\n";
  }
}
