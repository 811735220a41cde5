package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.web.Limits;
import dev.ordinal.web.WebhookEndpoint;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookHandlerTest {
  private static final String SECRET = "hook-secret";
  private static final Set<String> TRACKED =
      Set.of(
          "ssh://git@github.com/acme/db",
          "https://gitlab.example.com/grp/db",
          "git@gitea.example.com:org/db.git");

  private static final String GITHUB_PUSH =
      """
      {"ref":"refs/heads/main","after":"abc",
       "repository":{"clone_url":"https://github.com/Acme/db.git",
                     "ssh_url":"git@github.com:Acme/db.git",
                     "html_url":"https://github.com/Acme/db"}}
      """;
  private static final String GITEA_PUSH =
      """
      {"ref":"refs/heads/main",
       "repository":{"clone_url":"https://gitea.example.com/org/db.git",
                     "ssh_url":"git@gitea.example.com:org/db.git",
                     "html_url":"https://gitea.example.com/org/db"}}
      """;
  private static final String GITLAB_PUSH =
      """
      {"object_kind":"push","ref":"refs/heads/main",
       "project":{"git_http_url":"https://gitlab.example.com/grp/db.git",
                  "git_ssh_url":"git@gitlab.example.com:grp/db.git",
                  "web_url":"https://gitlab.example.com/grp/db"}}
      """;

  private final List<String> triggered = new ArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private WebhookEndpoint server;

  /** Like GitPoller.trigger: counts tracked repositories matching the URL. */
  private int trigger(String url) {
    int matched = 0;
    for (String tracked : TRACKED) {
      if (RepoUrl.matchKey(tracked).equals(RepoUrl.matchKey(url))) {
        triggered.add(tracked);
        matched++;
      }
    }
    return matched;
  }

  /** Through the daemon's real webhook listener. */
  private URI start(WebhookHandler handler) throws Exception {
    server =
        WebhookEndpoint.bind(
            new InetSocketAddress("127.0.0.1", 0), "/webhook", Limits.webhook(1024 * 1024));
    server.serve(handler);
    return URI.create("http://127.0.0.1:" + server.port() + "/webhook");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  private int post(String body, String... headers) throws Exception {
    URI uri = start(WebhookHandler.withSecret(SECRET, this::trigger));
    return send(uri, body, headers);
  }

  private int send(URI uri, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static String hmac(String secret, String body) {
    return HexFormat.of()
        .formatHex(
            WebhookHandler.hmacSha256(
                secret.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void githubWithGoodSignatureTriggersTheTrackedRepositoryOnce() throws Exception {
    int status =
        post(
            GITHUB_PUSH,
            "X-GitHub-Event",
            "push",
            "X-Hub-Signature-256",
            "sha256=" + hmac(SECRET, GITHUB_PUSH));
    assertEquals(202, status);
    assertEquals(List.of("ssh://git@github.com/acme/db"), triggered);
  }

  @Test
  void githubWithBadSignatureIsRejected() throws Exception {
    int status =
        post(
            GITHUB_PUSH,
            "X-GitHub-Event",
            "push",
            "X-Hub-Signature-256",
            "sha256=" + hmac("other", GITHUB_PUSH));
    assertEquals(401, status);
    assertEquals(List.of(), triggered);
  }

  @Test
  void githubWithMissingSignatureIsRejected() throws Exception {
    assertEquals(401, post(GITHUB_PUSH, "X-GitHub-Event", "push"));
    assertEquals(List.of(), triggered);
  }

  @Test
  void githubSignatureOverADifferentBodyIsRejected() throws Exception {
    String forged = GITHUB_PUSH.replace("main", "evil");
    assertEquals(
        401,
        post(
            forged,
            "X-GitHub-Event",
            "push",
            "X-Hub-Signature-256",
            "sha256=" + hmac(SECRET, GITHUB_PUSH)));
    assertEquals(List.of(), triggered);
  }

  @Test
  void gitlabWithGoodToken() throws Exception {
    assertEquals(202, post(GITLAB_PUSH, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET));
    assertEquals(List.of("https://gitlab.example.com/grp/db"), triggered);
  }

  @Test
  void gitlabWithBadOrMissingToken() throws Exception {
    assertEquals(401, post(GITLAB_PUSH, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "nope"));
    stop();
    assertEquals(401, post(GITLAB_PUSH, "X-Gitlab-Event", "Push Hook"));
    assertEquals(List.of(), triggered);
  }

  @Test
  void giteaWithGoodSignatureInEitherHeader() throws Exception {
    assertEquals(
        202,
        post(GITEA_PUSH, "X-Gitea-Event", "push", "X-Gitea-Signature", hmac(SECRET, GITEA_PUSH)));
    stop();
    assertEquals(
        202,
        post(
            GITEA_PUSH,
            "X-Gitea-Event",
            "push",
            "X-Hub-Signature-256",
            "sha256=" + hmac(SECRET, GITEA_PUSH)));
    assertEquals(
        List.of("git@gitea.example.com:org/db.git", "git@gitea.example.com:org/db.git"), triggered);
  }

  @Test
  void giteaWithBadSignature() throws Exception {
    assertEquals(
        401,
        post(GITEA_PUSH, "X-Gitea-Event", "push", "X-Gitea-Signature", hmac("wrong", GITEA_PUSH)));
    stop();
    assertEquals(401, post(GITEA_PUSH, "X-Gitea-Event", "push", "X-Gitea-Signature", "not-hex"));
    assertEquals(List.of(), triggered);
  }

  @Test
  void untrackedRepositoryIsNotTriggered() throws Exception {
    String body = GITHUB_PUSH.replace("Acme/db", "acme/other");
    assertEquals(
        204,
        post(
            body, "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + hmac(SECRET, body)));
    assertEquals(List.of(), triggered);
  }

  @Test
  void malformedJsonIsABadRequest() throws Exception {
    String body = "{not json";
    assertEquals(
        400,
        post(
            body, "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + hmac(SECRET, body)));
    assertEquals(List.of(), triggered);
  }

  @Test
  void onlyPostIsAllowed() throws Exception {
    URI uri = start(WebhookHandler.withSecret(SECRET, this::trigger));
    HttpResponse<Void> response =
        client.send(
            HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding());
    assertEquals(405, response.statusCode());
    assertEquals("POST", response.headers().firstValue("Allow").orElse(""));
  }

  @Test
  void nonPushEventsAreAcknowledgedWithoutTrigger() throws Exception {
    String ping =
        "{\"zen\":\"hi\",\"repository\":{\"clone_url\":\"https://github.com/acme/db.git\"}}";
    assertEquals(
        204,
        post(
            ping, "X-GitHub-Event", "ping", "X-Hub-Signature-256", "sha256=" + hmac(SECRET, ping)));
    assertEquals(List.of(), triggered);
  }

  @Test
  void withoutSecretUnsignedPushesAreAccepted() throws Exception {
    URI uri = start(WebhookHandler.insecure(this::trigger));
    assertEquals(202, send(uri, GITHUB_PUSH, "X-GitHub-Event", "push"));
    assertEquals(List.of("ssh://git@github.com/acme/db"), triggered);
  }

  @Test
  void aReplayedSignedDeliveryIsAnsweredWithoutAFetchUntilTheWindowPasses() throws Exception {
    long[] now = {0};
    URI uri = start(WebhookHandler.withSecret(SECRET, this::trigger, () -> now[0]));
    String signature = "sha256=" + hmac(SECRET, GITHUB_PUSH);
    assertEquals(
        202, send(uri, GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", signature));
    // the same delivery again, even under another delivery id: accepted, nothing fetched
    assertEquals(
        200,
        send(
            uri,
            GITHUB_PUSH,
            "X-GitHub-Event",
            "push",
            "X-GitHub-Delivery",
            "another-id",
            "X-Hub-Signature-256",
            signature));
    assertEquals(List.of("ssh://git@github.com/acme/db"), triggered);
    // a different push (another body) is a new delivery
    String next = GITHUB_PUSH.replace("\"abc\"", "\"def\"");
    assertEquals(
        202,
        send(
            uri,
            next,
            "X-GitHub-Event",
            "push",
            "X-Hub-Signature-256",
            "sha256=" + hmac(SECRET, next)));
    assertEquals(2, triggered.size());
    // after the window, the first body counts again
    now[0] += WebhookHandler.REPLAY_WINDOW.toNanos() + 1;
    assertEquals(
        202, send(uri, GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", signature));
    assertEquals(3, triggered.size());
  }

  /** CRLF and other control characters in a payload cannot start a forged log line. */
  @Test
  void payloadStringsAreEscapedInTheLog() throws Exception {
    URI uri = start(WebhookHandler.insecure(this::trigger));
    String forged =
        "{\"ref\":\"refs/heads/main\\r\\n2026-12-01T16:49:00.225Z INFO  decisions forged\","
            + "\"repository\":{\"clone_url\":\"https://github.com/acme/db\\n\\u001b[31mred\"}}";
    try (dev.ordinal.testkit.LogCapture log =
        new dev.ordinal.testkit.LogCapture(WebhookHandler.class)) {
      send(uri, forged, "X-GitHub-Event", "push");
      List<String> lines = log.lines();
      assertEquals(2, lines.size(), lines.toString());
      for (String line : lines) {
        org.junit.jupiter.api.Assertions.assertFalse(
            line.contains("\n") || line.contains("\r") || line.contains("\u001b"), line);
      }
      String push = lines.get(1);
      org.junit.jupiter.api.Assertions.assertTrue(
          push.contains("refs/heads/main\\u000d\\u000a2026-12-01T16:49:00.225Z INFO"), push);
      // in insecure mode every request is logged with a warning
      org.junit.jupiter.api.Assertions.assertTrue(
          lines.get(0).startsWith("WARN accepting an unsigned"), lines.get(0));
    }
  }

  @Test
  void offRefusesEverythingAndSaysHowToTurnWebhooksOn() throws Exception {
    URI uri = start(WebhookHandler.off("webhooks are off: set webhook.secretEnv"));
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofString(GITHUB_PUSH))
                .header("X-GitHub-Event", "push")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, response.statusCode());
    org.junit.jupiter.api.Assertions.assertTrue(
        response.body().contains("webhook.secretEnv"), response.body());
    assertEquals(List.of(), triggered);
  }
}
