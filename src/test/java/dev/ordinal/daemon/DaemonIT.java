package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.cli.CliRun;
import dev.ordinal.git.TestRemote;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end: a real Git repository, a signed push webhook, the real API server. The
 * poll interval is an hour, so every change after the first poll arrives through the webhook.
 */
@ControlPlaneTest
class DaemonIT {
  private static final String SECRET = "webhook-secret-for-tests";
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path tmp;

  @Test
  void pushWebhookSyncsTheNewCommitAndInvalidCommitsApplyNothing(
      ControlPlane plane, TestNamespace ns) throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"))) {
      String policy = Manifests.POLICY;
      String sts = Manifests.STS;
      remote.commit("main", Map.of("db/sts.yaml", sts, "db/policy.yaml", policy));

      Files.writeString(tmp.resolve("secret"), SECRET);
      Path configFile = tmp.resolve("config.yaml");
      Files.writeString(
          configFile,
          String.format(
              """
          dataDir: %s
          listen: 127.0.0.1:0
          pollInterval: 1h
          ordinalNamespace: %s
          webhook: {listen: 127.0.0.1:0, secretFile: %s}
          apps:
            - name: shop
              repo: %s
              revision: main
              path: db
              namespace: %s
          """,
              tmp.resolve("data"), ns.name(), tmp.resolve("secret"), remote.fileUrl(), ns.name()));

