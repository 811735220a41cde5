package dev.ordinal.cli;

import dev.ordinal.kube.KubeAccess;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a command reaches the cluster: a kubeconfig (default: $KUBECONFIG or ~/.kube/config) and
 * context.
 */
final class ClusterOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster).")
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

  String namespace(KubeAccess access) {
    return namespace != null ? namespace : access.defaultNamespace();
  }
}
