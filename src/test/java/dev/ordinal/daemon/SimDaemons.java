package dev.ordinal.daemon;

import dev.ordinal.sim.SimCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A daemon over the in-memory cluster, as the daemon's fast tests start it. */
final class SimDaemons {
  private SimDaemons() {}

  /**
   * A config with its data under {@code tmp}, an HTTP listener on a free port, a poll interval of
   * an hour (tests poll or sync by hand) and the given sync settings (null for the defaults).
   */
  static DaemonConfig config(Path tmp, DaemonConfig.Sync sync, DaemonConfig.App... apps) {
    return new DaemonConfig(
        tmp.resolve("data").toString(),
        "127.0.0.1:0",
        "1h",
        "ordinal",
        null,
        null,
        null,
        null,
        List.of(apps),
        null,
        null,
        null,
        null,
        null,
        List.of(),
        sync,
        null);
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
