package dev.ordinal.notify;

import dev.ordinal.analysis.MetricPhase;
import dev.ordinal.analysis.RunSnapshot;
import dev.ordinal.rollout.DomainEvent;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which published decisions people are told about, and what they are told: a rollout started, a
 * step passed, a rollout paused for a human (a manual gate or an inconclusive analysis, once per
 * step), a rollback started (with the metrics, values and limits that decided it), a rollout
 * completed. Everything else (waits, progress, pod moves) stays in Events and logs.
 */
public final class Notifications {
  /** The analysis runs of a rollout's current attempt: {@code (namespace, name, state) → runs}. */
  @FunctionalInterface
  public interface Runs {
    List<RunSnapshot> of(String namespace, String name, RolloutState state);
  }

  private final Runs runs;

  /** The step each StatefulSet was last said to be paused at, so a pause is told once. */
  private final Map<String, String> pausedAt = new ConcurrentHashMap<>();

  public Notifications(Runs runs) {
    this.runs = runs;
  }

  /**
   * The notifications for a published decision, in order: usually none, one when it is something
   * people are told about, two when a step passed and the next one waits for a person.
   */
  public List<Notification> of(
      Instant at, String namespace, String name, DomainEvent event, Optional<RolloutState> state) {
    List<Notification> told = new ArrayList<>();
    if (!(event instanceof RolloutEvent e) || state.isEmpty()) {
      return told;
    }
    RolloutState s = state.get();
    String key = namespace + "/" + name;
    Notification.Kind kind = kind(key, e);
    if (kind != null) {
      told.add(notification(kind, at, namespace, name, e, s));
    }
    boolean waitsForPerson =
        s.phase() == Phase.PAUSED
            && (s.reasonCode() == PhaseReason.MANUAL_GATE
                || s.reasonCode() == PhaseReason.ANALYSIS_INCONCLUSIVE);
    if (waitsForPerson) {
      String where = s.rollout() + "/" + s.stepIndex();
      if (!where.equals(pausedAt.put(key, where))) {
        told.add(notification(Notification.Kind.PAUSED, at, namespace, name, e, s));
      }
    }
    return told;
  }

  private Notification notification(
      Notification.Kind kind,
      Instant at,
      String namespace,
      String name,
      RolloutEvent e,
      RolloutState s) {
    List<Notification.Finding> findings =
        kind == Notification.Kind.ROLLED_BACK && s.reasonCode() == PhaseReason.ANALYSIS_FAILED
            ? findings(runs.of(namespace, name, s))
            : List.of();
    return new Notification(
        kind,
        at,
        namespace,
        name,
        s.source().app(),
        s.source().commit(),
        s.stableRevision(),
        s.targetRevision(),
        switch (kind) {
          case STEP_PASSED -> passedStep(e, s);
          case COMPLETED -> s.stepCount();
          default -> Math.min(s.stepIndex() + 1, s.stepCount());
        },
        s.stepCount(),
        s.reason(),
        kind == Notification.Kind.PAUSED ? s.reason() : e.message(),
        findings);
  }

  /** The 1-based step that passed, as the event says (the state has moved on to the next). */
  private static int passedStep(RolloutEvent e, RolloutState s) {
    if (e instanceof RolloutEvent.StepCompleted c) {
      return c.step();
    }
    if (e instanceof RolloutEvent.PauseElapsed p) {
      return p.step();
    }
    if (e instanceof RolloutEvent.AnalysisSuccessful a) {
      return a.step();
    }
    if (e instanceof RolloutEvent.Promoted p && p.step() > 0) {
      return p.step();
    }
    return Math.min(s.stepIndex() + 1, s.stepCount());
  }

  private Notification.Kind kind(String key, RolloutEvent e) {
    if (e instanceof RolloutEvent.RolloutStarted) {
      pausedAt.remove(key);
      return Notification.Kind.ROLLOUT_STARTED;
    }
    if (e instanceof RolloutEvent.StepCompleted
        || e instanceof RolloutEvent.PauseElapsed
        || e instanceof RolloutEvent.AnalysisSuccessful
        || e instanceof RolloutEvent.Promoted) {
      return Notification.Kind.STEP_PASSED;
    }
    if (e instanceof RolloutEvent.RollbackStarted) {
      return Notification.Kind.ROLLED_BACK;
    }
    if (e instanceof RolloutEvent.RolloutCompleted) {
      pausedAt.remove(key);
      return Notification.Kind.COMPLETED;
    }
    return null;
  }

  /** The metrics that failed or errored, with their last values, condition and limit. */
  static List<Notification.Finding> findings(List<RunSnapshot> runs) {
    List<Notification.Finding> findings = new ArrayList<>();
    for (RunSnapshot run : runs) {
      for (RunSnapshot.MetricSnapshot m : run.metrics()) {
        if (m.phase() != MetricPhase.FAILED && m.phase() != MetricPhase.ERROR) {
          continue;
        }
        List<String> values =
            m.recent().stream()
                .map(
                    x ->
                        x.value().isEmpty() ? x.phase().name().toLowerCase(Locale.ROOT) : x.value())
                .toList();
        String condition =
            m.failureCondition().map(c -> "failure when " + c).orElse("")
                + (m.failureCondition().isPresent() && m.successCondition().isPresent() ? "; " : "")
                + m.successCondition().map(c -> "success when " + c).orElse("");
        findings.add(
            new Notification.Finding(
                m.template(), m.metric(), m.phase().name(), values, condition, m.explanation()));
      }
    }
    return findings;
  }
}
