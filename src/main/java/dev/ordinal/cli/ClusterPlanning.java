package dev.ordinal.cli;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.daemon.AppSync;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.SourceTree;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code diff} and {@code plan} share, as a picocli mixin: where the manifests are, how to
 * reach the cluster, the app name; and reading, connecting and planning with them.
 */
final class ClusterPlanning {
  @Mixin SourceOptions source;
  @Mixin ClusterOptions cluster;

  @Option(
      names = "--app",
      defaultValue = "ordinal",
      description = "App name for the inventory label (default: ${DEFAULT-VALUE}).")
  String app;

  /** A plan, or the exit code (2) after the reason was printed to stderr. */
  record Outcome(AppSync.Planned planned, int exitCode) {}

  Outcome plan(CommandLine.Model.CommandSpec spec, boolean prune) {
    String problem = source.usageProblem();
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    PrintWriter err = spec.commandLine().getErr();
    SourceTree tree;
    try {
      tree = source.read();
    } catch (SourceOptions.SourceException e) {
      err.println(e.getMessage());
      return new Outcome(null, 2);
    }
    try (KubeAccess access = cluster.connect()) {
      try {
        AppSync sync =
            new AppSync(
                app,
                cluster.namespace(access),
                prune,
                new ManifestLoader(ConditionGrammar.INSTANCE),
                access.cluster());
        AppSync.Planned planned = sync.plan(tree);
        if (planned.invalid() != null) {
          planned.invalid().errors().forEach(err::println);
          return new Outcome(null, 2);
        }
        return new Outcome(planned, 0);
      } catch (RuntimeException e) {
        throw access.explain(e);
      }
    } catch (ClusterException e) {
      err.println(e.getMessage());
      return new Outcome(null, 2);
    }
  }
}
