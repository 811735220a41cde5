package dev.ordinal.metrics;

import dev.ordinal.rollout.DomainEvent;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Metrics counted from rollout decisions as they are published (after their write succeeded):
 * decisions by action, rollout events by reason, rollbacks by cause, and how long each step took.
 * Labels are the StatefulSet's namespace and name and small closed sets (action kinds, event
 * reasons, phase reasons); never a revision or a pod name. A StatefulSet's series go when it leaves
 * the cluster ({@link #forget}).
 */
public final class RolloutMetrics {
  /** The causes a rollback counter exists for from the first decision on, so increase() works. */
  private static final List<PhaseReason> ROLLBACK_CAUSES =
      List.of(
          PhaseReason.ANALYSIS_FAILED,
          PhaseReason.PROGRESS_DEADLINE_EXCEEDED,
          PhaseReason.CRASH_LOOP,
          PhaseReason.ABORTED);

  private final Counter decisions;
  private final Counter events;
  private final Counter rollbacks;
  private final Histogram stepDuration;
  private final Map<String, StepMark> steps = new ConcurrentHashMap<>();

  /** Where a StatefulSet's rollout stood at its last decision. */
  private record StepMark(int rollout, int index, Instant startedAt) {}

  public RolloutMetrics(PrometheusRegistry registry) {
    decisions =
        Counter.builder()
            .name("ordinal_decisions_total")
            .help(
                "Rollout decisions carried out, by the kind of action: Wait, SetPartition,"
                    + " DeletePod, StartAnalysis, StopAnalysis, UpdateState, None")
            .labelNames("action")
            .register(registry);
    events =
        Counter.builder()
            .name("ordinal_rollout_events_total")
            .help(
                "Rollout events by Kubernetes Event reason and type, as posted on the StatefulSet"
                    + " (waits are not counted)")
            .labelNames("namespace", "statefulset", "reason", "type")
            .register(registry);
    rollbacks =
        Counter.builder()
            .name("ordinal_rollbacks_total")
            .help(
                "Rollbacks started, by cause: analysis_failed, progress_deadline_exceeded,"
                    + " crash_loop, aborted")
            .labelNames("namespace", "statefulset", "reason")
            .register(registry);
    stepDuration =
        Histogram.builder()
            .name("ordinal_rollout_step_duration_seconds")
            .help("How long each finished rollout step took, from its start to the next step's")
            .labelNames("namespace", "statefulset")
            .classicOnly()
            .classicUpperBounds(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600)
            .register(registry);
  }

  /** The label value of a phase reason: {@code ANALYSIS_FAILED} → {@code analysis_failed}. */
  public static String label(PhaseReason reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Counts one published decision.
   *
   * @param action the kind of action that carried the event out, as the event bus names it
   * @param state the rollout state after the action, when the event is a rollout's
   */
  public void decided(
      Instant at,
      String namespace,
      String name,
      String action,
      DomainEvent event,
      Optional<RolloutState> state) {
    if (!(event instanceof RolloutEvent rollout)) {
      return;
    }
    String key = namespace + "/" + name;
    if (!steps.containsKey(key)) {
      for (PhaseReason cause : ROLLBACK_CAUSES) {
        rollbacks.labelValues(namespace, name, label(cause));
      }
    }
    decisions.labelValues(action).inc();
    if (!(rollout instanceof RolloutEvent.Waiting)) {
      events.labelValues(namespace, name, rollout.reason(), rollout.type().displayName()).inc();
    }
    if (rollout instanceof RolloutEvent.RollbackStarted started) {
      rollbacks.labelValues(namespace, name, label(started.cause())).inc();
    }
    state.ifPresent(s -> step(key, namespace, name, s, rollout, at));
    if (state.isEmpty()) {
      steps.putIfAbsent(key, new StepMark(-1, -1, at));
    }
  }

  /** Drops every series of a StatefulSet that left the cluster, so series stay bounded. */
  public void forget(String namespace, String name) {
    Function<List<String>, Boolean> of = l -> l.get(0).equals(namespace) && l.get(1).equals(name);
    events.removeIf(of);
    rollbacks.removeIf(of);
    stepDuration.removeIf(of);
    steps.remove(namespace + "/" + name);
  }

  private void step(
      String key, String namespace, String name, RolloutState s, RolloutEvent event, Instant at) {
    StepMark now = new StepMark(s.rollout(), s.stepIndex(), s.stepStartedAt());
    StepMark before = steps.put(key, now);
    if (before == null || before.rollout() != now.rollout()) {
      return;
    }
    if (now.index() > before.index()) {
      observe(namespace, name, Duration.between(before.startedAt(), now.startedAt()));
    } else if (event instanceof RolloutEvent.RolloutCompleted) {
      // the last step (full promotion) ends with the rollout, not with a next step
      observe(namespace, name, Duration.between(before.startedAt(), at));
      steps.put(key, new StepMark(now.rollout(), Integer.MAX_VALUE, at));
    }
  }

  private void observe(String namespace, String name, Duration took) {
    if (!took.isNegative()) {
      stepDuration.labelValues(namespace, name).observe(took.toMillis() / 1000.0);
    }
  }
}
