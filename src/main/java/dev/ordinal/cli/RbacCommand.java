package dev.ordinal.cli;

import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.kube.RbacManifest;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ordinal rbac}: the RBAC a config needs, exactly, as YAML to apply or commit. */
@Command(
    name = "rbac",
    header = "Print the RBAC (Roles and bindings) Ordinal needs for a config, to apply or commit.",
    description = {
      "Print the RBAC Ordinal needs for a config: a Role in Ordinal's namespace (its Lease, its"
          + " analysis-run ConfigMap, the Secrets the config names) and, in every namespace an app"
          + " may deploy to, a RoleBinding to a ClusterRole with exactly the verbs the code uses."
          + " Backup verbs (VolumeSnapshots, claim deletion, hook execs and Jobs) only where an"
          + " app's boundary allows backups. Nothing is granted cluster-wide unless the config"
          + " allows an app a cluster-scoped kind. Regenerate it whenever the config's apps,"
          + " namespaces, boundaries or Prometheus servers change."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "2:usage error, or an unreadable or invalid config"})
final class RbacCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The daemon's config file.")
  Path configFile;

  @Override
  public Integer call() {
    try {
      spec.commandLine().getOut().print(RbacManifest.yaml(DaemonConfig.load(configFile)));
      spec.commandLine().getOut().flush();
      return 0;
    } catch (DaemonConfig.ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
  }
}
