package dev.ordinal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.rollout.LiveRollout;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.StatefulSetView;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.UpdateStrategy;
import java.nio.charset.StandardCharsets;
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
  void thePageAndItsAssetsComeFromTheJarWithAPolicyThatForbidsInlineScript() {
    StatusPage.Response index = page.handle("GET", "/");
    assertEquals(200, index.status());
    assertEquals("text/html; charset=utf-8", index.contentType());
    String html = new String(index.body(), StandardCharsets.UTF_8);
    assertTrue(html.contains("<script src=\"/ui/status.js\" defer></script>"), html);
    assertTrue(index.headers().get("Content-Security-Policy").contains("script-src 'self'"));
    assertEquals("nosniff", index.headers().get("X-Content-Type-Options"));
    for (String asset : List.of("/ui/status.js", "/ui/status.css", "/ui/favicon.svg")) {
      assertEquals(200, page.handle("GET", asset).status(), asset);
    }
    assertEquals(404, page.handle("GET", "/ui/../../etc/passwd").status());
    assertEquals(404, page.handle("GET", "/nothing").status());
    assertEquals(405, page.handle("POST", "/status").status(), "read-only");
  }

  @Test
  void theJsonCarriesTextFromTheClusterAsDataWithStepsAndDecisions() throws Exception {
    history.record(
        T, "shop", HOSTILE, "SetPartition", new RolloutEvent.Paused(1), Optional.empty());
    JsonNode status = new ObjectMapper().readTree(page.handle("GET", "/status").body());
    assertEquals("leader", status.path("role").asText());
    JsonNode rollout = status.path("rollouts").get(0);
    assertEquals(
        HOSTILE, rollout.path("name").asText(), "served as a JSON string, escaped by the page");
    assertEquals("Healthy", rollout.path("phase").asText());
    assertEquals(
        List.of("canary 1 pod", "manual gate", "full promotion"),
        rollout.path("stepList").findValuesAsText("text"));
    assertEquals("stable", rollout.path("pods").get(0).path("role").asText());
    assertEquals("Paused", rollout.path("decisions").get(0).path("reason").asText());
  }
}
