package dev.ordinal.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One step of a canary rollout. */
public sealed interface Step permits Step.Canary, Step.Pause, Step.Analysis {

  /**
   * Move pods to the new revision: either an absolute number of {@code replicas} or a {@code
   * percent} of the StatefulSet's replicas (rounded up, at least one pod). Exactly one is set.
   */
  record Canary(Integer replicas, Integer percent) implements Step {
    public Canary {
      if ((replicas == null) == (percent == null)) {
        throw new IllegalArgumentException("canary step needs exactly one of replicas or percent");
      }
      if (replicas != null && replicas < 1) {
        throw new IllegalArgumentException("canary replicas must be at least 1, got " + replicas);
      }
      if (percent != null && (percent < 1 || percent > 100)) {
        throw new IllegalArgumentException("canary percent must be 1..100, got " + percent);
      }
    }

    /** A canary of a fixed number of pods. */
    public static Canary pods(int replicas) {
      return new Canary(replicas, null);
    }

    /** A canary of a share of the pods. */
    public static Canary percent(int percent) {
      return new Canary(null, percent);
    }

    /**
     * How many pods (the highest ordinals) this step runs on the new revision for a StatefulSet of
     * {@code statefulSetReplicas}; recomputed on every decision so a scale change keeps it right.
     */
    public int canaryCount(int statefulSetReplicas) {
      if (statefulSetReplicas <= 0) {
        return 0;
      }
      int wanted =
          replicas != null
              ? replicas
              // integer ceil of replicas * percent / 100 without floating point
              : Math.max(1, (statefulSetReplicas * percent + 99) / 100);
      return Math.min(wanted, statefulSetReplicas);
    }
  }

  /** Hold for a {@code duration}, or until a user promotes when the duration is empty. */
  record Pause(Optional<Duration> duration) implements Step {
    public Pause {
      duration = duration == null ? Optional.empty() : duration;
      duration.ifPresent(
          d -> {
            if (d.isNegative() || d.isZero()) {
              throw new IllegalArgumentException("pause duration must be positive, got " + d);
            }
          });
    }

    /** A timed pause. */
    public static Pause of(Duration duration) {
      return new Pause(Optional.of(duration));
    }

    /** A manual gate: waits for {@code promote}. */
    public static Pause untilPromoted() {
      return new Pause(Optional.empty());
    }
  }

  /** Run analysis templates and wait for their verdict. */
  record Analysis(List<AnalysisRef> templates) implements Step {
    public Analysis {
      Objects.requireNonNull(templates, "templates");
      if (templates.isEmpty()) {
        throw new IllegalArgumentException("analysis step needs at least one template");
      }
      templates = List.copyOf(templates);
    }
  }
}
