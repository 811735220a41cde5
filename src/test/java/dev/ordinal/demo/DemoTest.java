package dev.ordinal.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.cli.CliRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ordinal demo}, run as a user runs it: each release starts with a backup, the good one is
 * promoted through every step, the bad one fails its analysis and is rolled back and its canary's
 * claim restored from the backup, and the timeline shows the decisions in order.
 */
class DemoTest {
  /** The decisions that tell the story, as the timeline labels them. */
  private static final Set<String> STORY =
      Set.of(
          "RolloutStarted",
          "BackupReady",
          "CanaryStep",
          "AnalysisSuccessful",
          "Promoted",
          "PromotingFull",
          "RolloutCompleted",
          "AnalysisFailed",
          "RollingBack",
          "RolledBack",
          "RestoreCompleted");

  /**
   * With {@code --keep}, so that the endpoints it prints can be read once the story has ended; then
   * interrupted, as Ctrl-C would.
   */
  @Test
  void aGoodReleaseIsPromotedThenABadOneIsRolledBack() throws Exception {
    CliRun.Running running = CliRun.start("demo", "--speed", "60", "--keep");
    running.awaitOut("Press Ctrl-C to stop.", Duration.ofMinutes(3));
    Matcher url =
        Pattern.compile("the status page is (http://127\\.0\\.0\\.1:\\d+)/")
            .matcher(running.out().toString());
    assertTrue(url.find(), running.out().toString());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(url.group(1) + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(
        page.headers().firstValue("content-type").orElse("").startsWith("text/html"),
        page.headers().toString());
    HttpResponse<String> status =
        http.send(
            HttpRequest.newBuilder(URI.create(url.group(1) + "/status")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, status.statusCode(), status.body());
    JsonNode app = new ObjectMapper().readTree(status.body()).at("/apps/0");
    assertEquals("orders-db", app.path("app").asText(), status.body());
    assertEquals("applied", app.path("lastSyncResult").asText(), status.body());
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create(url.group(1) + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("ordinal_app_objects{app=\"orders-db\""), metrics.body());
    assertTrue(
        metrics.body().contains("ordinal_backups_total{result=\"ready\"} 2.0"),
        "a backup before each release: " + metrics.body());
    assertTrue(
        metrics.body().contains("ordinal_restores_total{result=\"completed\"} 1.0"),
        "the bad release's standby restored: " + metrics.body());

    CliRun run = running.stop(Duration.ofSeconds(30));
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertEquals("", run.err(), "no logs without -v");

    List<String> decisions = new ArrayList<>();
    for (String line : run.out().lines().toList()) {
      // "  4:09  2/5   [==#]  StepCompleted       step 1 ..." : the label follows the pod bar
      String[] columns = line.trim().split("\\s+");
      for (String column : columns) {
        if (STORY.contains(column)) {
          decisions.add(column);
          break;
        }
      }
    }
    assertEquals(
        List.of(
            // the good release: snapshots, one standby, analysis, the gate, both standbys,
            // analysis, all
            "RolloutStarted",
            "BackupReady",
            "CanaryStep",
            "AnalysisSuccessful",
            "Promoted",
            "CanaryStep",
            "AnalysisSuccessful",
            "PromotingFull",
            "RolloutCompleted",
            // the bad release: snapshots, one standby, its query errors fail the analysis, back
            // it goes
            "RolloutStarted",
            "BackupReady",
            "CanaryStep",
            "AnalysisFailed",
            "RollingBack",
            "RolledBack",
            // the on-call restores the standby's claim from the backup, as the policy leaves it
            "RestoreCompleted"),
        decisions,
        run.out());
    String out = run.out();
    assertTrue(
        out.matches(
            "(?s).*measured\\s+query-errors\\s+\\[0\\.083]\\s+Failed\\s+success if"
                + " result\\[0] < 0\\.01.*"),
        "a failed measurement against its condition: " + out);
    assertTrue(out.contains("on-call (the demo)"), "the person at the manual gate: " + out);
    assertTrue(out.matches("(?s).*status page http://127\\.0\\.0\\.1:\\d+/ .*"), out);
    assertTrue(out.matches("(?s).*\\n  \\w{7}  promoted .*\\n  \\w{7}  rolled back .*"), out);
  }

  @Test
  void aSpeedOutsideOneToAHundredIsAUsageError() {
    CliRun run = CliRun.of("demo", "--speed", "0");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--speed must be between 1 and 100, not 0"), run.err());
    CliRun fraction = CliRun.of("demo", "--speed", "0.5");
    assertTrue(fraction.err().contains("not 0.5"), fraction.err());
  }
}
