package dev.ordinal.cli;

import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.Durations;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ordinal run}: the sidecar daemon that keeps several apps in sync with Git. */
@Command(
    name = "run",
    header = "Run the GitOps daemon for the apps in a config file.",
    description = {
      "Polls each app's Git repository (and fetches at once on a verified push webhook), "
          + "validates, plans and applies with server-side apply, and drives the rollouts of "
          + "StatefulSets under a RolloutPolicy. Only the leader of the Lease 'ordinal' writes.",
      "Serves /metrics, /healthz, /readyz and /status on the config's listen address, and push"
          + " webhooks on their own (webhook.listen, default 0.0.0.0:8081). Logs to stderr ($ORDINAL_LOG_LEVEL, default INFO). Runs until stopped (SIGTERM, Ctrl-C)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped",
      "2:usage error, an invalid config, a busy listen address, or the cluster is unreachable"
    })
final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ClusterOptions cluster;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The daemon's config file.")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    DaemonConfig config;
    Duration pollInterval;
    try {
      config = DaemonConfig.load(configFile);
      pollInterval =
          Durations.parse(config.pollIntervalOrDefault())
              .filter(d -> !d.isZero())
              .orElseThrow(
                  () ->
                      new DaemonConfig.ConfigException(
                          configFile
                              + ": pollInterval: not a duration such as 60s or 5m: "
                              + Text.quoted(config.pollIntervalOrDefault())));
    } catch (DaemonConfig.ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    Daemon daemon;
    KubeAccess access = null;
    try {
      access = cluster.connect();
      String identity = Daemon.defaultIdentity();
      KubeCluster kube = access.clusterFor(identity, Clock.systemUTC());
      daemon = Daemon.start(config, pollInterval, Daemon.Ports.of(kube, config), identity);
    } catch (GitSourceException | IOException | ClusterException e) {
      spec.commandLine().getErr().println(e.getMessage());
      if (access != null) {
        access.close();
      }
      return 2;
    } catch (RuntimeException e) {
      // The cluster did not answer at the start (Cluster.checkReachable): one line that says
      // where Ordinal tried, as every other command says it, and the usage-or-other exit code.
      Optional<ClusterException> explained =
          access == null ? Optional.empty() : access.explainClientFailure(e);
      if (access != null) {
        access.close();
      }
      if (explained.isEmpty()) {
        throw e;
      }
      spec.commandLine().getErr().println(explained.get().getMessage());
      return 2;
    }
    KubeAccess connection = access;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  daemon.close();
                  connection.close();
                  stopped.countDown();
                },
                "ordinal-shutdown"));
    stopped.await();
    return 0;
  }
}
