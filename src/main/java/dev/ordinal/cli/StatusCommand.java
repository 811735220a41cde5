package dev.ordinal.cli;

import dev.ordinal.analysis.RunRecord;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.rollout.Annotations;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordinal status [NAME] [--watch]}: the rollout of one StatefulSet in detail, or a table of
 * every StatefulSet in the namespace that has an Ordinal rollout state. Exit 0 shown, 1 no such
 * StatefulSet, 2 usage error or cluster unreachable.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "status",
    description = {
      "Show the rollout of a StatefulSet: phase, step, stable and target revisions, pods per revision,",
      "partition, recent analysis verdicts and pending commands (like 'kubectl argo rollouts get rollout').",
      "Without NAME: a table of every StatefulSet in the namespace with an Ordinal rollout state.",
      "--watch re-renders on every change of the StatefulSet or its pods until interrupted (Ctrl-C)."
    })
final class StatusCommand implements Callable<Integer> {
  private static final String CLOSED = "closed";
  private static final long SETTLE_MILLIS = 150;
  private static final long RETRY_MILLIS = 2_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ClusterOptions cluster;

  @Parameters(
      arity = "0..1",
      paramLabel = "NAME",
      description = "The StatefulSet (name or namespace/name); all when omitted.")
  String name;

  @Option(
      names = {"-w", "--watch"},
      description = "Keep watching and re-render on every change.")
  boolean watch;

  @Option(
      names = "--ordinal-namespace",
      paramLabel = "NS",
      defaultValue = "${env:ORDINAL_NAMESPACE:-ordinal-system}",
      description =
          "Ordinal's own namespace, where analysis measurements are kept (default: ${DEFAULT-VALUE}).")
  String ordinalNamespace;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (name != null && name.contains("/")) {
      String[] parts = name.split("/", -1);
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "NAME must be 'name' or 'namespace/name', not '" + name + "'");
      }
      if (cluster.namespace != null && !cluster.namespace.equals(parts[0])) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "'" + name + "' names namespace " + parts[0] + " but -n says " + cluster.namespace);
      }
      cluster.namespace = parts[0];
      name = parts[1];
    }
    try (KubeAccess client = cluster.connect()) {
      String namespace = cluster.namespace(client);
      Snapshot first = snapshot(client, namespace);
      if (name != null && !first.found && !watch) {
        err.println("StatefulSet " + namespace + "/" + name + " not found");
        return 1;
      }
      out.print(first.text);
      out.flush();
      if (!watch) {
        return 0;
      }
      return watch(client, namespace, first.text, out);
    } catch (ClusterException e) {
      err.println(e.getMessage());
      return 2;
    }
  }

  /**
   * Re-renders on every event until the thread is interrupted; prints only when the view changed. A
   * watch the server closes (e.g. its history expired) is opened again; an unreachable API server
   * is reported and retried, since a watching user wants the view back when the cluster is.
   */
  private int watch(KubeAccess client, String namespace, String shown, PrintWriter out) {
    PrintWriter err = spec.commandLine().getErr();
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    List<AutoCloseable> watches = new ArrayList<>();
    try {
      while (true) {
        if (watches.isEmpty()) {
          try {
            open(client, namespace, events, watches);
          } catch (ClusterException e) {
            closeAll(watches);
            err.println("cannot watch: " + e.getMessage() + "; retrying");
            err.flush();
            Thread.sleep(RETRY_MILLIS);
            continue;
          }
          // Something may have changed before the watches started.
          events.add("start");
        }
        String event = events.take();
        if (event.startsWith(CLOSED)) {
          closeAll(watches);
          continue;
        }
        // Events come in bursts (a pod update, then the controller's status update): settle
        // briefly, but not for ever in a busy namespace.
        long settleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        String more;
        while ((more =
                events.poll(Math.max(0, settleUntil - System.nanoTime()), TimeUnit.NANOSECONDS))
            != null) {
          if (more.startsWith(CLOSED)) {
            events.add(more);
            break;
          }
        }
        String text;
        try {
          text = snapshot(client, namespace).text;
        } catch (ClusterException e) {
          err.println(e.getMessage() + "; retrying");
          err.flush();
          Thread.sleep(RETRY_MILLIS);
          events.add("retry");
          continue;
        }
        if (!text.equals(shown)) {
          out.println();
          out.print(text);
          out.flush();
          shown = text;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } finally {
      closeAll(watches);
    }
  }

  private void open(
      KubeAccess client,
      String namespace,
      BlockingQueue<String> events,
      List<AutoCloseable> watches) {
    watches.add(
        client.watch(namespace, name, () -> events.add("event"), why -> events.add(CLOSED + why)));
  }

  private static void closeAll(List<AutoCloseable> watches) {
    for (AutoCloseable w : watches) {
      try {
        w.close();
      } catch (Exception e) {
        // already closed by the server: nothing to release
      }
    }
    watches.clear();
  }

  private record Snapshot(boolean found, String text) {}

  /**
   * The analysis runs Ordinal keeps; none when they cannot be read (status still works without).
   */
  private List<RunRecord> analysisRuns(KubeAccess client) {
    return client.analysisRuns(ordinalNamespace, Daemon.ANALYSIS_RUNS);
  }

  private Snapshot snapshot(KubeAccess client, String namespace) {
    if (name != null) {
      StatefulSet sts = client.statefulSet(namespace, name).orElse(null);
      if (sts == null) {
        return new Snapshot(false, "StatefulSet " + namespace + "/" + name + " not found\n");
      }
      return new Snapshot(
          true,
          StatusView.render(sts, podsOf(sts, client.pods(namespace)))
              + MeasurementsView.render(namespace, name, analysisRuns(client)));
    }
    List<StatefulSet> withState = new ArrayList<>();
    for (StatefulSet sts : client.statefulSets(namespace)) {
      if (Annotations.state(sts.getMetadata().getAnnotations()).isPresent()) {
        withState.add(sts);
      }
    }
    if (withState.isEmpty()) {
      return new Snapshot(
          true, "No StatefulSet in namespace " + namespace + " has an Ordinal rollout state.\n");
    }
    List<Pod> pods = client.pods(namespace);
    return new Snapshot(
        true,
        "Namespace " + namespace + "\n" + StatusView.table(withState, sts -> podsOf(sts, pods)));
  }

  /**
   * The pods of {@code sts} among {@code pods}: named {@code <sts>-<ordinal>} and owned by it (or
   * carrying its labels).
   */
  static List<Pod> podsOf(StatefulSet sts, List<Pod> pods) {
    String stsName = sts.getMetadata().getName();
    Pattern own = Pattern.compile(Pattern.quote(stsName) + "-\\d+");
    Map<String, String> selector =
        sts.getSpec() == null
                || sts.getSpec().getSelector() == null
                || sts.getSpec().getSelector().getMatchLabels() == null
            ? Map.of()
            : sts.getSpec().getSelector().getMatchLabels();
    List<Pod> result = new ArrayList<>();
    for (Pod pod : pods) {
      if (!own.matcher(pod.getMetadata().getName()).matches()) {
        continue;
      }
      boolean owned =
          pod.getMetadata().getOwnerReferences() != null
              && pod.getMetadata().getOwnerReferences().stream()
                  .anyMatch(r -> "StatefulSet".equals(r.getKind()) && stsName.equals(r.getName()));
      Map<String, String> labels =
          pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
      boolean selected = !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
      if (owned || selected) {
        result.add(pod);
      }
    }
    return result;
  }
}