      try (PodSimulator pods = new PodSimulator(plane.client(), ns.name(), Duration.ofMillis(100));
          Daemon daemon = start(plane, configFile)) {
        await(
            "the first commit applied",
            Duration.ofSeconds(30),
            () -> liveImage(plane, ns) != null,
            () -> get(daemon, "/status"));
        assertEquals("registry.local/db:1", liveImage(plane, ns));
        String stable =
            StatefulSets.awaitRolledOut(plane.client(), ns.name(), "db", Duration.ofSeconds(90))
                .getStatus()
                .getCurrentRevision();

        var second =
            remote.commit(
                "main",
                Map.of("db/sts.yaml", sts.replace("db:1", "db:2"), "db/policy.yaml", policy));
        String payload =
            "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\""
                + remote.fileUrl()
                + "\"}}";
        assertEquals(401, webhook(daemon, payload, "sha256=" + "0".repeat(64)).statusCode());
        assertEquals(401, webhook(daemon, payload, null).statusCode());
        // 401 is answered before anything is triggered (WebhookHandlerTest): nothing moved

        assertEquals(
            "registry.local/db:1", liveImage(plane, ns), "an unsigned push triggers nothing");

        assertEquals(202, webhook(daemon, payload, sign(payload)).statusCode());
        await(
            "the pushed commit applied",
            Duration.ofSeconds(30),
            () -> "registry.local/db:2".equals(liveImage(plane, ns)),
            () -> get(daemon, "/status"));
        assertTrue(get(daemon, "/status").contains(second.name()), get(daemon, "/status"));

        // The policy (canary 1, then a manual gate) runs through the leader-elected controller:
        // exactly the highest ordinal moves, and the rollout waits at the gate.
        await(
            "the canary at the manual gate",
            Duration.ofSeconds(90),
            () -> {
              StatefulSet current =
                  plane.client().apps().statefulSets().inNamespace(ns.name()).withName("db").get();
              String state =
                  current.getMetadata().getAnnotations().getOrDefault(Annotations.STATE, "");
              return current.getSpec().getUpdateStrategy().getRollingUpdate().getPartition() == 2
                  && state.contains("Paused")
                  && Integer.valueOf(3).equals(current.getStatus().getReadyReplicas());
            },
            () ->
                StatefulSets.revisions(plane.client(), ns.name(), "db")
                    + " "
                    + plane
                        .client()
                        .apps()
                        .statefulSets()
                        .inNamespace(ns.name())
                        .withName("db")
                        .get()
                        .getMetadata()
                        .getAnnotations());
        Map<String, String> atGate = StatefulSets.revisions(plane.client(), ns.name(), "db");
        assertEquals(stable, atGate.get("db-0"));
        assertEquals(stable, atGate.get("db-1"));
        String canary = atGate.get("db-2");
        assertTrue(!stable.equals(canary), "db-2 runs the new revision: " + atGate);

        assertEquals(
            0,
            CliRun.of(
                    "promote", "db", "-n", ns.name(), "--kubeconfig", plane.kubeconfig().toString())
                .exitCode());
        await(
            "full promotion",
            Duration.ofSeconds(90),
            () -> {
              StatefulSet current =
                  plane.client().apps().statefulSets().inNamespace(ns.name()).withName("db").get();
              return current
                      .getMetadata()
                      .getAnnotations()
                      .getOrDefault(Annotations.STATE, "")
                      .contains("Healthy")
                  && StatefulSets.revisions(plane.client(), ns.name(), "db").values().stream()
                      .allMatch(canary::equals)
                  && Integer.valueOf(3).equals(current.getStatus().getReadyReplicas());
            },
            () -> StatefulSets.revisions(plane.client(), ns.name(), "db"));

        var invalid =
            remote.commit(
                "main",
                Map.of(
                    "db/sts.yaml",
                    sts.replace("db:1", "db:3").replace("replicas: 3", "replicas: lots"),
                    "db/policy.yaml",
                    policy));
        // A new push names its commit, so its body differs from the last one's: the same body
        // again would be a replay, answered 200 without a fetch.
        assertEquals(200, webhook(daemon, payload, sign(payload)).statusCode());
        String next = payload.replace("{\"ref\"", "{\"after\":\"" + invalid.name() + "\",\"ref\"");
        assertEquals(202, webhook(daemon, next, sign(next)).statusCode());
        await(
            "the invalid commit reported",
            Duration.ofSeconds(30),
            () -> get(daemon, "/metrics").contains("ordinal_manifest_errors{app=\"shop\"} 1.0"),
            () -> get(daemon, "/metrics"));
        assertEquals(
            "registry.local/db:2", liveImage(plane, ns), "the last good commit stays in force");

        String metrics = get(daemon, "/metrics");
        assertTrue(
            metrics.contains("ordinal_syncs_total{app=\"shop\",result=\"applied\"} 2.0"), metrics);
        assertTrue(
            metrics.contains("ordinal_syncs_total{app=\"shop\",result=\"invalid\"} 1.0"), metrics);
        assertTrue(
            metrics.contains("ordinal_git_fetches_total{app=\"shop\",result=\"changed\"} 3.0"),
            metrics);
        assertTrue(!metrics.contains(SECRET) && !get(daemon, "/status").contains(SECRET));
        assertTrue(get(daemon, "/status").contains("spec.replicas"), get(daemon, "/status"));
      }
    }
  }

  /**
   * Argo CD mode: another tool applies the StatefulSet with the partition held and the policy
   * annotation; Ordinal's repository holds only the policy, and Ordinal drives the rollout.
   */
  @Test
  void rollsOutAStatefulSetAnotherToolApplied(ControlPlane plane, TestNamespace ns)
      throws Exception {
    String policy =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: canary-auto}
        spec:
          steps:
            - canary: {replicas: 1}
            - pause: {duration: 1s}
        """;
    String gated =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: gated}
        spec:
          steps:
            - pause: {}
        """;
    try (TestRemote remote = TestRemote.create(tmp.resolve("policies.git"))) {
      remote.commit("main", Map.of("policies/policy.yaml", policy, "policies/gated.yaml", gated));
      Path configFile = tmp.resolve("config.yaml");
      Files.writeString(
          configFile,
          String.format(
              """
              dataDir: %s
              listen: 127.0.0.1:0
              ordinalNamespace: %s
              apps:
                - {name: policies, repo: %s, revision: main, path: policies, namespace: %s}
              """,
              tmp.resolve("data"), ns.name(), remote.fileUrl(), ns.name()));
      var client = plane.client();
      try (PodSimulator pods = new PodSimulator(client, ns.name(), Duration.ofMillis(100));
          Daemon daemon = start(plane, configFile)) {
        StatefulSet argo = StatefulSets.statefulSet("web", 3, "registry.local/web:1");
        argo.getMetadata().setAnnotations(Map.of(Annotations.POLICY, "canary-auto"));
        client
            .apps()
            .statefulSets()
            .inNamespace(ns.name())
            .resource(argo)
            .fieldManager("argocd-controller")
            .serverSideApply();
        String stable =
            StatefulSets.awaitRolledOut(client, ns.name(), "web", Duration.ofSeconds(90))
                .getStatus()
                .getCurrentRevision();

        // The other tool's next sync: new image, partition held at the replica count.
        StatefulSet next = StatefulSets.statefulSet("web", 3, "registry.local/web:2");
        next.getMetadata().setAnnotations(Map.of(Annotations.POLICY, "canary-auto"));
        next.getSpec()
            .setUpdateStrategy(
                new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder()
                    .withType("RollingUpdate")
                    .withNewRollingUpdate()
                    .withPartition(3)
                    .endRollingUpdate()
                    .build());
        client
            .apps()
            .statefulSets()
            .inNamespace(ns.name())
            .resource(next)
            .fieldManager("argocd-controller")
            .forceConflicts()
            .serverSideApply();

        await(
            "Ordinal rolled it out",
            Duration.ofSeconds(90),
            () -> {
              StatefulSet current =
                  client.apps().statefulSets().inNamespace(ns.name()).withName("web").get();
              Map<String, String> revisions = StatefulSets.revisions(client, ns.name(), "web");
              return current
                      .getMetadata()
                      .getAnnotations()
                      .getOrDefault(Annotations.STATE, "")
                      .contains("Healthy")
                  && revisions.size() == 3
                  && revisions.values().stream().noneMatch(stable::equals)
                  && Integer.valueOf(3).equals(current.getStatus().getReadyReplicas());
            },
            () -> StatefulSets.revisions(client, ns.name(), "web"));
        assertEquals(
            "registry.local/web:2",
            client
                .apps()
                .statefulSets()
                .inNamespace(ns.name())
                .withName("web")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage(),
            "the template is the other tool's; Ordinal changed only the partition");

        // Between rollouts the partition rests at the replica count again, so the other tool's
        // next template moves no pod even when it leaves the partition alone, as Argo CD does
        // with RespectIgnoreDifferences.
        await(
            "the partition rested at the replica count",
            Duration.ofSeconds(60),
            () ->
                Integer.valueOf(3)
                    .equals(
                        client
                            .apps()
                            .statefulSets()
                            .inNamespace(ns.name())
                            .withName("web")
                            .get()
                            .getSpec()
                            .getUpdateStrategy()
                            .getRollingUpdate()
                            .getPartition()),
            () -> client.apps().statefulSets().inNamespace(ns.name()).withName("web").get());
        Map<String, String> beforeThird = StatefulSets.revisions(client, ns.name(), "web");
        StatefulSet third = StatefulSets.statefulSet("web", 3, "registry.local/web:3");
        third.getMetadata().setAnnotations(Map.of(Annotations.POLICY, "gated"));
        third.getSpec().setUpdateStrategy(null); // no partition: the live one stays
        StatefulSet applied =
            client
                .apps()
                .statefulSets()
                .inNamespace(ns.name())
                .resource(third)
                .fieldManager("argocd-controller")
                .forceConflicts()
                .serverSideApply();
        assertEquals(
            3,
            applied.getSpec().getUpdateStrategy().getRollingUpdate().getPartition(),
            "the template landed on a rested partition");
        await(
            "Ordinal holds the rollout at its manual gate",
            Duration.ofSeconds(60),
            () -> {
              StatefulSet current =
                  client.apps().statefulSets().inNamespace(ns.name()).withName("web").get();
              return current
                      .getMetadata()
                      .getAnnotations()
                      .getOrDefault(Annotations.STATE, "")
                      .contains("Paused")
                  && current.getStatus().getObservedGeneration()
                      >= current.getMetadata().getGeneration();
            },
            () -> client.apps().statefulSets().inNamespace(ns.name()).withName("web").get());
        StatefulSet gatedSet =
            client.apps().statefulSets().inNamespace(ns.name()).withName("web").get();
        assertEquals(3, gatedSet.getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
        assertEquals(
            0,
            gatedSet.getStatus().getUpdatedReplicas() == null
                ? 0
                : gatedSet.getStatus().getUpdatedReplicas(),
            "no pod runs the new template at the gate");
        assertEquals(
            beforeThird,
            StatefulSets.revisions(client, ns.name(), "web"),
            "every pod still runs the revision of the last rollout");
      }
    }
  }

  /** The daemon as {@code ordinal run} assembles it, over the real control plane. */
  static Daemon start(ControlPlane plane, Path configFile) throws Exception {
    DaemonConfig config = DaemonConfig.load(configFile);
    String identity = Daemon.defaultIdentity();
    KubeCluster kube = new KubeCluster(plane.client(), identity, Clock.systemUTC());
    return Daemon.start(config, Duration.ofHours(1), Daemon.Ports.of(kube, config), identity);
  }

  private static String liveImage(ControlPlane plane, TestNamespace ns) {
    StatefulSet sts =
        plane.client().apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    return sts == null
        ? null
        : sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private HttpResponse<String> webhook(Daemon daemon, String payload, String signature)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.webhookPort() + "/webhook"))
            .header("X-GitHub-Event", "push")
            .POST(HttpRequest.BodyPublishers.ofString(payload));
    if (signature != null) {
      request.header("X-Hub-Signature-256", signature);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String get(Daemon daemon, String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String sign(String payload) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256="
        + HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
  }
}
