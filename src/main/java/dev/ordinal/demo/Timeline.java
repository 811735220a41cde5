package dev.ordinal.demo;

import dev.ordinal.analysis.AnalysisSetupException;
import dev.ordinal.analysis.Measurement;
import dev.ordinal.analysis.MeasurementPhase;
import dev.ordinal.analysis.QueryTemplates;
import dev.ordinal.analysis.RunRecord;
import dev.ordinal.daemon.EventBus;
import dev.ordinal.daemon.StatefulSetObserver;
import dev.ordinal.daemon.Workloads;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.SyncEvent;
import dev.ordinal.sim.SimCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The demo's live timeline: a line for each decision the daemon publishes on its event bus, and for
 * each measurement its analysis runner saves, with the simulated time, the rollout's step and the
 * StatefulSet's pods as a bar. It also keeps the latest rollout state, for the story to wait on.
 *
 * <p>Decisions arrive on the rollout loop's threads and measurements on the analysis threads; each
 * line is written whole under one lock.
 */
final class Timeline implements EventBus.Subscriber {
  /** Column widths: time, step, bar, label. */
  private static final String LINE = "  %5s  %-5s %s  %-19s %s%n";

  private final PrintWriter out;
  private final Instant start;
  private final SimCluster cluster;
  private final Map<String, AnalysisTemplate> templates;
  private final Object lock = new Object();
  private final Map<String, Integer> shown = new HashMap<>();
  private final Map<String, Integer> widest = new ConcurrentHashMap<>();
  private RolloutState latest;
  private Demo.Measured tally = new Demo.Measured(0, 0, 0);

  Timeline(
      PrintWriter out, Instant start, SimCluster cluster, Map<String, AnalysisTemplate> templates) {
    this.out = out;
    this.start = start;
    this.cluster = cluster;
    this.templates = templates;
  }

  /** The legend of the bar, for the demo's header. */
  static String legend() {
    return "[=] a pod on the stable revision, [#] on the new one; '-' and '+' while not Ready;"
        + " a blank where no pod is";
  }

  @Override
  public void on(EventBus.Occurrence o) {
    if (o.event() instanceof SyncEvent sync) {
      print(
          o.at(),
          "-",
          "     ",
          reason(sync),
          "commit " + shortId(sync.revision()) + ": " + sync.message());
      return;
    }
    if (!(o.event() instanceof RolloutEvent event)) {
      return; // the demo's story has no recreate
    }
    // A Waiting is the same decision made again on the next watch event: nothing new to show.
    if (!(event instanceof RolloutEvent.Waiting)) {
      String step = o.state().map(Timeline::step).orElse("");
      print(o.at(), step, bar(o.namespace(), o.name(), o.state()), event.reason(), event.message());
    }
    // After the line, so that the story, woken by this state, writes below it.
    synchronized (lock) {
      o.state().ifPresent(s -> latest = s);
      lock.notifyAll();
    }
  }

  /** Every saved analysis run: the measurements not shown yet, each against its condition. */
  void onRun(RunRecord run) {
    for (RunRecord.MetricRecord metric : run.metrics()) {
      String key = run.runId() + "/" + metric.template() + "/" + metric.metric();
      int taken = metric.tally().counted() + metric.tally().errors();
      List<Measurement> recent = metric.recent();
      int before;
      synchronized (lock) {
        before = shown.getOrDefault(key, 0);
        if (taken <= before) {
          continue;
        }
        shown.put(key, taken);
      }
      int fresh = Math.min(taken - before, recent.size());
      for (Measurement m : recent.subList(recent.size() - fresh, recent.size())) {
        count(m.phase());
        String text =
            String.format(
                "%-18s %-9s %-12s %s",
                metric.metric(),
                m.value().isEmpty() ? "-" : m.value(),
                phase(m.phase()),
                condition(run, metric));
        print(
            m.time(),
            currentStep(),
            bar(run.context().namespace(), run.context().statefulSet(), Optional.empty()),
            "measured",
            text);
      }
    }
  }

  /** A line of the demo's own, such as the person at a manual gate. */
  void say(Instant at, String who, String text) {
    print(at, currentStep(), "     ", who, text);
  }

  RolloutState latest() {
    synchronized (lock) {
      return latest;
    }
  }

  /** Measurements since the last call. */
  Demo.Measured takeTally() {
    synchronized (lock) {
      Demo.Measured t = tally;
      tally = new Demo.Measured(0, 0, 0);
      return t;
    }
  }

  /** A heading of the story, between the timeline's lines. */
  void section(String text) {
    synchronized (lock) {
      out.printf("%n== %s%n", printable(text));
      out.flush();
    }
  }

