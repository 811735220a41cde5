package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.TestRemote;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.shard.ShardDecisions;
import dev.ordinal.shard.ShardOf;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three daemons on one control plane with three shards and six apps: each daemon holds one shard,
 * each StatefulSet is rolled out by the holder of its app's shard alone, and when one daemon dies
 * mid-rollout (its connection cut, so it releases nothing) its shard moves to a survivor once the
 * Lease runs out, which finishes the rollouts with no step repeated or skipped.
 */
@ControlPlaneTest
class ShardingIT {
  static final int SHARDS = 3;

  @TempDir Path tmp;

  static final String POLICY =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: RolloutPolicy
      metadata: {name: canary}
      spec:
        steps:
          - canary: {replicas: 1}
          - pause: {duration: 20s}
      """;

  private record Executed(String daemon, String key, Action action) {}

  private record Replica(String name, KubernetesClient client, Daemon daemon) {}

  /**
   * Two apps per shard, each with one StatefulSet of its name, named so that every shard gets its
   * two: a StatefulSet goes with the app that governs it.
   */
  static List<String> names() {
    Map<Integer, List<String>> byShard = new TreeMap<>();
    for (int i = 0; byShard.values().stream().mapToInt(List::size).sum() < 2 * SHARDS; i++) {
      String name = "db-" + i;
      List<String> in = byShard.computeIfAbsent(ShardOf.key(name, SHARDS), s -> new ArrayList<>());
      if (in.size() < 2) {
        in.add(name);
      }
    }
    return byShard.values().stream().flatMap(List::stream).sorted().toList();
  }

  static String sts(String name, String image) {
    return Manifests.statefulSet(name, 2, image, "canary");
  }

  static Map<String, String> files(List<String> names, String image) {
    Map<String, String> files = new LinkedHashMap<>();
    for (String name : names) {
      files.put(name + "/policy.yaml", POLICY);
      files.put(name + "/" + name + ".yaml", sts(name, image));
    }
    return files;
  }

  @Test
  void eachStatefulSetIsRolledOutByItsShardsHolderAndADeadHoldersShardMoves(
      ControlPlane plane, TestNamespace ns) throws Exception {
    List<String> names = names();
    List<Executed> log = new CopyOnWriteArrayList<>();
    List<Replica> replicas = new ArrayList<>();
    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"));
        PodSimulator pods = new PodSimulator(plane.client(), ns.name(), Duration.ofMillis(100))) {
      remote.commit("main", files(names, "registry.local/db:1"));
      for (String name : List.of("one", "two", "three")) {
        replicas.add(start(plane, ns, remote, name, names, log));
      }
      await(
          "each daemon holds one shard",
          Duration.ofSeconds(60),
          () -> replicas.stream().allMatch(r -> r.daemon().shardsHeld().size() == 1),
          () -> held(replicas).toString());
      Map<String, Set<Integer>> before = held(replicas);
      assertEquals(
          Set.of(0, 1, 2),
          before.values().stream().flatMap(Set::stream).collect(Collectors.toSet()),
          "the three shards are held by the three daemons: " + before);
      await(
          "every StatefulSet Healthy on its first revision",
          Duration.ofSeconds(120),
          () -> names.stream().allMatch(n -> phase(plane, ns, n) == Phase.HEALTHY),
          () -> phases(plane, ns, names));
      log.clear();

      remote.commit("main", files(names, "registry.local/db:2"));
      replicas.forEach(r -> r.daemon().apps().forEach(AppRunner::poll));
      await(
          "every StatefulSet's canary step written",
          Duration.ofSeconds(90),
          () -> names.stream().allMatch(n -> partitions(log, ns, n).contains(1)),
          () -> describe(log));

      // Each StatefulSet so far by one daemon alone: the one holding its shard.
      Map<String, String> rolledBy = new HashMap<>();
      for (String name : names) {
        Set<String> by = actors(log, ns, name);
        assertEquals(1, by.size(), name + " acted on by " + by + ": " + describe(log));
        String actor = by.iterator().next();
        int shard = ShardOf.key(name, SHARDS);
        assertTrue(
            before.get(actor).contains(shard),
            name + " (shard " + shard + ") rolled by " + actor + ", which holds " + before);
        rolledBy.put(name, actor);
      }

      // Kill the daemon that holds db-0's shard, mid-rollout: its connection goes first, so it
      // neither writes nor releases its Lease again.
      String victim = rolledBy.get(names.get(0));
      Replica dead = replicas.stream().filter(r -> r.name().equals(victim)).findFirst().get();
      int orphan = before.get(victim).iterator().next();
      dead.client().close();
      long killedAt = System.nanoTime();
      dead.daemon().close();
      replicas.remove(dead);
      await(
          "a survivor holds the dead daemon's shard",
          Duration.ofSeconds(60),
          () -> replicas.stream().anyMatch(r -> r.daemon().shardsHeld().contains(orphan)),
          () -> held(replicas).toString());
      double movedAfter = (System.nanoTime() - killedAt) / 1e9;
      System.out.printf(
          "ShardingIT: shard %d moved %.1f s after its holder died (lease duration 15 s)%n",
          orphan, movedAfter);
      assertTrue(
          movedAfter < 15 + 2 * 2 + 2,
          "moved within the lease duration and two retry periods: " + movedAfter + " s");

      await(
          "every StatefulSet Healthy on the new revision",
          Duration.ofSeconds(120),
          () ->
              names.stream()
                  .allMatch(
                      n ->
                          phase(plane, ns, n) == Phase.HEALTHY
                              && image(plane, ns, n).endsWith(":2")
                              && partitions(log, ns, n).contains(0)),
          () -> phases(plane, ns, names) + describe(log));

      for (String name : names) {
        assertEquals(
            List.of(1, 0),
            partitions(log, ns, name),
            name + ": each partition written once, in order, across the daemons: " + describe(log));
        long started =
            log.stream()
                .filter(e -> e.key().equals(ns.name() + "/" + name))
                .filter(e -> e.action().event().reason().equals("RolloutStarted"))
                .count();
        assertEquals(1, started, name + " started once: " + describe(log));
        if (ShardOf.key(name, SHARDS) != orphan) {
          assertEquals(
              Set.of(rolledBy.get(name)),
              actors(log, ns, name),
              name + " is in a shard that did not move: one daemon throughout");
        }
      }
      Set<String> finishers = actors(log, ns, names.get(0));
      assertTrue(
          finishers.size() == 2 && finishers.contains(victim),
          names.get(0) + " was begun by " + victim + " and finished by a survivor: " + finishers);

      // A pod's identity never comes back, so a survivor deletes the dead one's member Lease once
      // it has stood unrenewed long enough, and not before.
      String deadMember = ShardDecisions.memberLease(victim);
      Duration forgetAfter =
          Duration.ofSeconds(15).multipliedBy(ShardDecisions.FORGET_AFTER_LEASE_DURATIONS);
      await(
          "a survivor deletes the dead daemon's member Lease",
          forgetAfter.plusSeconds(30),
          () -> lease(plane, ns, deadMember) == null,
          () -> leaseNames(plane, ns).toString());
      double forgottenAfter = (System.nanoTime() - killedAt) / 1e9;
      System.out.printf(
          "ShardingIT: the dead daemon's member Lease deleted %.1f s after it died (after %d s"
              + " unrenewed)%n",
          forgottenAfter, forgetAfter.toSeconds());
      assertTrue(
          forgottenAfter >= forgetAfter.toSeconds() - 2,
          "not deleted before it stood unrenewed that long: " + forgottenAfter + " s");
      for (Replica r : replicas) {
        assertNotNull(
            lease(plane, ns, ShardDecisions.memberLease(r.name())),
            r.name() + " is alive and keeps its Lease: " + leaseNames(plane, ns));
      }
    } finally {
      for (Replica r : replicas) {
        r.daemon().close();
        r.client().close();
      }
    }
  }

  private Replica start(
      ControlPlane plane,
      TestNamespace ns,
      TestRemote remote,
      String name,
      List<String> apps,
      List<Executed> log)
      throws Exception {
    String appList =
        apps.stream()
            .map(
                app ->
                    "  - {name: %s, repo: \"%s\", revision: main, path: %s, namespace: %s}\n"
                        .formatted(app, remote.fileUrl(), app, ns.name()))
            .collect(Collectors.joining());
    Path configFile = tmp.resolve("config-" + name + ".yaml");
    Files.writeString(
        configFile,
        """
        dataDir: %s
        listen: 127.0.0.1:0
        pollInterval: 1h
        ordinalNamespace: %s
        sharding: {shards: %d}
        apps:
        %s"""
            .formatted(tmp.resolve("data-" + name), ns.name(), SHARDS, appList));
    DaemonConfig config = DaemonConfig.load(configFile);
    KubernetesClient client = plane.newClient();
    KubeCluster kube = new KubeCluster(client, name, Clock.systemUTC());
    Daemon daemon = Daemon.start(config, Duration.ofHours(1), Daemon.Ports.of(kube, config), name);
    daemon.onAction((key, action) -> log.add(new Executed(name, key, action)));
    return new Replica(name, client, daemon);
  }

  private static Lease lease(ControlPlane plane, TestNamespace ns, String name) {
    return plane.client().resources(Lease.class).inNamespace(ns.name()).withName(name).get();
  }

  private static List<String> leaseNames(ControlPlane plane, TestNamespace ns) {
    return plane.client().resources(Lease.class).inNamespace(ns.name()).list().getItems().stream()
        .map(l -> l.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static Map<String, Set<Integer>> held(List<Replica> replicas) {
    Map<String, Set<Integer>> held = new TreeMap<>();
    for (Replica r : replicas) {
      held.put(r.name(), new TreeSet<>(r.daemon().shardsHeld()));
    }
    return held;
  }

  private static List<Integer> partitions(List<Executed> log, TestNamespace ns, String name) {
    return log.stream()
        .filter(e -> e.key().equals(ns.name() + "/" + name))
        .map(Executed::action)
        .filter(a -> a instanceof Action.SetPartition)
        // The rests between rollouts are not steps (RolloutEngineTest covers them).
        .filter(a -> !(a.event() instanceof RolloutEvent.PartitionRested))
        .map(a -> ((Action.SetPartition) a).partition())
        .toList();
  }

  private static Set<String> actors(List<Executed> log, TestNamespace ns, String name) {
    return log.stream()
        .filter(e -> e.key().equals(ns.name() + "/" + name))
        .map(Executed::daemon)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String describe(List<Executed> log) {
    return log.stream()
        .map(
            e ->
                e.daemon()
                    + ":"
                    + e.key().substring(e.key().indexOf('/') + 1)
                    + ":"
                    + e.action().getClass().getSimpleName()
                    + "/"
                    + e.action().event().reason())
        .toList()
        .toString();
  }

  private static Optional<StatefulSet> get(ControlPlane plane, TestNamespace ns, String name) {
    return Optional.ofNullable(
        plane.client().apps().statefulSets().inNamespace(ns.name()).withName(name).get());
  }

  private static Phase phase(ControlPlane plane, TestNamespace ns, String name) {
    return get(plane, ns, name)
        .flatMap(s -> Annotations.state(s.getMetadata().getAnnotations()))
        .map(RolloutState::fromJson)
        .map(RolloutState::phase)
        .orElse(null);
  }

  private static String image(ControlPlane plane, TestNamespace ns, String name) {
    return get(plane, ns, name)
        .map(s -> s.getStatus() == null ? "" : s.getStatus().getUpdateRevision())
        .flatMap(
            rev ->
                get(plane, ns, name)
                    .filter(
                        s ->
                            s.getStatus() != null && rev.equals(s.getStatus().getCurrentRevision()))
                    .map(
                        s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()))
        .orElse("");
  }

  private static String phases(ControlPlane plane, TestNamespace ns, List<String> names) {
    return names.stream().map(n -> n + "=" + phase(plane, ns, n)).collect(Collectors.joining(", "));
  }
}
