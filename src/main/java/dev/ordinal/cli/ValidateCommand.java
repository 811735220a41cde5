package dev.ordinal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.manifest.AnalysisTrust;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadError;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.SourceTree;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ordinal validate}: needs no cluster. Exit 0 valid, 1 invalid, 2 usage or unreadable
 * source.
 */
@Command(
    name = "validate",
    header =
        "Check manifests and Ordinal's kinds without a cluster, as the daemon does before applying.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:valid",
      "1:invalid, or a source that declares nothing",
      "2:usage error or unreadable source"
    },
    description = {
      "Validate the manifests and Ordinal's kinds (RolloutPolicy, AnalysisTemplate) of folders or"
          + " files, or of a Git repository at a revision, as strictly as the Kubernetes API"
          + " server would. Needs no cluster. Each folder is checked on its own (validate one"
          + " environment at a time); files named together are checked as one tree."
    })
final class ValidateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;
  @Mixin SourceOptions source;

  @Option(
      names = "--strict",
      description =
          "Refuse objects Ordinal cannot check offline (custom resources, alpha APIs) instead of"
              + " noting them.")
  boolean strict;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default) or json: one JSON document with every problem, for CI bots.")
  String output;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Ordinal's daemon config (ordinal.yaml): AnalysisTemplates may then use the Prometheus"
              + " servers and Secrets it lists, as the daemon would allow. Without it a template"
              + " may name neither.")
  Path configFile;

  static final String NOTHING_DECLARED =
      "no Kubernetes objects, rollout policies or analysis templates here; name the folder (or"
          + " --path) that holds the manifests";

  /** The outcome for one source: its problems, or why it could not be read at all. */
  private record Outcome(
      SourceOptions.Source named, String revision, LoadResult result, String unreadable) {
    /** The source as given on the command line, written out where it holds control characters. */
    String source() {
      return Text.escaped(named.label());
    }

    boolean valid() {
      return result instanceof LoadResult.Loaded && !empty();
    }

    /**
     * A source that declares nothing Ordinal reads: as {@code kubectl apply} says "no objects
     * passed to apply", so that a CI job pointed at the wrong folder does not pass.
     */
    boolean empty() {
      DesiredState state = state();
      return state != null
          && state.objects().isEmpty()
          && state.policies().isEmpty()
          && state.templates().isEmpty();
    }

    /** The desired state of a valid source, else null. */
    DesiredState state() {
      return result instanceof LoadResult.Loaded loaded ? loaded.state() : null;
    }
  }

  @Override
  public Integer call() {
    String problem = source.usageProblem();
    if (problem == null && !List.of("text", "json").contains(output.toLowerCase(Locale.ROOT))) {
      problem = "--output must be text or json, not " + output;
    }
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    AnalysisTrust trust = AnalysisTrust.UNCONFIGURED;
    if (configFile != null) {
      try {
        trust = DaemonConfig.load(configFile).analysisTrust();
      } catch (DaemonConfig.ConfigException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 2;
      }
    }
    ManifestLoader loader = new ManifestLoader(ConditionGrammar.INSTANCE, trust).checkOnly();
    if (strict) {
      loader = loader.strict();
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (SourceOptions.Source named : source.sources()) {
      try {
        SourceTree tree = source.read(named);
        outcomes.add(new Outcome(named, tree.revision(), loader.load(tree), null));
      } catch (SourceOptions.SourceException e) {
        outcomes.add(new Outcome(named, null, null, e.getMessage()));
      }
    }
    if (output.equalsIgnoreCase("json")) {
      printJson(outcomes, spec.commandLine().getOut());
    } else {
      outcomes.forEach(this::printText);
    }
    if (outcomes.stream().anyMatch(outcome -> outcome.unreadable() != null)) {
      return 2;
    }
    return outcomes.stream().allMatch(Outcome::valid) ? 0 : 1;
  }

  private void printText(Outcome outcome) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (outcome.unreadable() != null) {
      err.println(outcome.unreadable());
      return;
    }
    LoadResult result = outcome.result();
    result.problems().forEach(err::println);
    String notes = notes(result.notes().size());
    if (result instanceof LoadResult.Invalid invalid) {
      int errors = invalid.errors().size();
      err.printf(
          "%s: %d error%s%s; nothing from %s would be applied%n",
          outcome.source(),
          errors,
          errors == 1 ? "" : "s",
          notes,
          // A plain folder has no revision to speak of.
          LocalDirectory.REVISION.equals(outcome.revision()) ? "it" : "this revision");
      hintEnvironments(outcome, invalid, err);
      return;
    }
    if (outcome.empty()) {
      err.printf("%s: %s%n", outcome.source(), NOTHING_DECLARED);
      return;
    }
    DesiredState state = outcome.state();
    // A plain folder has no revision worth naming; a Git source names its commit.
    String revision =
        LocalDirectory.REVISION.equals(outcome.revision()) ? "" : " at " + outcome.revision();
    out.printf(
        "%s: valid: %s (%s), %s, %s%s%s%n",
        outcome.source(),
        count(state.objects().size(), "object", "objects"),
        count(state.statefulSets().size(), "StatefulSet", "StatefulSets"),
        count(state.policies().size(), "rollout policy", "rollout policies"),
        count(state.templates().size(), "analysis template", "analysis templates"),
        revision,
        notes);
  }

  /**
   * When every error is an object defined again in another folder, as when the environments of one
   * app (envs/staging, envs/prod) are validated together: which folders, and how to check each.
   */
  private void hintEnvironments(Outcome outcome, LoadResult.Invalid invalid, PrintWriter err) {
    SortedSet<String> environments = Environments.of(invalid.duplicates());
    if (environments.isEmpty() || invalid.errors().size() != invalid.duplicates().size()) {
      return;
    }
    err.println(
        "hint: "
            + String.join(" and ", environments.stream().map(Text::escaped).toList())
            + " define the same objects; if they are separate environments, validate each on"
            + " its own:");
    for (String environment : environments) {
      err.println("  ordinal validate " + source.command(outcome.named(), environment));
    }
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String notes(int count) {
    return count == 0 ? "" : " (" + count + " note" + (count == 1 ? "" : "s") + ")";
  }

  /** The JSON document of {@code --output json}. */
  record Report(boolean valid, List<SourceReport> sources) {}

  record SourceReport(
      String source, String revision, boolean valid, Summary summary, List<Problem> problems) {}

  record Summary(int objects, int statefulSets, int rolloutPolicies, int analysisTemplates) {}

  /** One problem; {@code line} and {@code column} are 1-based, 0 when not known. */
  record Problem(String file, int line, int column, String field, String message, String severity) {
    static Problem of(LoadError error) {
      return new Problem(
          error.file(),
          error.line(),
          error.column(),
          error.field(),
          error.message(),
          error.severity().name().toLowerCase(Locale.ROOT));
    }

    /** A line of a source that could not be read, such as "a.yaml: symlink points to ...". */
    static Problem unreadable(String line) {
      int colon = line.indexOf(": ");
      String prefix = colon > 0 ? line.substring(0, colon) : "";
      boolean named = !prefix.isEmpty() && !prefix.contains(" ") && !prefix.contains("://");
      return new Problem(
          named ? line.substring(0, colon) : "",
          0,
          0,
          "",
          named ? line.substring(colon + 2) : line,
          "error");
    }
  }

  private static void printJson(List<Outcome> outcomes, PrintWriter out) {
    List<SourceReport> reports = new ArrayList<>();
    for (Outcome outcome : outcomes) {
      List<Problem> problems = new ArrayList<>();
      Summary summary = null;
      if (outcome.unreadable() != null) {
        outcome.unreadable().lines().map(Problem::unreadable).forEach(problems::add);
      } else {
        outcome.result().problems().stream().map(Problem::of).forEach(problems::add);
        if (outcome.empty()) {
          problems.add(new Problem("", 0, 0, "", NOTHING_DECLARED, "error"));
        }
        DesiredState state = outcome.state();
        if (state != null) {
          summary =
              new Summary(
                  state.objects().size(),
                  state.statefulSets().size(),
                  state.policies().size(),
                  state.templates().size());
        }
      }
      reports.add(
          new SourceReport(
              outcome.source(), outcome.revision(), outcome.valid(), summary, problems));
    }
    try {
      out.println(
          JSON.writeValueAsString(
              new Report(reports.stream().allMatch(SourceReport::valid), reports)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("records of strings and numbers always serialize", e);
    }
  }
}
