package dev.ordinal.cli;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.sync.AppSync;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ordinal plan}: only the rollout previews of {@code ordinal diff}, as Markdown for a pull
 * request. Exit 0 no rollouts, 1 rollouts to run, 2 error.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "plan",
    description = {
      "Show, as Markdown for a pull request, the rollout that applying the manifests would start for",
      "each StatefulSet whose pod template changes under a RolloutPolicy: steps, pods, deadline, rollback.",
      "Exit codes: 0 no rollouts, 1 rollouts to run, 2 error."
    })
final class PlanCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin SourceOptions source;
  @Mixin ClusterOptions cluster;

  @Option(names = "--app", defaultValue = "ordinal", description = "App name for the inventory label (default: ${DEFAULT-VALUE}).")
  String app;

  @Override
  public Integer call() {
    String problem = source.usageProblem();
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SourceTree tree;
    try {
      tree = source.read();
    } catch (SourceOptions.SourceException e) {
      err.println(e.getMessage());
      return 2;
    }
    try (KubernetesClient client = cluster.client()) {
      AppSync sync = new AppSync(app, cluster.namespace(client), false, new ManifestLoader(), new KubeCluster(client));
      AppSync.Planned planned = sync.plan(tree);
      if (planned.invalid() != null) {
        planned.invalid().errors().forEach(err::println);
        return 2;
      }
      List<String> sections = RolloutPlans.sections(planned);
      if (sections.isEmpty()) {
        err.println("no rollouts: no pod template of a StatefulSet under a RolloutPolicy changes");
        return 0;
      }
      out.print(String.join("\n", sections));
      out.flush();
      return 1;
    } catch (IOException | KubernetesClientException e) {
      err.println("cannot reach the cluster: " + e.getMessage());
      return 2;
    }
  }
}
