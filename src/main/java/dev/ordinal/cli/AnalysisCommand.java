package dev.ordinal.cli;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.analysis.AnalysisSetupException;
import dev.ordinal.analysis.Backtest;
import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.analysis.prometheus.HttpPrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusServers;
import dev.ordinal.git.RepoUrl;
import dev.ordinal.manifest.AnalysisArg;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTrust;
import dev.ordinal.manifest.LoadError;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ReadFailures;
import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.manifest.TreeRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ordinal analysis}: tools for AnalysisTemplates. */
@Command(
    name = "analysis",
    header = "Work with AnalysisTemplates: 'ordinal analysis backtest' replays one over history.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"2:no subcommand given"},
    subcommands = {AnalysisCommand.BacktestCommand.class})
public class AnalysisCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  public AnalysisCommand() {}

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /**
   * {@code ordinal analysis backtest}: replays a template over Prometheus' history. Exit 0 when it
   * ran (whatever the verdicts), 1 when the template is invalid, 2 on usage or query errors.
   */
  @Command(
      name = "backtest",
      header =
          "Replay an AnalysisTemplate's queries over Prometheus' history and count the verdicts.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the backtest ran, whatever the verdicts",
        "1:the template is invalid",
        "2:usage error, or a query failed"
      },
      description = {
        "Evaluate an AnalysisTemplate's queries over Prometheus' history and count, per metric, "
            + "how many points would have been Successful, Failed, Inconclusive or Error, and what the "
            + "run verdict would have been over sliding windows of 'count' points."
      })
  public static class BacktestCommand implements Callable<Integer> {
    private static final Pattern RELATIVE = Pattern.compile("-?((?:\\d+(?:ms|s|m|h|d|w))+)");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
    static final long MAX_POINTS = 11_000;
    // Longer than any Prometheus keeps, and far from where Instant and Duration overflow.
    private static final Duration MAX_DURATION = Duration.ofDays(36_525);
    private static final double MAX_EPOCH_SECONDS = 253_402_300_799.0; // 9999-12-31T23:59:59Z

    @Spec CommandSpec spec;

    @Option(
        names = "--template",
        required = true,
        paramLabel = "FILE",
        description = "YAML file with the AnalysisTemplate")
    Path template;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "which template, when the file holds several")
    String name;

    @Option(names = "--args", paramLabel = "KEY=VALUE", description = "a template arg; repeatable")
    Map<String, String> args = new LinkedHashMap<>();

    @Option(
        names = "--from",
        required = true,
        paramLabel = "TIME",
        description = "start: -7d, -90m, an ISO-8601 instant or epoch seconds")
    String from;

    @Option(
        names = "--to",
        defaultValue = "now",
        paramLabel = "TIME",
        description = "end (default: now)")
    String to;

    @Option(
        names = "--step",
        defaultValue = "1h",
        paramLabel = "DURATION",
        description = "between points (default: 1h)")
    String step;

    @Option(
        names = "--prometheus",
        required = true,
        paramLabel = "URL",
        description =
            "the Prometheus to query, in place of whatever the template names (an address or a"
                + " server of the daemon's config, which a backtest does not read)")
    String prometheusAddress;

    private URI prometheus;

    @Option(names = "--namespace", paramLabel = "NS", description = "for {{rollout.namespace}}")
    String namespace;

    @Option(
        names = "--statefulset",
        paramLabel = "NAME",
        description = "for {{rollout.statefulset}}")
    String statefulSet;

    @Option(
        names = "--canary-revision",
        paramLabel = "REV",
        description = "for {{rollout.canaryRevision}}")
    String canaryRevision;

    @Option(
        names = "--stable-revision",
        paramLabel = "REV",
        description = "for {{rollout.stableRevision}}")
    String stableRevision;

    @Option(
        names = "--canary-pods",
        split = ",",
        paramLabel = "POD",
        description = "for {{rollout.canaryPods}}: pod names, comma-separated (e.g. db-4,db-3)")
    List<String> canaryPods = new ArrayList<>();

    Clock clock = Clock.systemUTC();

    /** The rollout the placeholders refer to, or null when no rollout option was given. */
    private AnalysisRuns.RolloutContext rollout() {
      if (namespace == null
          && statefulSet == null
          && canaryRevision == null
          && stableRevision == null
          && canaryPods.isEmpty()) {
        return null;
      }
      return new AnalysisRuns.RolloutContext(
          orEmpty(namespace),
          orEmpty(statefulSet),
          orEmpty(canaryRevision),
          orEmpty(stableRevision),
          List.copyOf(canaryPods));
    }

    private static String orEmpty(String value) {
      return value == null ? "" : value;
    }

    public BacktestCommand() {}

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Instant now = clock.instant();
      Instant start = time(from, now, "--from");
      Instant end = time(to, now, "--to");
      Duration stepDuration =
          duration(step, "--step", step)
              .orElseThrow(
                  () ->
                      usage(
                          "--step "
                              + Text.quoted(step)
                              + " is not a duration such as 30s, 5m, 1h"));
      if (stepDuration.getNano() != 0) {
        // Points are matched to Prometheus' answers by the second: two in one second would merge.
        throw usage(
            "--step " + Text.quoted(step) + " is not a whole number of seconds; use 1s or more");
      }
      if (!end.isAfter(start)) {
        throw usage("--from " + Text.quoted(from) + " is not before --to " + Text.quoted(to));
      }
      // Prometheus answers a range query with at most 11,000 points per series; more would also
      // be a list of that many instants built here before the first query.
      long points;
      try {
        points = Duration.between(start, end).dividedBy(stepDuration) + 1;
      } catch (ArithmeticException tooMany) {
        points = Long.MAX_VALUE;
      }
      if (points > MAX_POINTS) {
        throw usage(
            String.format(
                "--from, --to and --step make %,d points; Prometheus answers at most %,d: raise"
                    + " --step or shorten the range",
                points, MAX_POINTS));
      }
      Optional<String> problem = PrometheusServers.addressProblem(prometheusAddress);
      if (problem.isPresent()) {
        throw usage(
            "--prometheus "
                + Text.quoted(RepoUrl.redact(prometheusAddress))
                + ": "
                + problem.get());
      }
      prometheus = URI.create(prometheusAddress.strip());
      Optional<AnalysisTemplate> chosen;
      try {
        chosen = load(err);
      } catch (IOException e) {
        err.println(Text.escaped("cannot read " + template + ": " + ReadFailures.why(e)));
        return 2;
      }
      if (chosen.isEmpty()) {
        return 1;
      }
      List<String> declared = chosen.get().args().stream().map(AnalysisArg::name).toList();
      for (String given : args.keySet()) {
        if (!declared.contains(given)) {
          // A misspelt arg would be ignored, and its arg's default used in its place.
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "--args "
                  + Text.quoted(given)
                  + ": AnalysisTemplate "
                  + Text.quoted(chosen.get().name())
                  + (declared.isEmpty()
                      ? " declares no args"
                      : " declares no such arg; its args: "
                          + String.join(", ", declared.stream().map(Text::escaped).toList())));
        }
      }
      try {
        Backtest.Report report =
            Backtest.run(
                chosen.get(),
                args,
                rollout(),
                start,
                end,
                stepDuration,
                new HttpPrometheusApi(Optional.of(prometheus), ref -> Optional.empty()));
        out.print(report.table());
        out.flush();
        // The table shows each failure under its metric; stderr says it too, for scripts.
        report.metrics().stream()
            .filter(m -> m.error() != null)
            .forEach(m -> err.println("metric " + Text.quoted(m.metric()) + ": " + m.error()));
        boolean queryFailed = report.metrics().stream().anyMatch(m -> m.error() != null);
        return queryFailed ? 2 : 0;
      } catch (AnalysisSetupException e) {
        err.println(e.getMessage());
        return 2;
      }
    }

    private Optional<AnalysisTemplate> load(PrintWriter err) throws IOException {
      if (Files.isDirectory(template)) {
        throw usage(
            "--template "
                + Text.quoted(template.toString())
                + " is a folder; name the YAML file that holds the AnalysisTemplate");
      }
      // Read up to the limit and one byte more, never the whole of a large file or a stream
      // (/dev/stdin and <(...) are streams, and /dev/zero never ends).
      long limit = LocalDirectory.DEFAULT_MAX_FILE_BYTES;
      byte[] content;
      try (InputStream in = Files.newInputStream(template)) {
        content = in.readNBytes((int) limit + 1);
      }
      if (content.length > limit) {
        // as validate refuses it
        err.println(
            Files.isRegularFile(template)
                ? TreeRules.tooLarge(template.toString(), Files.size(template), limit)
                : Text.escaped(template.toString())
                    + ": more than "
                    + limit
                    + " bytes, over the limit of a file; name a file that holds the template");
        return Optional.empty();
      }
      String fileName = template.getFileName().toString();
      SourceEntry entry = new SourceEntry(fileName, LocalDirectory.gitBlobId(content));
      LoadResult result =
          new ManifestLoader(ConditionGrammar.INSTANCE, AnalysisTrust.ADDRESSES_REPLACED)
              .load(new SourceTree("file", List.of(entry), e -> content));
      if (result instanceof LoadResult.Invalid invalid) {
        for (LoadError error : invalid.errors()) {
          err.println(error);
        }
        return Optional.empty();
      }
      Map<String, AnalysisTemplate> templates = ((LoadResult.Loaded) result).state().templates();
      // The file is valid: what is left to choose is the user's choice of options (usage, 2).
      String file = Text.quoted(template.toString());
      String names = String.join(", ", templates.keySet().stream().map(Text::escaped).toList());
      if (templates.isEmpty()) {
        throw usage("--template " + file + " holds no AnalysisTemplate; name a file that does");
      }
      if (name != null) {
        if (!templates.containsKey(name)) {
          throw usage(
              "--name "
                  + Text.quoted(name)
                  + ": "
                  + file
                  + " has no AnalysisTemplate of that name; it has "
                  + names);
        }
        return Optional.of(templates.get(name));
      }
      if (templates.size() != 1) {
        throw usage(
            "--template "
                + file
                + " holds "
                + templates.size()
                + " AnalysisTemplates ("
                + names
                + "); pick one with --name");
      }
      return Optional.of(new ArrayList<>(templates.values()).get(0));
    }

    private Instant time(String text, Instant now, String option) {
      String trimmed = text.trim();
      if (trimmed.equals("now")) {
        return now;
      }
      Matcher relative = RELATIVE.matcher(trimmed);
      if (relative.matches() && trimmed.startsWith("-")) {
        return now.minus(duration(relative.group(1), option, text).orElse(Duration.ZERO));
      }
      try {
        if (trimmed.matches("\\d+(\\.\\d+)?")) {
          double seconds = Double.parseDouble(trimmed);
          if (seconds > MAX_EPOCH_SECONDS) {
            throw usage(option + " " + Text.quoted(text) + " is past the year 9999");
          }
          return Instant.ofEpochMilli(Math.round(seconds * 1000));
        }
        Instant parsed = Instant.parse(trimmed);
        if (parsed.getEpochSecond() > MAX_EPOCH_SECONDS) {
          throw usage(option + " " + Text.quoted(text) + " is past the year 9999");
        }
        return parsed;
      } catch (DateTimeParseException e) {
        throw usage(
            option
                + " "
                + Text.quoted(text)
                + " is not a time: use now, -7d, -90m, an ISO-8601 instant or epoch seconds");
      }
    }

    /** {@code text} as a duration, empty when it is not one or is zero; never over 100 years. */
    private Optional<Duration> duration(String text, String option, String given) {
      Optional<Duration> parsed = duration(text);
      if (parsed.isPresent() && parsed.get().compareTo(MAX_DURATION) > 0) {
        throw usage(option + " " + Text.quoted(given) + " is longer than 100 years");
      }
      return parsed;
    }

    /**
     * {@code text} as a duration, empty when it is not one or is zero; one too long for a {@link
     * Duration} is given as just over {@link #MAX_DURATION}.
     */
    static Optional<Duration> duration(String text) {
      if (!text.matches("(?:\\d+(?:ms|s|m|h|d|w))+")) {
        return Optional.empty();
      }
      Duration total = Duration.ZERO;
      Matcher part = PART.matcher(text);
      try {
        while (part.find()) {
          long amount = Long.parseLong(part.group(1));
          switch (part.group(2)) {
            case "ms" -> total = total.plusMillis(amount);
            case "s" -> total = total.plusSeconds(amount);
            case "m" -> total = total.plusMinutes(amount);
            case "h" -> total = total.plusHours(amount);
            case "d" -> total = total.plusDays(amount);
            default -> total = total.plusDays(Math.multiplyExact(7, amount));
          }
        }
      } catch (NumberFormatException | ArithmeticException tooLong) {
        return Optional.of(MAX_DURATION.plusDays(1));
      }
      return total.isZero() ? Optional.empty() : Optional.of(total);
    }

    private CommandLine.ParameterException usage(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }
  }
}
