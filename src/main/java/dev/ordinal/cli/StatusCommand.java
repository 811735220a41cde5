package dev.ordinal.cli;

import dev.ordinal.analysis.RunRecord;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.manifest.Durations;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.RolloutStateFormatException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * {@code ordinal status [NAME] [--watch [--timeout D]] [-o json|yaml]}: the rollout of one
 * StatefulSet in detail, or a table of every StatefulSet in the namespace that has an Ordinal
 * rollout state. With a timeout it waits for the rollout to end, as {@code kubectl argo rollouts
 * status} does, for CI pipelines.
 */
@Command(
    name = "status",
    header =
        "Show the rollout of a StatefulSet, or of every StatefulSet Ordinal manages in a namespace.",
    description = {
      "Show the rollout of a StatefulSet: phase, step, stable and target revisions, pods per "
          + "revision, partition, recent analysis verdicts and pending commands (like 'kubectl argo "
          + "rollouts get rollout'). Without NAME: a table of every StatefulSet in the namespace with "
          + "an Ordinal rollout state.",
      "--watch re-renders on every change of the StatefulSet or its pods until interrupted "
          + "(Ctrl-C); with --timeout it stops when the rollout ends: Healthy with nothing left to "
          + "roll out exits 0, Degraded or RolledBack exits 1, still going after the timeout exits 3 "
          + "(like 'kubectl argo rollouts status --timeout').",
      "-o json or -o yaml prints the same as data, with the rollout state as Ordinal stores it."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:shown; with --timeout: the rollout is Healthy",
      "1:no such StatefulSet; with --timeout: the rollout is Degraded or RolledBack",
      "2:usage error, or the cluster is unreachable",
      "3:with --timeout: the rollout had not ended when the timeout passed"
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
      names = "--timeout",
      paramLabel = "DURATION",
      description =
          "With --watch: wait at most this long (such as 90s or 10m) for the rollout of NAME to end,"
              + " and exit by how it ended (see the exit codes).")
  String timeout;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default), json or yaml.")
  String output;

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
    if (!List.of("text", "json", "yaml").contains(output)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--output must be text, json or yaml, not " + Text.quoted(output));
    }
    Duration limit = null;
    if (timeout != null) {
      if (!watch || name == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--timeout waits for one rollout: give NAME and --watch");
      }
      limit =
          Durations.parse(timeout)
              .filter(d -> !d.isZero())
              .orElseThrow(
                  () ->
                      new CommandLine.ParameterException(
                          spec.commandLine(),
                          "--timeout must be a duration such as 90s or 10m, not "
                              + Text.quoted(timeout)));
    }
    if (name != null) {
      name = cluster.statefulSetName(spec.commandLine(), name);
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
      if (limit != null && first.ended.isPresent()) {
        return first.ended.get();
      }
      return watch(client, namespace, first.text, out, limit);
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
  private int watch(
      KubeAccess client, String namespace, String shown, PrintWriter out, Duration limit) {
    PrintWriter err = spec.commandLine().getErr();
    long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
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
        String event =
            limit == null
                ? events.take()
                : events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (event == null) {
          err.println(
              "timed out after "
                  + timeout
                  + ": the rollout of "
                  + namespace
                  + "/"
                  + name
                  + " has not ended");
          return 3;
        }
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
        Snapshot now;
        try {
          now = snapshot(client, namespace);
        } catch (ClusterException e) {
          err.println(e.getMessage() + "; retrying");
          err.flush();
          Thread.sleep(RETRY_MILLIS);
          events.add("retry");
          continue;
        }
        if (!now.text.equals(shown)) {
          out.println();
          out.print(now.text);
          out.flush();
          shown = now.text;
        }
        if (limit != null && now.ended.isPresent()) {
          return now.ended.get();
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

  /**
   * What was shown, and for one StatefulSet whether its rollout has ended: the exit code {@code
   * --timeout} ends with (0 Healthy with nothing pending, 1 Degraded or RolledBack).
   */
  private record Snapshot(boolean found, String text, Optional<Integer> ended) {
    Snapshot(boolean found, String text) {
      this(found, text, Optional.empty());
    }
  }

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
      List<Pod> pods = podsOf(sts, client.pods(namespace));
      String text =
          output.equals("text")
              ? StatusView.render(sts, pods)
                  + MeasurementsView.render(namespace, name, analysisRuns(client))
              : StatusDocument.render(StatusDocument.of(sts, pods), output);
      return new Snapshot(true, text, ended(sts));
    }
    List<StatefulSet> withState = new ArrayList<>();
    for (StatefulSet sts : client.statefulSets(namespace)) {
      if (Annotations.state(sts.getMetadata().getAnnotations()).isPresent()) {
        withState.add(sts);
      }
    }
    List<Pod> pods = client.pods(namespace);
    if (!output.equals("text")) {
      return new Snapshot(
          true,
          StatusDocument.render(
              withState.stream().map(sts -> StatusDocument.of(sts, podsOf(sts, pods))).toList(),
              output));
    }
    if (withState.isEmpty()) {
      return new Snapshot(
          true, "No StatefulSet in namespace " + namespace + " has an Ordinal rollout state.\n");
    }
    return new Snapshot(
        true,
        "Namespace " + namespace + "\n" + StatusView.table(withState, sts -> podsOf(sts, pods)));
  }

  /**
   * How the rollout ended, if it has: Degraded or RolledBack (1), or Healthy with the StatefulSet
   * controller's latest revision stable, so no template change waits to be rolled out (0).
   */
  static Optional<Integer> ended(StatefulSet sts) {
    Optional<String> json = Annotations.state(sts.getMetadata().getAnnotations());
    if (json.isEmpty()) {
      return Optional.empty();
    }
    RolloutState state;
    try {
      state = RolloutState.fromJson(json.get());
    } catch (RolloutStateFormatException e) {
      return Optional.empty();
    }
    if (state.phase() == Phase.DEGRADED || state.phase() == Phase.ROLLED_BACK) {
      return Optional.of(1);
    }
    var status = sts.getStatus();
    boolean observed =
        status != null
            && status.getObservedGeneration() != null
            && sts.getMetadata().getGeneration() != null
            && status.getObservedGeneration() >= sts.getMetadata().getGeneration();
    if (state.phase() == Phase.HEALTHY
        && observed
        && state.stableRevision().equals(status.getUpdateRevision())) {
      return Optional.of(0);
    }
    return Optional.empty();
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
