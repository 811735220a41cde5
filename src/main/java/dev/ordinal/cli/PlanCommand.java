package dev.ordinal.cli;

import dev.ordinal.daemon.AppSync;
import dev.ordinal.plan.RolloutPlans;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ordinal plan}: only the rollout previews of {@code ordinal diff}, as Markdown for a pull
 * request. Exit 0 no rollouts, 1 rollouts to run, 2 error.
 */
@Command(
    name = "plan",
    header =
        "Show, as Markdown for a pull request, the rollouts applying the manifests would start.",
    description = {
      "Show, as Markdown for a pull request, the rollout that applying the manifests would "
          + "start for each StatefulSet whose pod template changes under a RolloutPolicy: steps, "
          + "pods, deadline, rollback."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no rollouts",
      "1:rollouts to run",
      "2:usage error, invalid manifests, or the cluster is unreachable"
    })
final class PlanCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ClusterPlanning planning;

  @Override
  public Integer call() {
    ClusterPlanning.Outcome outcome = planning.plan(spec, false);
    if (outcome.planned() == null) {
      return outcome.exitCode();
    }
    AppSync.Planned planned = outcome.planned();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> sections =
        new ArrayList<>(RolloutPlans.recreateSections(planned.plan(), planned.state()));
    sections.addAll(RolloutPlans.sections(planned.plan(), planned.state()));
    if (sections.isEmpty()) {
      err.println("no rollouts: no pod template of a StatefulSet under a RolloutPolicy changes");
      return 0;
    }
    out.print(String.join("\n", sections));
    out.flush();
    return 1;
  }
}
