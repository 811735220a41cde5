package dev.ordinal.cli;

import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.demo.Demo;
import dev.ordinal.demo.DemoException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ordinal demo}: the orders-database story on the in-memory cluster. */
@Command(
    name = "demo",
    header =
        "Watch Ordinal roll out a good database release and roll back a bad one, no cluster needed.",
    description = {
      "Runs the real Ordinal daemon (Git source, planner, rollout engine, analysis runner, HTTP"
          + " endpoints) over an in-memory cluster and a scripted Prometheus, on simulated time. A"
          + " Git repository seeded from examples/orders-db gets two commits to a PostgreSQL"
          + " StatefulSet with two streaming standbys: a minor upgrade, which goes through a canary"
          + " standby, analysis, a manual gate and the other standby to all pods; and a bad setting,"
          + " whose canary's query errors fail the analysis, so Ordinal rolls it back.",
      "A live timeline shows each decision, each measurement against its condition and the pods"
          + " per revision; a summary follows. It takes under a minute at the default speed."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the story played to its end",
      "1:the story did not end as scripted (a bug: please report it with the output of -v)",
      "2:usage error, or the demo could not start (such as a busy --listen address)"
    })
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--speed",
      paramLabel = "FACTOR",
      defaultValue = "30",
      description =
          "How many times faster than the wall clock simulated time runs, from 1 to 100"
              + " (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(
      names = "--keep",
      description = "Keep the daemon and its status page running after the story, until Ctrl-C.")
  boolean keep;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:0",
      description =
          "Where to serve the status page (/), /status and /metrics (default: a free port on"
              + " 127.0.0.1).")
  String listen;

  @Override
  public Integer call() {
    if (!(speed >= 1 && speed <= 100)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--speed must be between 1 and 100, not "
              + (speed == Math.rint(speed) && !Double.isInfinite(speed)
                  ? Long.toString((long) speed)
                  : Double.toString(speed)));
    }
    Optional<String> badListen = DaemonConfig.listenProblem("--listen", listen);
    if (badListen.isPresent()) {
      // Before the story starts: a bad address is the user's typo, not a demo that failed.
      throw new CommandLine.ParameterException(spec.commandLine(), Text.escaped(badListen.get()));
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Demo.run(new Demo.Options(speed, keep, listen, out));
      return 0;
    } catch (DemoException e) {
      out.flush();
      err.println(e.getMessage());
      return e.atStartup() ? 2 : 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
