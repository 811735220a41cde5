package dev.ordinal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.rollout.LiveRollout;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.StatefulSetView;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.UpdateStrategy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusPageTest {
  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
  static final String HOSTILE = "<script>alert(1)</script>";

  final DecisionHistory history = new DecisionHistory();
  final StatusPage page =
      new StatusPage(
          new StatusPage.Source() {
            @Override
            public String role() {
              return "leader";
            }

            @Override
            public List<AppStatus> apps() {
              return List.of();
            }

            @Override
            public List<LiveRollout> rollouts() {
              StatefulSetView sts =
                  new StatefulSetView(
                      "shop",
                      HOSTILE,
                      2,
                      UpdateStrategy.ROLLING_UPDATE,
                      2,
                      1,
                      "r1",
                      "r1",
                      1,
                      1,
                      2,
                      2,
                      RolloutSource.UNKNOWN,
                      null);
              return List.of(
                  new LiveRollout(
                      sts,
                      List.of(new PodView(HOSTILE + "-0", 0, "r1", true, 0, false)),
                      Optional.empty(),
                      "",
                      RolloutSpec.of(Step.Canary.pods(1), Step.Pause.untilPromoted())));
            }

            @Override
            public List<StatusPage.AnalysisRun> runs(LiveRollout rollout) {
              return List.of();
            }
          },
          history,
          Clock.fixed(T, ZoneOffset.UTC));

  @Test
  void thePageAndItsAssetsComeFromTheJarWithAPolicyThatForbidsInlineScript() throws Exception {
    try (HttpEndpoints http =
        HttpEndpoints.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      page.register(http);
      http.serve(
          new PrometheusRegistry(), () -> new HttpEndpoints.Readiness(true, "leader"), page::json);
      HttpResponse<String> index = get(http, "GET", "/");
      assertEquals(200, index.statusCode());
      assertEquals("text/html; charset=utf-8", header(index, "Content-Type"));
      assertTrue(
          index.body().contains("<script src=\"/ui/status.js\" defer></script>"), index.body());
      assertTrue(header(index, "Content-Security-Policy").contains("script-src 'self'"));
      assertTrue(header(index, "Content-Security-Policy").contains("frame-ancestors 'none'"));
      assertEquals("nosniff", header(index, "X-Content-Type-Options"));
      assertEquals("no-store", header(index, "Cache-Control"));
      for (String asset : List.of("/ui/status.js", "/ui/status.css", "/ui/favicon.svg")) {
        HttpResponse<String> answer = get(http, "GET", asset);
        assertEquals(200, answer.statusCode(), asset);
        assertTrue(answer.body().length() > 100, asset + " has its content");
      }
      assertEquals(
          "text/javascript; charset=utf-8",
          header(get(http, "GET", "/ui/status.js"), "Content-Type"));
      assertEquals(200, get(http, "HEAD", "/").statusCode());
      HttpResponse<String> climb = get(http, "GET", "/ui/../../etc/passwd");
      assertTrue(
          climb.statusCode() == 400 && !climb.body().contains("root:"),
          "a path that climbs out is refused: " + climb.statusCode());
      assertEquals(404, get(http, "GET", "/ui/StatusPage.class").statusCode());
      assertEquals(404, get(http, "GET", "/nothing").statusCode());
      assertEquals(405, get(http, "POST", "/status").statusCode(), "read-only");
      assertEquals(405, get(http, "DELETE", "/").statusCode(), "read-only");
      JsonNode status = new ObjectMapper().readTree(get(http, "GET", "/status").body());
      assertEquals("leader", status.path("role").asText());
    }
  }

  private static HttpResponse<String> get(HttpEndpoints http, String method, String path)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse("");
  }

  @Test
  void theJsonCarriesTextFromTheClusterAsDataWithStepsAndDecisions() throws Exception {
    history.record(
        T, "shop", HOSTILE, "SetPartition", new RolloutEvent.Paused(1), Optional.empty());
    history.record(
        T,
        "shop",
        HOSTILE,
        "UpdateState",
        new RolloutEvent.RollbackStarted(
            PhaseReason.ANALYSIS_FAILED,
            "analysis failed",
            "query to https://bot:s3cret@prometheus.example/api/v1/query failed"),
        Optional.empty());
    String json = page.json();
    assertFalse(json.contains("s3cret"), "URL user-info is redacted from messages: " + json);
    JsonNode status = new ObjectMapper().readTree(json);
    assertEquals("leader", status.path("role").asText());
    JsonNode rollout = status.path("rollouts").get(0);
    assertEquals(
        HOSTILE, rollout.path("name").asText(), "served as a JSON string, escaped by the page");
    assertEquals("Healthy", rollout.path("phase").asText());
    assertEquals(
        List.of("canary 1 pod", "manual gate", "full promotion"),
        rollout.path("stepList").findValuesAsText("text"));
    assertEquals("stable", rollout.path("pods").get(0).path("role").asText());
    assertEquals(
        "Paused",
        rollout.path("decisions").findValuesAsText("reason").get(1),
        rollout.path("decisions").toString());
  }
}
