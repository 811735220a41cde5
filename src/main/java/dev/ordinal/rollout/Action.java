package dev.ordinal.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one thing to do next. Every action carries the full next {@link RolloutState}: the executor
 * writes it to the {@code ordinal.dev/rollout-state} annotation whenever it differs from the stored
 * one, in the same StatefulSet update as a partition change, and removes the annotations of the
 * {@link #consumes() consumed commands} in that same write. Pod deletions and analysis requests are
 * safe to repeat: if the executor dies half-way, re-deciding on the next observation yields the
 * same request again until the cluster shows it took effect.
 */
public sealed interface Action
    permits Action.Wait,
        Action.SetPartition,
        Action.DeletePod,
        Action.StartAnalysis,
        Action.StopAnalysis,
        Action.UpdateState,
        Action.SetReplicas,
        Action.Volume {

  /** The state after this action. */
  RolloutState state();

  /** Commands this action answers; their annotations go away in the same write. */
  Set<Command> consumes();

  /** What happened, for a Kubernetes Event (the executor skips Events for {@link Wait}). */
  RolloutEvent event();

  /** The one log line for this decision. */
  default String logLine() {
    RolloutEvent e = event();
    String consumed =
        consumes().isEmpty()
            ? ""
            : " consumes="
                + consumes().stream()
                    .map(Command::displayName)
                    .sorted()
                    .collect(Collectors.joining(","));
    return getClass().getSimpleName()
        + " phase="
        + state().phase().displayName()
        + " step="
        + state().stepIndex()
        + " target="
        + state().targetRevision()
        + consumed
        + " "
        + e.type().displayName()
        + " "
        + e.reason()
        + ": "
        + e.message();
  }

  /** Nothing to change now; decide again after {@code recheckAfter} or on the next watch event. */
  record Wait(RolloutState state, Duration recheckAfter, String reason) implements Action {
    public Wait {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(recheckAfter, "recheckAfter");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public Set<Command> consumes() {
      return Set.of();
    }

    @Override
    public RolloutEvent event() {
      return new RolloutEvent.Waiting(reason);
    }
  }

  /**
   * Set {@code spec.updateStrategy.rollingUpdate.partition}, writing the state in the same update.
   */
  record SetPartition(int partition, RolloutState state, Set<Command> consumes, RolloutEvent event)
      implements Action {
    public SetPartition {
      if (partition < 0) {
        throw new IllegalArgumentException("partition must not be negative");
      }
      Objects.requireNonNull(state, "state");
      consumes = Set.copyOf(consumes);
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * Write the state, then delete one pod so the controller recreates it. The executor deletes only
   * if the pod it reads fresh still has {@code podRevision}: the observation may be a cache a step
   * behind, and deleting a replacement that already came back would break one-at-a-time.
   */
  record DeletePod(
      String podName,
      String podRevision,
      RolloutState state,
      Set<Command> consumes,
      RolloutEvent event)
      implements Action {
    public DeletePod {
      Objects.requireNonNull(podName, "podName");
      Objects.requireNonNull(podRevision, "podRevision");
      Objects.requireNonNull(state, "state");
      consumes = Set.copyOf(consumes);
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * Ask the analysis runner to start run {@code runId} unless it exists. Repeated until the runner
   * reports a verdict for the id, so the runner must treat a known id as a no-op.
   */
  record StartAnalysis(
      String runId,
      List<AnalysisRef> templates,
      RolloutState state,
      Set<Command> consumes,
      RolloutEvent event)
      implements Action {
    public StartAnalysis {
      Objects.requireNonNull(runId, "runId");
      templates = List.copyOf(templates);
      Objects.requireNonNull(state, "state");
      consumes = Set.copyOf(consumes);
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * Ask the runner to stop a run that is still RUNNING but no longer wanted (superseded, finished).
   */
  record StopAnalysis(String runId, RolloutState state, Set<Command> consumes, RolloutEvent event)
      implements Action {
    public StopAnalysis {
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(state, "state");
      consumes = Set.copyOf(consumes);
      Objects.requireNonNull(event, "event");
    }
  }

  /** Only the state (and consumed commands) change; decide again right away. */
  record UpdateState(RolloutState state, Set<Command> consumes, RolloutEvent event)
      implements Action {
    public UpdateState {
      Objects.requireNonNull(state, "state");
      consumes = Set.copyOf(consumes);
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * Set {@code spec.replicas} (and the partition, when given) with the state in one StatefulSet
   * update: a restore takes the canary ordinals out of the set this way, so the controller cannot
   * recreate their pods, and their claims, while the claims are replaced.
   */
  record SetReplicas(
      int replicas,
      Integer partition,
      RolloutState state,
      Set<Command> consumes,
      RolloutEvent event)
      implements Action {
    public SetReplicas {
      if (replicas < 0 || (partition != null && partition < 0)) {
        throw new IllegalArgumentException("replicas and partition must not be negative");
      }
      Objects.requireNonNull(state, "state");
      consumes = Set.copyOf(consumes);
      Objects.requireNonNull(event, "event");
    }
  }

  /** Write the state, then ask the backup side to carry out {@code op} (idempotent). */
  record Volume(VolumeOp op, RolloutState state, Set<Command> consumes, RolloutEvent event)
      implements Action {
    public Volume {
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(state, "state");
      consumes = Set.copyOf(consumes);
      Objects.requireNonNull(event, "event");
    }
  }
}
