package dev.ordinal.metrics;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.daemon.ClusterEvents;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.git.TestRemote;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics after real scenarios on the control plane: a daemon over the real API server and
 * StatefulSet controller rolls a StatefulSet out to its manual gate and, once promoted, to the end;
 * the values read back from that daemon's own (fresh) registry say where it stood at each point,
 * and once the StatefulSet is deleted its series are gone. And a repeated Event is aggregated by
 * the real API server.
 */
@ControlPlaneTest
class RolloutMetricsIT {
  @TempDir Path tmp;

  @Test
  void metricsFollowARolloutThroughItsGateToTheEnd(ControlPlane plane, TestNamespace ns)
      throws Exception {
    String ordinalNs = ns.name();
    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"))) {
      remote.commit(
          "main", Map.of("db/sts.yaml", Manifests.STS, "db/policy.yaml", Manifests.POLICY));
      DaemonConfig config =
          new DaemonConfig(
              tmp.resolve("data").toString(),
              "127.0.0.1:0",
              "1h",
              ordinalNs,
              null,
              List.of(
                  new DaemonConfig.App(
                      "shop", remote.fileUrl(), "main", "db", ns.name(), false, null)));
      String identity = Daemon.defaultIdentity();
      try (PodSimulator pods = new PodSimulator(plane.client(), ns.name(), Duration.ofMillis(100));
          Daemon daemon =
              Daemon.start(
                  config,
                  Duration.ofHours(1),
                  Daemon.Ports.of(
                      new KubeCluster(plane.client(), identity, Clock.systemUTC()), config),
                  identity)) {
        Scraped metrics = new Scraped(daemon.metrics());
        String[] key = {"namespace", ns.name(), "statefulset", "db"};
        await(
            "the first commit applied",
            Duration.ofSeconds(60),
            () ->
                plane.client().apps().statefulSets().inNamespace(ns.name()).withName("db").get()
                    != null,
            () -> "no StatefulSet db yet");
        StatefulSets.awaitRolledOut(plane.client(), ns.name(), "db", Duration.ofSeconds(90));
        await(
            "the leader reports itself and the StatefulSet as Healthy",
            Duration.ofSeconds(60),
            () ->
                metrics.value("ordinal_leader", "lease", ordinalNs + "/ordinal").orElse(0) == 1
                    && value(metrics, "ordinal_rollout_phase", key, "phase", "Healthy") == 1,
            () -> metrics.all("ordinal_rollout_phase").toString());
        assertEquals(0, value(metrics, "ordinal_rollout_step", key));

        remote.commit(
            "main",
            Map.of(
                "db/sts.yaml",
                Manifests.STS.replace("db:1", "db:2"),
                "db/policy.yaml",
                Manifests.POLICY));
        daemon.apps().get(0).poll();
        await(
            "the rollout paused at the gate with one canary Ready",
            Duration.ofSeconds(90),
            () ->
                value(metrics, "ordinal_rollout_phase", key, "phase", "Paused") == 1
                    && value(metrics, "ordinal_rollout_ready_pods", key, "role", "canary") == 1,
            () ->
                metrics.all("ordinal_rollout_ready_pods")
                    + " "
                    + metrics.all("ordinal_rollout_phase"));
        assertEquals(2, value(metrics, "ordinal_rollout_step", key), "step 2 of 2: the gate");
        assertEquals(2, value(metrics, "ordinal_rollout_steps", key));
        assertEquals(2, value(metrics, "ordinal_rollout_ready_pods", key, "role", "stable"));
        assertEquals(0, value(metrics, "ordinal_rollout_phase", key, "phase", "Progressing"));
        assertEquals(
            1,
            value(
                metrics,
                "ordinal_rollout_events_total",
                key,
                "reason",
                "RolloutStarted",
                "type",
                "Normal"));
        assertEquals(
            1,
            value(metrics, "ordinal_rollout_step_duration_seconds", key),
            "the canary step ended");
        assertTrue(
            metrics.value("ordinal_decisions_total", "action", "SetPartition").orElse(0) >= 1,
            metrics.all("ordinal_decisions_total").toString());
        assertTrue(
            metrics.value("ordinal_kube_api_requests_total", "verb", "update").orElse(0) >= 1,
            "partition writes are API updates: " + metrics.all("ordinal_kube_api_requests_total"));
        assertEquals(
            OptionalDouble.of(0),
            metrics.value(
                "ordinal_rollbacks_total",
                "namespace",
                ns.name(),
                "statefulset",
                "db",
                "reason",
                "analysis_failed"));
        assertTrue(
            metrics.value("ordinal_syncs_total", "app", "shop", "result", "applied").orElse(0) >= 2,
            metrics.all("ordinal_syncs_total").toString());

        plane
            .client()
            .apps()
            .statefulSets()
            .inNamespace(ns.name())
            .withName("db")
            .edit(
                s -> {
                  s.getMetadata()
                      .getAnnotations()
                      .put(Annotations.commandKey(Command.PROMOTE), "now");
                  return s;
                });
        await(
            "Healthy on the new revision with every pod stable",
            Duration.ofSeconds(90),
            () ->
                value(metrics, "ordinal_rollout_phase", key, "phase", "Healthy") == 1
                    && value(metrics, "ordinal_rollout_ready_pods", key, "role", "stable") == 3
                    && newRevision(plane, ns),
            () ->
                metrics.all("ordinal_rollout_ready_pods")
                    + " "
                    + metrics.all("ordinal_rollout_phase"));
        assertEquals(
            1,
            value(
                metrics,
                "ordinal_rollout_events_total",
                key,
                "reason",
                "RolloutCompleted",
                "type",
                "Normal"));
        assertEquals(
            3,
            value(metrics, "ordinal_rollout_step_duration_seconds", key),
            "the gate and the full promotion ended too: "
                + metrics.all("ordinal_rollout_step_duration_seconds"));
        assertEquals(0, value(metrics, "ordinal_rollout_step", key));
        assertEquals(0, value(metrics, "ordinal_rollout_pods", key, "role", "canary"));
        assertTrue(metrics.all("jvm_memory_used_bytes").size() > 0, "JVM metrics are served");

        // the StatefulSet leaves the cluster: its series leave /metrics with it
        plane.client().apps().statefulSets().inNamespace(ns.name()).withName("db").delete();
        String of = "statefulset=\"db\"";
        await(
            "no series of the deleted StatefulSet",
            Duration.ofSeconds(60),
            () ->
                List.of(
                        "ordinal_rollout_phase",
                        "ordinal_rollout_events_total",
                        "ordinal_rollbacks_total",
                        "ordinal_rollout_step_duration_seconds")
                    .stream()
                    .allMatch(f -> metrics.all(f).keySet().stream().noneMatch(l -> l.contains(of))),
            () ->
                metrics.all("ordinal_rollout_events_total")
                    + " "
                    + metrics.all("ordinal_rollout_phase"));
      }
    }
  }

  @Test
  void aRepeatedEventRaisesTheCountOfTheFirst(ControlPlane plane, TestNamespace ns) {
    try (KubeCluster cluster = new KubeCluster(plane.client(), "events-test", Clock.systemUTC())) {
      ClusterEvents.Involved involved =
          new ClusterEvents.Involved("Namespace", ns.name(), ns.name(), null);
      for (int i = 0; i < 3; i++) {
        cluster.post(involved, ClusterEvents.Type.WARNING, "SyncInvalid", "app shop: 1 error");
      }
      cluster.post(involved, ClusterEvents.Type.WARNING, "SyncInvalid", "app shop: 2 errors");
      List<Event> events = plane.client().v1().events().inNamespace(ns.name()).list().getItems();
      assertEquals(2, events.size(), events.toString());
      Event first =
          events.stream().filter(e -> e.getMessage().endsWith("1 error")).findFirst().orElseThrow();
      assertEquals(3, first.getCount());
      assertEquals("Namespace", first.getInvolvedObject().getKind());
    }
  }

  private static double value(Scraped metrics, String name, String[] key, String... more) {
    String[] labels = new String[key.length + more.length];
    System.arraycopy(key, 0, labels, 0, key.length);
    System.arraycopy(more, 0, labels, key.length, more.length);
    return metrics.value(name, labels).orElse(Double.NaN);
  }

  private static boolean newRevision(ControlPlane plane, TestNamespace ns) {
    StatefulSet sts =
        plane.client().apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    Optional<RolloutState> state =
        Annotations.state(sts.getMetadata().getAnnotations()).map(RolloutState::fromJson);
    return state.isPresent() && state.get().rollout() == 1;
  }
}
