package dev.ordinal.cli;

import dev.ordinal.daemon.AppSync;
import dev.ordinal.plan.ObjectPlan;
import dev.ordinal.plan.Plan;
import dev.ordinal.plan.RolloutPlans;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ordinal diff}: like {@code kubectl diff}. Exit 0 no changes, 1 changes, 2 error. */
@Command(
    name = "diff",
    header = "Show what applying the manifests would change in the cluster, like kubectl diff.",
    description = {
      "Show, as a unified diff per object, what applying the manifests would change in the "
          + "cluster. Server defaults are normalised away.",
      "A pod template change of a StatefulSet under a RolloutPolicy is followed by its rollout "
          + "plan (as 'ordinal plan' prints it) unless --no-rollout-plan.",
      "The app is the one whose inventory label (ordinal.dev/app) the live objects carry; --app "
          + "names it when they carry none or several. A clean diff prints 'no changes'."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no changes",
      "1:changes, or a change Kubernetes forbids",
      "2:usage error, invalid manifests, or the cluster is unreachable"
    })
final class DiffCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ClusterPlanning planning;

  @Option(
      names = "--prune",
      description = "Also show objects of this app that left Git and would be pruned.")
  boolean prune;

  @Option(
      names = "--no-rollout-plan",
      description =
          "Leave out the rollout plan shown after the diff for each StatefulSet whose pod template changes under a RolloutPolicy.")
  boolean noRolloutPlan;

  @Override
  public Integer call() {
    ClusterPlanning.Outcome outcome = planning.plan(spec, prune);
    if (outcome.planned() == null) {
      return outcome.exitCode();
    }
    AppSync.Planned planned = outcome.planned();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Plan plan = planned.plan();
    if (!plan.hasChanges() && !plan.hasRefusals()) {
      out.println("no changes: the cluster matches the manifests");
      out.flush();
      return 0;
    }
    out.print(plan.unifiedDiff());
    if (!noRolloutPlan) {
      for (String section : RolloutPlans.sections(planned.plan(), planned.state())) {
        out.print("\n" + section);
      }
    }
    for (ObjectPlan.Refused refused : plan.ofType(ObjectPlan.Refused.class)) {
      err.println("refused: " + refused.message());
    }
    out.flush();
    return plan.hasChanges() || plan.hasRefusals() ? 1 : 0;
  }
}
