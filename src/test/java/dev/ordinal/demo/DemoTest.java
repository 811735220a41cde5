package dev.ordinal.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.cli.CliRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code ordinal demo}, run as a user runs it: the good release is promoted through every step, the
 * bad one fails its analysis and is rolled back, and the timeline shows the decisions in order.
 */
class DemoTest {
  /** The decisions that tell the story, as the timeline labels them. */
  private static final Set<String> STORY =
      Set.of(
          "RolloutStarted",
          "CanaryStep",
          "AnalysisSuccessful",
          "Promoted",
          "PromotingFull",
          "RolloutCompleted",
          "AnalysisFailed",
          "RollingBack",
          "RolledBack");

  @Test
  void aGoodReleaseIsPromotedThenABadOneIsRolledBack() {
    CliRun run = CliRun.of("demo", "--speed", "60");
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
            // the good release: one standby, analysis, the gate, both standbys, analysis, all
            "RolloutStarted",
            "CanaryStep",
            "AnalysisSuccessful",
            "Promoted",
            "CanaryStep",
            "AnalysisSuccessful",
            "PromotingFull",
            "RolloutCompleted",
            // the bad release: one standby, its query errors fail the analysis, back it goes
            "RolloutStarted",
            "CanaryStep",
            "AnalysisFailed",
            "RollingBack",
            "RolledBack"),
        decisions,
        run.out());
    String out = run.out();
    assertTrue(
        out.matches(
            "(?s).*measured\\s+query-errors\\s+\\[0\\.083]\\s+Failed\\s+success if"
                + " result\\[0] < 0\\.01.*"),
        "a failed measurement against its condition: " + out);
    assertTrue(out.contains("on-call (the demo)"), "the person at the manual gate: " + out);
    assertTrue(out.matches("(?s).*serving http://127\\.0\\.0\\.1:\\d+/status.*"), out);
    assertTrue(out.matches("(?s).*\\n  \\w{7}  promoted .*\\n  \\w{7}  rolled back .*"), out);
  }

  @Test
  void aSpeedOutsideOneToAHundredIsAUsageError() {
    CliRun run = CliRun.of("demo", "--speed", "0");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--speed must be between 1 and 100"), run.err());
  }
}
