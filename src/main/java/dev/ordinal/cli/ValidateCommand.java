package dev.ordinal.cli;

import dev.ordinal.manifest.LoadError;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.SourceTree;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
    exitCodeList = {"0:valid", "1:invalid", "2:usage error or unreadable source"},
    description = {
      "Validate the manifests and Ordinal's kinds (RolloutPolicy, AnalysisTemplate) of a folder,",
      "or of a Git repository at a revision. Needs no cluster. Exit codes: 0 valid, 1 invalid, 2 error."
    })
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin SourceOptions source;

  @Override
  public Integer call() {
    String problem = source.usageProblem();
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<SourceTree> trees;
    try {
      trees = source.readAll();
    } catch (SourceOptions.SourceException e) {
      err.println(e.getMessage());
      return 2;
    }
    ManifestLoader loader = new ManifestLoader();
    int exit = 0;
    for (int i = 0; i < trees.size(); i++) {
      String label = source.repo != null ? source.repo : source.directories.get(i).toString();
      if (validate(label, trees.get(i), loader, out, err) != 0) {
        exit = 1;
      }
    }
    return exit;
  }

  private static int validate(
      String label, SourceTree tree, ManifestLoader loader, PrintWriter out, PrintWriter err) {
    LoadResult result = loader.load(tree);
    if (result instanceof LoadResult.Invalid invalid) {
      for (LoadError error : invalid.errors()) {
        err.println(error);
      }
      err.printf(
          "%s: %d error%s; nothing from this revision would be applied%n",
          label, invalid.errors().size(), invalid.errors().size() == 1 ? "" : "s");
      return 1;
    }
    var state = ((LoadResult.Loaded) result).state();
    out.printf(
        "%s: valid: %d objects (%d StatefulSets), %d rollout polic%s, %d analysis template%s at %s%n",
        label,
        state.objects().size(),
        state.statefulSets().size(),
        state.policies().size(),
        state.policies().size() == 1 ? "y" : "ies",
        state.templates().size(),
        state.templates().size() == 1 ? "" : "s",
        tree.revision());
    return 0;
  }
}
