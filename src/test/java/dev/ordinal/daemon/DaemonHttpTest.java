package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.TestRemote;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.testkit.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's two listeners as assembled by {@link Daemon}, over the in-memory cluster: webhooks
 * without a secret are refused with how to turn them on, and {@code /status} (read-only) never
 * shows a value from a Secret in Git, nor do the logs or Events.
 */
class DaemonHttpTest {
  private static final String SECRET_VALUE = "987654321";

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  static final String INVALID_SECRET =
      """
      apiVersion: v1
      kind: Secret
      metadata: {name: db-password}
      stringData:
        password: 987654321
        other: [1, 2]
      """;

  static final String CONFIG_MAP =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: settings}
      data: {mode: fast}
      """;

  @Test
  void webhooksWithoutASecretAreRefusedAndStatusShowsNoSecretValue() throws Exception {
    SimClock clock = new SimClock(Instant.parse("2026-12-01T10:00:00Z"), 20);
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote"));
        SimCluster cluster = new SimCluster(clock, Duration.ofSeconds(2));
        LogCapture log = new LogCapture("dev.ordinal")) {
      remote.commit("main", Map.of("shop/settings.yaml", CONFIG_MAP));
      DaemonConfig config =
          new DaemonConfig(
              tmp.resolve("data").toString(),
              "127.0.0.1:0",
              "1h",
              "ordinal",
              new DaemonConfig.Webhook("127.0.0.1:0", null, null, null, null, null),
              List.of(
                  new DaemonConfig.App(
                      "shop", remote.fileUrl(), "main", "shop", "shop", false, null)));
      try (Daemon daemon =
          Daemon.start(
              config,
              Duration.ofHours(1),
              new Daemon.Ports(cluster, new DaemonOverSimTest.ScriptedPrometheus(), clock, 20),
              "sim-http")) {
        assertTrue(daemon.webhookPort() > 0 && daemon.webhookPort() != daemon.port());

        // No secret and no insecure: true: refused, with how to turn webhooks on.
        HttpResponse<String> refused = post(daemon.webhookPort(), "/webhook", "{}");
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("webhook.secretEnv"), refused.body());
        assertTrue(refused.body().contains("webhook.insecure: true"), refused.body());
        assertTrue(
            log.lines().stream()
                .anyMatch(l -> l.startsWith("WARN webhooks are off") && l.contains("secretFile")),
            log.lines().toString());

        // /status is read-only and the webhook is not on its port.
        assertEquals(405, post(daemon.port(), "/status", "{}").statusCode());
        assertEquals(405, post(daemon.port(), "/webhook", "{}").statusCode());
        assertEquals("not found\n", get(daemon.port(), "/webhook"));

        // A Secret in Git whose value has the wrong type: the error names the field, not the value.
        remote.commit(
            "main", Map.of("shop/settings.yaml", CONFIG_MAP, "shop/secret.yaml", INVALID_SECRET));
        daemon.apps().get(0).poll();
        await(
            "the invalid commit reported",
            Duration.ofSeconds(30),
            () -> get(daemon.port(), "/status").contains("\"lastSyncResult\" : \"invalid\""),
            () -> get(daemon.port(), "/status"));
        String status = get(daemon.port(), "/status");
        System.out.println("/status after an invalid Secret:\n" + status);
        assertTrue(status.contains("stringData.password"), status);
        assertFalse(status.contains(SECRET_VALUE), status);
        assertFalse(status.contains("\tat "), "no stack trace: " + status);
        for (String line : log.lines()) {
          assertFalse(line.contains(SECRET_VALUE), line);
        }
        for (SimCluster.PostedEvent event : cluster.events()) {
          assertFalse(String.valueOf(event.message()).contains(SECRET_VALUE), event.toString());
        }
      }
    }
  }

  private HttpResponse<String> post(int port, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("X-GitHub-Event", "push")
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(int port, String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
