package dev.ordinal.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
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

  KubernetesClient client() throws IOException {
    Config config;
    if (kubeconfig != null) {
      config = Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
    } else {
      config = Config.autoConfigure(context);
    }
    // A one-shot command should say the cluster is unreachable within seconds, not retry for long.
    config.setRequestRetryBackoffLimit(1);
    config.setConnectionTimeout(5_000);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  String namespace(KubernetesClient client) {
    if (namespace != null) {
      return namespace;
    }
    String fromContext = client.getNamespace();
    return fromContext == null ? "default" : fromContext;
  }
}
