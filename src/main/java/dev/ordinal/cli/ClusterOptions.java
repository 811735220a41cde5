package dev.ordinal.cli;

import dev.ordinal.kube.KubeAccess;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How a command reaches the cluster: a kubeconfig (default: $KUBECONFIG or ~/.kube/config) and
 * context.
 */
final class ClusterOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      // Picocli may wrap a line after a '.', so the path starts a line of its own: as one
      // sentence, "~/." ended one line and "kube/config" began the next.
      description = {
        "Kubeconfig file. Default: $KUBECONFIG, else",
        "~/.kube/config, else in-cluster."
      })
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "Kubeconfig context (default: the current one).")
  String context;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Namespace for objects that name none (default: the context's, or 'default').")
  String namespace;

  /** Connects; throws {@code ClusterException} with a message that names the kubeconfig. */
  KubeAccess connect() {
    return KubeAccess.connect(kubeconfig, context);
  }

  /** Connects for a command that reads the live twins of its manifests (diff, plan). */
  KubeAccess connectForReads() {
    return KubeAccess.connectForReads(kubeconfig, context);
  }

  /**
   * The StatefulSet's name from {@code name} or {@code namespace/name} (users copy the latter from
   * status output); a namespace given that way becomes this command's namespace, and must agree
   * with {@code -n} if both are given.
   */
  String statefulSetName(CommandLine commandLine, String name) {
    if (!name.contains("/")) {
      return name;
    }
    String[] parts = name.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new CommandLine.ParameterException(
          commandLine, "NAME must be 'name' or 'namespace/name', not " + Text.quoted(name));
    }
    if (namespace != null && !namespace.equals(parts[0])) {
      throw new CommandLine.ParameterException(
          commandLine,
          Text.quoted(name)
              + " names namespace "
              + Text.quoted(parts[0])
              + " but -n says "
              + Text.quoted(namespace));
    }
    namespace = parts[0];
    return parts[1];
  }

  String namespace(KubeAccess access) {
    return namespace != null ? namespace : access.defaultNamespace();
  }
}
