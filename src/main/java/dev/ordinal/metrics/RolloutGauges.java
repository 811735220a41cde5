package dev.ordinal.metrics;

import dev.ordinal.rollout.LiveRollout;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutState;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Gauges read at scrape time from the rollouts the watch caches hold: where each rollout stands
 * (phase as a state set, its reason, step i of n, time in the step, time without progress against
 * the deadline) and how many pods run each revision role. An event stream cannot say these after a
 * restart or on a standby; the caches can, and both Ordinals of a pair report the same.
 */
public final class RolloutGauges {
  private static final String[] KEY = {"namespace", "statefulset"};

  private final Supplier<List<LiveRollout>> rollouts;
  private final Clock clock;

  public RolloutGauges(
      PrometheusRegistry registry, Supplier<List<LiveRollout>> rollouts, Clock clock) {
    this.rollouts = rollouts;
    this.clock = clock;
    gauge(
        registry,
        "ordinal_rollout_phase",
        "A state set: 1 for the rollout's current phase (Healthy, Progressing, Paused, Degraded,"
            + " RolledBack), 0 for the others",
        new String[] {"namespace", "statefulset", "phase"},
        (r, cb) -> {
          for (Phase p : Phase.values()) {
            cb.call(r.phase() == p ? 1 : 0, ns(r), name(r), p.displayName());
          }
        });
    gauge(
        registry,
        "ordinal_rollout_info",
        "Always 1: the app whose Git commit started the rollout and the machine-readable reason"
            + " for its phase (the status page and ordinal status give the words)",
        new String[] {"namespace", "statefulset", "app", "reason"},
        (r, cb) ->
            cb.call(
                1,
                ns(r),
                name(r),
                r.sts().source().app(),
                RolloutMetrics.label(
                    r.state().map(RolloutState::reasonCode).orElse(PhaseReason.NONE))));
    gauge(
        registry,
        "ordinal_rollout_step",
        "The current step, counted from 1 (steps + 1 during full promotion); 0 when no rollout"
            + " runs",
        KEY,
        (r, cb) -> cb.call(r.active() ? stepIndex(r) + 1 : 0, ns(r), name(r)));
    gauge(
        registry,
        "ordinal_rollout_steps",
        "How many steps the rollout policy has",
        KEY,
        (r, cb) -> cb.call(r.spec().steps().size(), ns(r), name(r)));
    gauge(
        registry,
        "ordinal_rollout_replicas",
        "The StatefulSet's desired replicas",
        KEY,
        (r, cb) -> cb.call(r.sts().replicas(), ns(r), name(r)));
    gauge(
        registry,
        "ordinal_rollout_pods",
        "Pods by revision role: stable (what a rollback returns to), canary (the revision rolled"
            + " out), other",
        new String[] {"namespace", "statefulset", "role"},
        (r, cb) -> {
          for (LiveRollout.Role role : LiveRollout.Role.values()) {
            cb.call(r.pods(role), ns(r), name(r), role.label());
          }
        });
    gauge(
        registry,
        "ordinal_rollout_ready_pods",
        "Ready pods by revision role",
        new String[] {"namespace", "statefulset", "role"},
        (r, cb) -> {
          for (LiveRollout.Role role : LiveRollout.Role.values()) {
            cb.call(r.ready(role), ns(r), name(r), role.label());
          }
        });
    gauge(
        registry,
        "ordinal_rollout_step_seconds",
        "How long the current step has run; 0 when no rollout runs",
        KEY,
        (r, cb) -> cb.call(seconds(r.timeInStep(now())), ns(r), name(r)));
    gauge(
        registry,
        "ordinal_rollout_without_progress_seconds",
        "How long pods have made no progress while the rollout waits for them; past"
            + " ordinal_rollout_progress_deadline_seconds Ordinal rolls back, so a larger value"
            + " means nothing acts on the StatefulSet",
        KEY,
        (r, cb) -> cb.call(seconds(r.withoutProgress(now())), ns(r), name(r)));
    gauge(
        registry,
        "ordinal_rollout_progress_deadline_seconds",
        "The policy's progress deadline: how long pods may make no progress before a rollback",
        KEY,
        (r, cb) -> cb.call(seconds(r.spec().progressDeadline()), ns(r), name(r)));
  }

  private interface PerRollout {
    void emit(LiveRollout rollout, GaugeWithCallback.Callback callback);
  }

  private void gauge(
      PrometheusRegistry registry, String name, String help, String[] labels, PerRollout each) {
    Consumer<GaugeWithCallback.Callback> callback =
        cb -> {
          for (LiveRollout r : rollouts.get()) {
            each.emit(r, cb);
          }
        };
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(labels)
        .callback(callback)
        .register(registry);
  }

  private Instant now() {
    return clock.instant();
  }

  private static int stepIndex(LiveRollout r) {
    return r.state().map(RolloutState::stepIndex).orElse(0);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static String ns(LiveRollout r) {
    return r.sts().namespace();
  }

  private static String name(LiveRollout r) {
    return r.sts().name();
  }
}
