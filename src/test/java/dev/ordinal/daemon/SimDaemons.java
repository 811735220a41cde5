package dev.ordinal.daemon;

import dev.ordinal.sim.SimCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A daemon over the in-memory cluster, as the daemon's fast tests start it. */
final class SimDaemons {
  private SimDaemons() {}

  /**
   * The config a user would write as {@code yaml} (its apps and sync settings), read by the
   * daemon's own loader, with its data under {@code tmp}, an HTTP listener on a free port and a
   * poll interval of an hour (tests poll or sync by hand).
   */
  static DaemonConfig config(Path tmp, String yaml) throws Exception {
    Path file = tmp.resolve("ordinal.yaml");
    Files.writeString(
        file,
        """
        dataDir: %s
        listen: 127.0.0.1:0
        pollInterval: 1h
        ordinalNamespace: ordinal
        """
                .formatted(tmp.resolve("data"))
            + yaml);
    return DaemonConfig.load(file);
  }

  /** Starts {@code config} over {@code cluster}, on its clock, with a Prometheus that says 0. */
  static Daemon start(DaemonConfig config, SimCluster cluster, String identity) throws Exception {
    return Daemon.start(
        config,
        Duration.ofHours(1),
        new Daemon.Ports(cluster, new DaemonOverSimTest.ScriptedPrometheus(), cluster.clock(), 1),
        identity);
  }
}