  /** Something in the cluster changed: wake the story up to look again. */
  void changed() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** {@link #changed()} as a watcher of the cluster's StatefulSets and pods. */
  Workloads.Listener asListener() {
    return new Workloads.Listener() {
      @Override
      public void changed(String key) {
        Timeline.this.changed();
      }

      @Override
      public void deleted(String key) {
        Timeline.this.changed();
      }
    };
  }

  /**
   * Waits until {@code done} holds, looking again at every decision and every change in the
   * cluster, for at most {@code deadline} of wall-clock time.
   *
   * @throws DemoException naming {@code what} when the deadline passes first
   */
  void await(String what, BooleanSupplier done, Duration deadline)
      throws DemoException, InterruptedException {
    long until = System.nanoTime() + deadline.toNanos();
    synchronized (lock) {
      while (!done.getAsBoolean()) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          throw DemoException.story(
              "the demo waited "
                  + deadline.toSeconds()
                  + " s for "
                  + what
                  + ", which did not happen; the rollout is "
                  + (latest == null
                      ? "not started"
                      : latest.phase().displayName() + ": " + latest.reason())
                  + ". Run it again with -v to see the daemon's log.");
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  private void count(MeasurementPhase phase) {
    synchronized (lock) {
      tally =
          new Demo.Measured(
              tally.measured() + 1,
              tally.failed() + (phase == MeasurementPhase.FAILED ? 1 : 0),
              tally.inconclusive() + (phase == MeasurementPhase.INCONCLUSIVE ? 1 : 0));
    }
  }

  private void print(Instant at, String step, String bar, String label, String text) {
    synchronized (lock) {
      out.printf(LINE, clock(at), step, bar, label, printable(text));
      out.flush();
    }
  }

  /** Simulated time since the demo started, as m:ss. */
  private String clock(Instant at) {
    long seconds = Math.max(0, Duration.between(start, at).toSeconds());
    return String.format("%d:%02d", seconds / 60, seconds % 60);
  }

  /** 2/5 at a step, full once every step is done, - when no rollout runs. */
  static String step(RolloutState state) {
    if (state.phase() == Phase.HEALTHY || state.phase() == Phase.ROLLED_BACK) {
      return "-";
    }
    if (state.stepCount() > 0 && state.stepIndex() >= state.stepCount()) {
      return "full";
    }
    return (state.stepIndex() + 1) + "/" + (state.stepCount() > 0 ? state.stepCount() : "?");
  }

  private String currentStep() {
    RolloutState state = latest();
    return state == null ? "" : step(state);
  }

  /**
   * The pods by ordinal: {@code =} on the stable revision, {@code #} on another, {@code -} and
   * {@code +} while not Ready, a space where no pod is.
   */
  private String bar(String namespace, String name, Optional<RolloutState> state) {
    Optional<StatefulSet> sts = cluster.get(namespace, name);
    RolloutState known = state.orElseGet(this::latest);
    if (sts.isEmpty() || sts.get().getSpec().getReplicas() == null) {
      return " ".repeat(widest.getOrDefault(namespace + "/" + name, 3) + 2);
    }
    int replicas = sts.get().getSpec().getReplicas();
    // As wide as the StatefulSet has ever been, so that a scale-down (a restore scales to 0)
    // leaves blanks rather than shifting the columns after the bar.
    int width = widest.merge(namespace + "/" + name, replicas, Math::max);
    char[] pods = new char[width];
    Arrays.fill(pods, ' ');
    String stable = known == null ? null : known.stableRevision();
    for (Pod pod : cluster.pods(sts.get(), Workloads.Read.CACHED)) {
      Optional<PodView> view = StatefulSetObserver.podView(pod);
      if (view.isEmpty() || view.get().ordinal() >= replicas) {
        continue;
      }
      PodView p = view.get();
      boolean onStable = stable == null || p.revision().equals(stable);
      pods[p.ordinal()] = onStable ? (p.available() ? '=' : '-') : (p.available() ? '#' : '+');
    }
    return "[" + new String(pods) + "]";
  }

  /** The metric's conditions as the run judges them, with the args it was given filled in. */
  private String condition(RunRecord run, RunRecord.MetricRecord metric) {
    AnalysisTemplate template = templates.get(metric.template());
    if (template == null) {
      return "";
    }
    Map<String, String> given =
        run.templates().stream()
            .filter(ref -> ref.templateName().equals(metric.template()))
            .map(AnalysisRef::args)
            .findFirst()
            .orElse(Map.of());
    Map<String, String> args;
    try {
      args = QueryTemplates.resolveArgs(template, given);
    } catch (AnalysisSetupException e) {
      args = given;
    }
    for (AnalysisTemplate.Metric m : template.metrics()) {
      if (m.name().equals(metric.metric())) {
        Optional<String> success = m.successCondition().map(c -> "success if " + c);
        Optional<String> failure = m.failureCondition().map(c -> "failure if " + c);
        String text = success.or(() -> failure).orElse("");
        for (Map.Entry<String, String> arg : args.entrySet()) {
          text = text.replace("{{args." + arg.getKey() + "}}", arg.getValue());
        }
        return text;
      }
    }
    return "";
  }

  private static String phase(MeasurementPhase phase) {
    return switch (phase) {
      case SUCCESSFUL -> "Successful";
      case FAILED -> "Failed";
      case INCONCLUSIVE -> "Inconclusive";
      case ERROR -> "Error";
    };
  }

  private static String reason(SyncEvent sync) {
    return sync.getClass().getSimpleName();
  }

  static String shortId(String commit) {
    return commit.length() > 7 ? commit.substring(0, 7) : commit;
  }

  /** Control characters replaced, so nothing echoed can move the cursor or clear the screen. */
  static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    text.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
