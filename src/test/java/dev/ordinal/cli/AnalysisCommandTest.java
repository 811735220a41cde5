package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalysisCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new AnalysisCommand())
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  @Test
  void durationsIncludeDaysAndWeeks() {
    assertEquals(Optional.of(Duration.ofDays(7)), AnalysisCommand.BacktestCommand.duration("7d"));
    assertEquals(
        Optional.of(Duration.ofDays(14).plusHours(1)),
        AnalysisCommand.BacktestCommand.duration("2w1h"));
    assertEquals(
        Optional.of(Duration.ofSeconds(30)), AnalysisCommand.BacktestCommand.duration("30s"));
    assertEquals(Optional.empty(), AnalysisCommand.BacktestCommand.duration("soon"));
    assertEquals(Optional.empty(), AnalysisCommand.BacktestCommand.duration("0s"));
  }

  @Test
  void badTimeIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("t.yaml");
    Files.writeString(file, "x: 1\n");
    assertEquals(2, run("backtest", "--template", file.toString(), "--from", "yesterday"));
    assertTrue(err.toString().contains("--from 'yesterday' is not a time"), err.toString());
  }

  @Test
  void invalidTemplateShowsFileLineAndColumn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("t.yaml");
    Files.writeString(
        file,
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: t}
        spec:
          metrics:
            - name: m
              successCondition: result[0] << 1
              provider:
                prometheus: {query: up}
        """);
    assertEquals(1, run("backtest", "--template", file.toString(), "--from", "-1h"));
    assertEquals(
        "t.yaml:7: spec.metrics[0].successCondition: unexpected '<' at column 12",
        err.toString().trim());
  }

  @Test
  void aTemplateWithoutAnAddressNeedsDashDashPrometheusBeforeAnyQuery() {
    assertEquals(
        2,
        run(
            "backtest",
            "--template",
            "policies/error-rate.yaml",
            "--namespace",
            "x",
            "--canary-pods",
            "db-1",
            "--from",
            "-7d"));
    assertTrue(
        err.toString()
            .contains(
                "names no Prometheus address (the daemon takes its config's server); give one"
                    + " with --prometheus URL"),
        err.toString());
    assertEquals("", out.toString(), "no table of errors");
  }

  @Test
  void anArgTheTemplateDoesNotDeclareIsAUsageErrorNotIgnored() {
    assertEquals(
        2,
        run(
            "backtest",
            "--template",
            "policies/error-rate.yaml",
            "--args",
            "servce=web",
            "--prometheus",
            "http://127.0.0.1:9",
            "--from",
            "-1h"));
    assertTrue(
        err.toString()
            .contains(
                "--args 'servce': AnalysisTemplate 'error-rate' declares no such arg; its args:"
                    + " service, threshold"),
        err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void withoutSubcommandPrintsUsage() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("backtest"), err.toString());
  }
}
