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
    assertEquals(
        2,
        run(
            "backtest",
            "--template",
            file.toString(),
            "--prometheus",
            "http://127.0.0.1:9",
            "--from",
            "yesterday"));
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
    assertEquals(
        1,
        run(
            "backtest",
            "--template",
            file.toString(),
            "--prometheus",
            "http://127.0.0.1:9",
            "--from",
            "-1h"));
    assertEquals(
        "t.yaml:7: spec.metrics[0].successCondition: unexpected '<' at column 12",
        err.toString().trim());
  }

  /** A backtest reads no daemon config, so only --prometheus can say where to ask. */
  @Test
  void withoutDashDashPrometheusItIsAUsageErrorBeforeAnyQuery() {
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
        err.toString().contains("Missing required option: '--prometheus=URL'"), err.toString());
    assertEquals("", out.toString(), "no table of errors");
  }

  /** --prometheus stands in for a server of the config as for an address. */
  @Test
  void dashDashPrometheusIsAskedInPlaceOfANamedServer(@TempDir Path dir) throws Exception {
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
              successCondition: result[0] < 1
              provider:
                prometheus: {server: main, query: up}
        """);
    assertEquals(
        2,
        backtest(
            file.toString(),
            "--prometheus",
            "http://127.0.0.1:1",
            "--from",
            "-1h",
            "--step",
            "30m"));
    assertTrue(
        err.toString().startsWith("metric 'm': Prometheus http://127.0.0.1:1, query 'up'"),
        err.toString());
    assertTrue(err.toString().contains("cannot connect"), err.toString());
  }

  /** Times and steps past what Instant and Duration hold are usage errors, not stack traces. */
  @Test
  void outlandishTimesAndStepsAreUsageErrors() {
    String[][] cases = {
      {
        "--from",
        "-99999999999999999999d",
        "--from '-99999999999999999999d' is longer than 100 years"
      },
      {"--from", "-999999999999999d", "--from '-999999999999999d' is longer than 100 years"},
      {"--from", "-36526d", "--from '-36526d' is longer than 100 years"},
      {
        "--step", "99999999999999999999s", "--step '99999999999999999999s' is longer than 100 years"
      },
      {"--step", "999999999999999w", "--step '999999999999999w' is longer than 100 years"},
      {"--step", "500ms", "--step '500ms' is not a whole number of seconds; use 1s or more"},
      {"--step", "1500ms", "--step '1500ms' is not a whole number of seconds; use 1s or more"},
      {"--to", "99999999999999999999", "--to '99999999999999999999' is past the year 9999"},
      {"--to", "+10000-01-01T00:00:00Z", "--to '+10000-01-01T00:00:00Z' is past the year 9999"},
      {"--from", "-0s", "--from '-0s' is not before --to 'now'"},
    };
    for (String[] c : cases) {
      err.getBuffer().setLength(0);
      java.util.List<String> args =
          new java.util.ArrayList<>(
              java.util.List.of("--prometheus", "http://127.0.0.1:9", "--from", "-1h"));
      if (c[0].equals("--from")) {
        args.set(3, c[1]);
      } else {
        args.addAll(java.util.List.of(c[0], c[1]));
      }
      assertEquals(2, backtest("policies/error-rate.yaml", args.toArray(String[]::new)), c[1]);
      assertTrue(err.toString().contains(c[2]), c[1] + ": " + err);
      assertTrue(!err.toString().contains("Exception"), err.toString());
    }
    err.getBuffer().setLength(0);
    assertEquals(
        2,
        backtest(
            "policies/error-rate.yaml",
            "--prometheus",
            "http://127.0.0.1:9",
            "--from",
            "-1000000000-01-01T00:00:00Z",
            "--step",
            "1s"));
    assertTrue(err.toString().contains("Prometheus answers at most 11,000"), err.toString());
    assertEquals("", out.toString());
  }

  /** As validate refuses it, before reading it all: a large file is not a template. */
  @Test
  void aTemplateFileOverTheSizeLimitOrAFolderIsRefusedUnread(@TempDir Path dir) throws Exception {
    Path large = dir.resolve("large.yaml");
    Files.write(large, new byte[1024 * 1024 + 1]);
    assertEquals(
        1, backtest(large.toString(), "--prometheus", "http://127.0.0.1:9", "--from", "-1h"));
    assertTrue(
        err.toString()
            .contains(
                "large.yaml: file is 1048577 bytes, over the 1048576-byte limit; split it into"
                    + " smaller files or raise the size limit"),
        err.toString());
    err.getBuffer().setLength(0);
    // a stream (as <(...) and /dev/stdin are) is read as far as the limit, not to its end
    assertEquals(1, backtest("/dev/zero", "--prometheus", "http://127.0.0.1:9", "--from", "-1h"));
    assertTrue(
        err.toString()
            .contains(
                "/dev/zero: more than 1048576 bytes, over the limit of a file; name a file that"
                    + " holds the template"),
        err.toString());
    err.getBuffer().setLength(0);
    assertEquals(
        2, backtest(dir.toString(), "--prometheus", "http://127.0.0.1:9", "--from", "-1h"));
    assertTrue(
        err.toString()
            .contains(
                "--template '"
                    + dir
                    + "' is a folder; name the YAML file that holds the AnalysisTemplate"),
        err.toString());
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

  private int backtest(String template, String... more) {
    java.util.List<String> args =
        new java.util.ArrayList<>(java.util.List.of("backtest", "--template", template));
    args.addAll(java.util.List.of(more));
    return run(args.toArray(String[]::new));
  }

  @Test
  void aPrometheusAddressThatIsNotOneIsAUsageErrorAndItsPasswordIsNotEchoed() {
    assertEquals(
        2,
        backtest(
            "policies/error-rate.yaml",
            "--prometheus",
            "http://u:s3cret@127.0.0.1:9",
            "--from",
            "-1h"));
    assertTrue(
        err.toString().contains("--prometheus 'http://127.0.0.1:9': has a user or password in it"),
        err.toString());
    assertTrue(!err.toString().contains("s3cret") && !out.toString().contains("s3cret"));
    for (String address : java.util.List.of("notaurl", "ftp://x", "http://127.0.0.1:9/ x", "")) {
      err.getBuffer().setLength(0);
      assertEquals(
          2,
          backtest("policies/error-rate.yaml", "--prometheus", address, "--from", "-1h"),
          address);
      assertTrue(err.toString().startsWith("--prometheus '" + address + "': not "), err.toString());
      assertTrue(!err.toString().contains("Exception"), err.toString());
    }
    assertEquals("", out.toString());
  }

  /** Which template to replay is the user's choice of options: a usage error, not "invalid". */
  @Test
  void aFileWithNoneOrSeveralTemplatesOrWithoutTheNamedOneIsAUsageError(@TempDir Path dir)
      throws Exception {
    Path two = dir.resolve("two.yaml");
    Files.writeString(
        two,
        Files.readString(Path.of("policies/error-rate.yaml"))
            + "\n---\n"
            + Files.readString(Path.of("policies/latency-p99.yaml")));
    String[] prometheus = {"--prometheus", "http://127.0.0.1:9"};
    assertEquals(2, backtest(two.toString(), prometheus[0], prometheus[1], "--from", "-1h"));
    assertTrue(
        err.toString()
            .contains(
                "--template '"
                    + two
                    + "' holds 2 AnalysisTemplates (error-rate, latency-p99); pick one with --name"),
        err.toString());
    err.getBuffer().setLength(0);
    assertEquals(
        2,
        backtest(two.toString(), prometheus[0], prometheus[1], "--name", "nope", "--from", "-1h"));
    assertTrue(
        err.toString()
            .contains(
                "--name 'nope': '"
                    + two
                    + "' has no AnalysisTemplate of that name; it has error-rate, latency-p99"),
        err.toString());
    err.getBuffer().setLength(0);
    assertEquals(
        2, backtest("policies/manual-gate.yaml", prometheus[0], prometheus[1], "--from", "-1h"));
    assertTrue(
        err.toString()
            .contains(
                "--template 'policies/manual-gate.yaml' holds no AnalysisTemplate; name a file"
                    + " that does"),
        err.toString());
  }

  @Test
  void aRangeOfMorePointsThanPrometheusAnswersOrEndingBeforeItStartsIsAUsageError() {
    String template = "policies/error-rate.yaml";
    String[] prometheus = {"--prometheus", "http://127.0.0.1:9"};
    assertEquals(
        2, backtest(template, prometheus[0], prometheus[1], "--from", "-3650d", "--step", "1s"));
    assertTrue(
        err.toString()
            .contains(
                "--from, --to and --step make 315,360,001 points; Prometheus answers at most"
                    + " 11,000: raise --step or shorten the range"),
        err.toString());
    err.getBuffer().setLength(0);
    assertEquals(
        2, backtest(template, prometheus[0], prometheus[1], "--from", "-1h", "--to", "-2h"));
    assertTrue(err.toString().contains("--from '-1h' is not before --to '-2h'"), err.toString());
  }

  /**
   * Port 1 on loopback refuses at once: the failure is in the table and, for scripts, on stderr.
   */
  @Test
  void aQueryThatFailsIsSaidOnStderrAndExitsTwo() {
    assertEquals(
        2,
        backtest(
            "policies/error-rate.yaml",
            "--prometheus",
            "http://127.0.0.1:1",
            "--args",
            "service=web",
            "--namespace",
            "shop",
            "--canary-pods",
            "db-2",
            "--from",
            "-1h",
            "--step",
            "10m"));
    assertTrue(
        err.toString().startsWith("metric 'error-rate': Prometheus http://127.0.0.1:1, query '"),
        err.toString());
    assertTrue(err.toString().contains("cannot connect"), err.toString());
  }
}
