package dev.ordinal.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A rollout as the watch caches show it now: the StatefulSet, its pods, the state Ordinal keeps on
 * it and the spec that governs it. What the status page and the rollout gauges read, so that both
 * say the same about which pod is stable and which is canary.
 *
 * @param state empty before Ordinal first decided, or when the annotation is unreadable
 * @param stateError why the annotation is unreadable, or empty
 */
public record LiveRollout(
    StatefulSetView sts,
    List<PodView> pods,
    Optional<RolloutState> state,
    String stateError,
    RolloutSpec spec) {

  /** Which revision a pod runs, seen from the rollout. */
  public enum Role {
    /** The revision pods return to on rollback. */
    STABLE,
    /** The revision being rolled out. */
    CANARY,
    /** Neither: a pod on an older revision the controller has not replaced yet. */
    OTHER;

    /** Lower case, as metric labels and the page use it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public LiveRollout {
    Objects.requireNonNull(sts, "sts");
    pods = List.copyOf(pods);
    state = state == null ? Optional.empty() : state;
    stateError = stateError == null ? "" : stateError;
    Objects.requireNonNull(spec, "spec");
  }

  /** The stable revision: the state's, else the controller's current revision. */
  public String stable() {
    return state.map(RolloutState::stableRevision).orElse(sts.currentRevision());
  }

  /** The revision rolled out: the state's target, else the controller's update revision. */
  public String target() {
    return state.map(RolloutState::targetRevision).orElse(sts.updateRevision());
  }

  public Phase phase() {
    return state.map(RolloutState::phase).orElse(Phase.HEALTHY);
  }

  public Role role(PodView pod) {
    if (pod.revision().equals(stable())) {
      return Role.STABLE;
    }
    return pod.revision().equals(target()) ? Role.CANARY : Role.OTHER;
  }

  /** Pods with this role that are not terminating. */
  public int pods(Role role) {
    return (int) pods.stream().filter(p -> !p.terminating() && role(p) == role).count();
  }

  /** Pods with this role that are Ready and not terminating. */
  public int ready(Role role) {
    return (int) pods.stream().filter(p -> p.available() && role(p) == role).count();
  }

  /** Whether a rollout is under way or has just ended badly: anything but Healthy. */
  public boolean active() {
    return phase() != Phase.HEALTHY;
  }

  /** How long the current step has run; zero when no rollout is under way. */
  public Duration timeInStep(Instant now) {
    if (state.isEmpty() || phase() == Phase.HEALTHY || phase() == Phase.ROLLED_BACK) {
      return Duration.ZERO;
    }
    return nonNegative(Duration.between(state.get().stepStartedAt(), now));
  }

  /**
   * How long pods have made no progress while the rollout waits for them (a canary step or full
   * promotion), counted as the engine counts its progress deadline; zero otherwise. Past {@link
   * RolloutSpec#progressDeadline()} the engine rolls back, so a value above it means Ordinal is not
   * acting on this StatefulSet.
   */
  public Duration withoutProgress(Instant now) {
    if (state.isEmpty() || phase() != Phase.PROGRESSING) {
      return Duration.ZERO;
    }
    RolloutState s = state.get();
    if (s.reasonCode() != PhaseReason.CANARY_STEP && s.reasonCode() != PhaseReason.FULL_PROMOTION) {
      return Duration.ZERO;
    }
    Instant since = s.stepStartedAt().isAfter(s.progressAt()) ? s.stepStartedAt() : s.progressAt();
    return nonNegative(Duration.between(since, now));
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
